using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Practitioners;

/// <summary>A professional; <c>Specialty</c> is a physician's TRE_R38 code (null for every other profession).</summary>
public sealed record PractitionerRow(string Rpps, string FirstName, string LastName, string Profession, long OverflowPerDay, string? Specialty = null);

/// <summary>A practice site; <c>StructureId</c> is the IDNST (1 + FINESS, 3 + SIRET). Rows from before migration 0011 have no postal code.</summary>
public sealed record PractitionerSiteRow(string Rpps, string SiteId, string Name, string Address, string Commune, string? PostalCode = null, string? StructureId = null, string? BookingUrl = null);

public sealed record PractitionerSectorRow(string Rpps, string SectorCode);

/// <summary>
/// A GP taking overflow patients, and the places used on the day asked. Members, not a positional record: Dapper matches a record's constructor by the
/// columns' types, and SQLite gives the computed <c>Used</c> of an empty answer no type (a blob), so an empty answer failed.
/// </summary>
public sealed record OverflowOffer
{
    public string Rpps { get; init; } = "";
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    public long OverflowPerDay { get; init; }
    public long Used { get; init; }

    public long Left => Math.Max(0, OverflowPerDay - Used);
}

/// <summary>A GP with the sectors and sites slots are checked against.</summary>
public sealed record Practitioner(PractitionerRow Row, IReadOnlyList<string> Sectors, IReadOnlyList<PractitionerSiteRow> Sites);

public sealed class PractitionerStore(Db db, TimeProvider clock, Infrastructure.Audit.Audit audit)
{
    public sealed class Sql(SqlDialect d)
    {
        public string UpdatePractitioner => """
            UPDATE practitioners
               SET first_name = @FirstName, last_name = @LastName, profession = @Profession, specialty = @Specialty,
                   overflow_per_day = @OverflowPerDay, updated_at = @now
             WHERE rpps = @Rpps
            """;
        public string InsertPractitioner => """
            INSERT INTO practitioners (rpps, first_name, last_name, profession, specialty, overflow_per_day, updated_at)
            VALUES (@Rpps, @FirstName, @LastName, @Profession, @Specialty, @OverflowPerDay, @now)
            """;
        public string DeleteSectors => "DELETE FROM practitioner_sectors WHERE rpps = @rpps";
        public string InsertSector => "INSERT INTO practitioner_sectors (rpps, sector_code) VALUES (@Rpps, @SectorCode)";
        public string DeleteSites => "DELETE FROM practitioner_sites WHERE rpps = @rpps";
        /// <summary>Sites that live slots (free, held or booked) still point at: they cannot be removed.</summary>
        public string SitesInUse => $"SELECT DISTINCT site_id FROM slots WHERE rpps = @rpps AND {Slots.SlotStore.Live}";
        public string InsertSite => """
            INSERT INTO practitioner_sites (rpps, site_id, name, address, commune, postal_code, structure_id, booking_url, version)
            VALUES (@Rpps, @SiteId, @Name, @Address, @Commune, @PostalCode, @StructureId, @BookingUrl, @Version)
            """;
        private const string PractitionerColumns = "rpps, first_name AS FirstName, last_name AS LastName, profession, overflow_per_day AS OverflowPerDay, specialty";
        public string SelectPractitioner => $"SELECT {PractitionerColumns} FROM practitioners WHERE rpps = @rpps";
        public string SelectPractitioners => $"SELECT {PractitionerColumns} FROM practitioners WHERE {d.InList("rpps", "@rpps")}";
        public string SelectProfession => "SELECT profession FROM practitioners WHERE rpps = @rpps";
        public string SelectProfessions => $"SELECT rpps, profession FROM practitioners WHERE {d.InList("rpps", "@rpps")}";
        public string SelectSectors => "SELECT sector_code FROM practitioner_sectors WHERE rpps = @rpps ORDER BY sector_code";
        public string SelectSectorsOf => $"SELECT rpps, sector_code AS SectorCode FROM practitioner_sectors WHERE {d.InList("rpps", "@rpps")} ORDER BY sector_code";
        /// <summary>The professionals of these sectors (of one profession when asked) who take overflow patients, with the places used on a day (for a regulator to choose).</summary>
        public string SelectTakingOverflow(bool byProfession) => $"""
            SELECT p.rpps, p.first_name AS FirstName, p.last_name AS LastName, p.overflow_per_day AS OverflowPerDay, COALESCE(o.used, 0) AS Used
              FROM practitioners p
              LEFT JOIN overflow_days o ON o.rpps = p.rpps AND o.day = @day
             WHERE p.overflow_per_day > 0 {(byProfession ? "AND p.profession = @profession" : "")}
               AND EXISTS (SELECT 1 FROM practitioner_sectors ps WHERE ps.rpps = p.rpps AND {d.InList("ps.sector_code", "@sectors")})
             ORDER BY p.last_name, p.first_name, p.rpps
            """;
        /// <summary>The RPPS of the GPs of these sectors, by name: a CPTS's members, for its rota.</summary>
        public string SelectInSectors { get; } = $"""
            SELECT p.rpps
              FROM practitioners p
             WHERE EXISTS (SELECT 1 FROM practitioner_sectors ps WHERE ps.rpps = p.rpps AND {d.InList("ps.sector_code", "@sectors")})
             ORDER BY p.last_name, p.first_name, p.rpps
            """;
        private const string SiteColumns = "rpps, site_id AS SiteId, name, address, commune, postal_code AS PostalCode, structure_id AS StructureId, booking_url AS BookingUrl";
        public string SelectSites => $"SELECT {SiteColumns} FROM practitioner_sites WHERE rpps = @rpps ORDER BY site_id";
        public string SelectSitesOf => $"SELECT {SiteColumns} FROM practitioner_sites WHERE {d.InList("rpps", "@rpps")} ORDER BY site_id";
    }

