using Dapper;
using Sas.Api.Infrastructure.Data;
using Sas.Domain.Slots;

namespace Sas.Api.Fhir;

/// <summary>A free slot as the database holds it; the GP, the site and the sector are joined in memory (<see cref="FreeSlot"/>).</summary>
public sealed record FhirSlotRow(long Id, string Rpps, string SectorCode, string SiteId, DateTime StartUtc, DateTime EndUtc, string Modality);

/// <summary>A GP and one of their practice sites (the site columns are null for a GP without sites).</summary>
public sealed record FhirPracticeRow(string Rpps, string FirstName, string LastName, string Profession, string? SiteId, string? SiteName, string? SiteAddress, string? SiteCommune,
    string? SitePostalCode = null, string? SiteStructureId = null, string? SiteBookingUrl = null, string? Specialty = null);

/// <summary>
/// The FHIR query's free slots: from the node's slot index where searches use it (<see cref="Search.IndexedSearch"/>, which
/// keeps them per GP too), otherwise by the statements below; with the index, some answers are checked against them.
/// </summary>
public sealed class FhirSlotStore(Db db, Search.IndexedSearch? indexed = null)
{
    /// <summary><see cref="Sql.FreeSlots"/>'s columns, in order.</summary>
    private static class Column
    {
        public const int Id = 0, Rpps = 1, Sector = 2, SiteId = 3, Start = 4, End = 5, Modality = 6;
    }

    public sealed class Sql(SqlDialect d)
    {
        /// <summary>
        /// Free slots of up to 25 GPs in a window, read by <c>ix_slots_practitioner</c> (rpps, start). A slot
        /// whose hold has lapsed is free again; withdrawn, booked, expired and still-held slots never come back.
        /// Only the slot's own columns: joining the GP, the site, the sector and the CPTS on every row read
        /// each of them once per slot (four text-key lookups a row, and 17 columns through the driver), two
        /// thirds of the query's time for a 25-GP answer. The GPs come once each below, the sectors from the
        /// node's territory copy.
        /// </summary>
        public string FreeSlots { get; } = $"""
            SELECT id, rpps, sector_code, site_id, {d.EpochSeconds("start_utc")}, {d.EpochSeconds("end_utc")}, {Rows.ModalityCode("modality")}
              FROM slots
             WHERE {d.InList("rpps", "@rpps")}
               AND start_utc >= @from
               AND start_utc <= @to
               AND status IN ('available', 'held')
               AND (status = 'available' OR hold_expires_at <= @now)
             ORDER BY start_utc, id
            """;

        /// <summary>The GPs that have free slots, each with every practice site.</summary>
        public string Practices { get; } = $"""
            SELECT p.rpps, p.first_name AS FirstName, p.last_name AS LastName, p.profession,
                   ps.site_id AS SiteId, ps.name AS SiteName, ps.address AS SiteAddress, ps.commune AS SiteCommune,
                   ps.postal_code AS SitePostalCode, ps.structure_id AS SiteStructureId, ps.booking_url AS SiteBookingUrl, p.specialty
              FROM practitioners p
              LEFT JOIN practitioner_sites ps ON ps.rpps = p.rpps
             WHERE {d.InList("p.rpps", "@rpps")}
            """;
    }

    private readonly Sql Statements = new(db.Dialect);

    /// <summary>The free slots starting in [<paramref name="from"/>, <paramref name="to"/>], soonest first, and the GPs they belong to, read on one connection.</summary>
    public async Task<(IReadOnlyList<FhirSlotRow> Slots, IReadOnlyList<FhirPracticeRow> Practices)> FreeSlotsAsync(
        IReadOnlyList<string> rpps, DateTime from, DateTime to, DateTime now, CancellationToken ct)
    {
        if (indexed is null)
        {
            await using var c = await db.OpenAsync(ct);
            return await StatementAsync(c, rpps, from, to, now, ct);
        }
        var answer = await indexed.FreeSlotsAsync(rpps, from, to, now, ct);
        indexed.Sample(token => indexed.CheckFreeSlotsAsync(rpps, from, to, now, c => StatementAsync(c, rpps, from, to, now, token), token));
        return answer;
    }

    /// <summary>The statements, on <paramref name="c"/>.</summary>
    public async Task<(IReadOnlyList<FhirSlotRow> Slots, IReadOnlyList<FhirPracticeRow> Practices)> StatementAsync(
        System.Data.Common.DbConnection c, IReadOnlyList<string> rpps, DateTime from, DateTime to, DateTime now, CancellationToken ct)
    {
        var slots = new List<FhirSlotRow>();
        // Read by hand, the instants as numbers and the modality as a code (as the search reads): through Dapper each
        // row's values came boxed, and its instants as text to parse, a fifth of what a 25-GP answer allocated.
        await using (var command = c.CreateCommand())
        {
            command.CommandText = Statements.FreeSlots;
            ValueList.Of(rpps).AddParameter(command, "@rpps");
            Parameters.Add(command, "@from", from);
            Parameters.Add(command, "@to", to);
            Parameters.Add(command, "@now", now);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                slots.Add(new FhirSlotRow(reader.GetInt64(Column.Id), reader.GetString(Column.Rpps), reader.GetString(Column.Sector),
                    reader.GetString(Column.SiteId), Rows.EpochInstant(reader, Column.Start), Rows.EpochInstant(reader, Column.End),
                    Rows.Modality(reader, Column.Modality).ToText()));
        }
        if (slots.Count == 0) return (slots, []);
        var withSlots = slots.Select(s => s.Rpps).Distinct(StringComparer.Ordinal).ToList();
        var practices = (await c.QueryAsync<FhirPracticeRow>(new CommandDefinition(Statements.Practices, new { rpps = ValueList.Of(withSlots) }, cancellationToken: ct))).AsList();
        return (slots, practices);
    }
}
