using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Fhir;

/// <summary>A free slot with all the bundle says about it: the GP, the practice site, the sector's zone and CPTS.</summary>
public sealed class FhirSlotRow
{
    public long Id { get; set; }
    public string Rpps { get; set; } = "";
    public string SectorCode { get; set; } = "";
    public string SiteId { get; set; } = "";
    public DateTime StartUtc { get; set; }
    public DateTime EndUtc { get; set; }
    public string Modality { get; set; } = "";
    public string TimeZone { get; set; } = "";
    public long BookingHorizonHours { get; set; }
    public string? CptsFiness { get; set; }
    public string? CptsName { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Profession { get; set; } = "";
    public string? SiteName { get; set; }
    public string? SiteAddress { get; set; }
    public string? SiteCommune { get; set; }
}

public sealed class FhirSlotStore(Db db)
{
    public sealed class Sql(SqlDialect d)
    {
        /// <summary>
        /// Free slots of up to 25 GPs in a window, read by <c>ix_slots_practitioner</c> (rpps, start). A slot
        /// whose hold has lapsed is free again; withdrawn, booked, expired and still-held slots never come back.
        /// Slots beyond their sector's horizon (an hour of slack: the endpoint applies the exact bound) are
        /// left in the database: the guide's now..D+2 holds twice the rows a 24-hour sector can offer.
        /// </summary>
        public string FreeSlots => $"""
            SELECT s.id, s.rpps, s.sector_code AS SectorCode, s.site_id AS SiteId, s.start_utc AS StartUtc, s.end_utc AS EndUtc, s.modality,
                   sec.time_zone AS TimeZone, sec.booking_horizon_hours AS BookingHorizonHours, sec.cpts_finess AS CptsFiness, c.name AS CptsName,
                   p.first_name AS FirstName, p.last_name AS LastName, p.profession,
                   ps.name AS SiteName, ps.address AS SiteAddress, ps.commune AS SiteCommune
              FROM slots s
              JOIN practitioners p ON p.rpps = s.rpps
              JOIN sectors sec ON sec.code = s.sector_code
              LEFT JOIN cpts c ON c.finess = sec.cpts_finess
              LEFT JOIN practitioner_sites ps ON ps.rpps = s.rpps AND ps.site_id = s.site_id
             WHERE s.rpps IN @rpps
               AND s.start_utc >= @from
               AND s.start_utc <= @to
               AND s.start_utc <= {d.AddHours("@now", "sec.booking_horizon_hours + 1")}
               AND s.status IN ('available', 'held')
               AND (s.status = 'available' OR s.hold_expires_at <= @now)
             ORDER BY s.start_utc, s.id
            """;
    }

    private readonly Sql Statements = new(db.Dialect);

    public async Task<IReadOnlyList<FhirSlotRow>> FreeSlotsAsync(IReadOnlyList<string> rpps, DateTime from, DateTime to, DateTime now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<FhirSlotRow>(new CommandDefinition(Statements.FreeSlots, new { rpps, from, to, now }, cancellationToken: ct))).AsList();
    }
}