    private readonly Sql sql = new(db.Dialect);

    /// <summary>What a replacement came to: created, or the sites it would have removed while slots still use them.</summary>
    public sealed record UpsertOutcome(bool Created, IReadOnlyList<string> SitesInUse);

    /// <summary>
    /// Creates or replaces a GP with its sectors and sites. A site that live slots still use cannot be removed (they would
    /// be offered at a place nobody can find): the GP's slots there must be withdrawn first, or the site kept.
    /// </summary>
    public Task<UpsertOutcome> UpsertAsync(PractitionerRow row, IReadOnlyList<string> sectors, IReadOnlyList<PractitionerSiteRow> sites, Infrastructure.Auth.Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var kept = sites.Select(x => x.SiteId).ToHashSet(StringComparer.Ordinal);
            var removedInUse = (await c.QueryAsync<string>(new CommandDefinition(sql.SitesInUse, new { rpps = row.Rpps }, tx, cancellationToken: ct)))
                .Where(id => !kept.Contains(id)).Order(StringComparer.Ordinal).ToList();
            if (removedInUse.Count > 0) return new UpsertOutcome(false, removedInUse);
            var now = clock.GetUtcNow().UtcDateTime;
            var args = new { row.Rpps, row.FirstName, row.LastName, row.Profession, row.Specialty, row.OverflowPerDay, now };
            var created = await c.ExecuteAsync(new CommandDefinition(sql.UpdatePractitioner, args, tx, cancellationToken: ct)) == 0;
            if (created) await c.ExecuteAsync(new CommandDefinition(sql.InsertPractitioner, args, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.DeleteSectors, new { rpps = row.Rpps }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.InsertSector, sectors.Select(code => new PractitionerSectorRow(row.Rpps, code)), tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.DeleteSites, new { rpps = row.Rpps }, tx, cancellationToken: ct));
            // Each site row a new version: what a node keeps of it for searches (SiteDirectory) is read again.
            await c.ExecuteAsync(new CommandDefinition(sql.InsertSite, sites.Select(x => new
            {
                x.Rpps, x.SiteId, x.Name, x.Address, x.Commune, x.PostalCode, x.StructureId, x.BookingUrl, Version = Random.Shared.NextInt64(1, long.MaxValue),
            }), tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, created ? "create" : "replace", "practitioner", row.Rpps, ct);
            return new UpsertOutcome(created, []);
        }, ct);

    /// <summary>
    /// Whether the caller's scope covers this professional's profession: at once for a caller not limited to some (a
    /// read only for those that are).
    /// </summary>
    public async Task<bool> CoversProfessionAsync(Infrastructure.Auth.Caller caller, string rpps, CancellationToken ct)
    {
        if (caller.Professions is null) return true;
        await using var c = await db.OpenAsync(ct);
        var profession = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql.SelectProfession, new { rpps }, cancellationToken: ct));
        return profession is not null && caller.CoversProfession(profession);
    }

    /// <summary>Which of these professionals the caller's scope covers the profession of: one read, none for a caller not limited to some.</summary>
    public async Task<IReadOnlySet<string>> CoveringProfessionAsync(Infrastructure.Auth.Caller caller, IReadOnlyCollection<string> rpps, CancellationToken ct)
    {
        if (caller.Professions is null || rpps.Count == 0) return rpps.ToHashSet(StringComparer.Ordinal);
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Rpps, string Profession)>(new CommandDefinition(sql.SelectProfessions, new { rpps = ValueList.Of(rpps) }, cancellationToken: ct));
        return rows.Where(r => caller.CoversProfession(r.Profession)).Select(r => r.Rpps).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The professionals of these sectors (of this profession, when given) who take overflow patients, with the day's places used.</summary>
    public async Task<IReadOnlyList<OverflowOffer>> ListTakingOverflowAsync(IReadOnlyList<string> sectors, string day, string? profession, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<OverflowOffer>(new CommandDefinition(sql.SelectTakingOverflow(profession is not null), new { sectors = ValueList.Of(sectors), day, profession }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<string>> ListInSectorsAsync(IReadOnlyList<string> sectors, CancellationToken ct)
    {
        if (sectors.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(sql.SelectInSectors, new { sectors = ValueList.Of(sectors) }, cancellationToken: ct))).AsList();
    }

    public async Task<Practitioner?> GetAsync(string rpps, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<PractitionerRow>(new CommandDefinition(sql.SelectPractitioner, new { rpps }, cancellationToken: ct));
        if (row is null) return null;
        var sectors = (await c.QueryAsync<string>(new CommandDefinition(sql.SelectSectors, new { rpps }, cancellationToken: ct))).AsList();
        var sites = (await c.QueryAsync<PractitionerSiteRow>(new CommandDefinition(sql.SelectSites, new { rpps }, cancellationToken: ct))).AsList();
        return new Practitioner(row, sectors, sites);
    }

    /// <summary>
    /// These professionals, whole, in their given order (unknown ones left out): three reads whatever their number, where
    /// <see cref="GetAsync"/> for each made three reads apiece (a CPTS's planning lists hundreds, at every load).
    /// </summary>
    public async Task<IReadOnlyList<Practitioner>> GetManyAsync(IReadOnlyList<string> rpps, CancellationToken ct)
    {
        if (rpps.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        var args = new { rpps = ValueList.Of(rpps) };
        var rows = (await c.QueryAsync<PractitionerRow>(new CommandDefinition(sql.SelectPractitioners, args, cancellationToken: ct))).ToDictionary(r => r.Rpps, StringComparer.Ordinal);
        var sectors = (await c.QueryAsync<PractitionerSectorRow>(new CommandDefinition(sql.SelectSectorsOf, args, cancellationToken: ct))).ToLookup(s => s.Rpps, s => s.SectorCode);
        var sites = (await c.QueryAsync<PractitionerSiteRow>(new CommandDefinition(sql.SelectSitesOf, args, cancellationToken: ct))).ToLookup(s => s.Rpps);
        return [.. rpps.Where(rows.ContainsKey).Select(r => new Practitioner(rows[r], [.. sectors[r]], [.. sites[r]]))];
    }
}
