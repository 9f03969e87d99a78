using System.Data.Common;
using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Territory;

public sealed record SectorRow(string Code, string Name, string Department, string TimeZone, long BookingHorizonHours, string? CptsFiness);

public sealed record CptsRow(string Finess, string Name);

public sealed record SectorCommuneRow(string SectorCode, string InseeCode);

/// <summary>How long a node keeps its copy of the territory for searches (<c>Territory:CacheSeconds</c>, default 30).</summary>
public sealed record TerritoryCacheLifetime(TimeSpan Value);

public sealed partial class TerritoryStore(Db db, TimeProvider clock, TerritoryCacheLifetime cacheLifetime, Infrastructure.Audit.Audit audit, Infrastructure.Telemetry.SasMetrics metrics)
{
    public sealed class Sql(SqlDialect d)
    {
        public string UpdateSector { get; } = """
            UPDATE sectors
               SET name = @Name, department = @Department, time_zone = @TimeZone,
                   booking_horizon_hours = @BookingHorizonHours, cpts_finess = @CptsFiness, updated_at = @now
             WHERE code = @Code
            """;
        public string InsertSector { get; } = """
            INSERT INTO sectors (code, name, department, time_zone, booking_horizon_hours, cpts_finess, updated_at)
            VALUES (@Code, @Name, @Department, @TimeZone, @BookingHorizonHours, @CptsFiness, @now)
            """;
        public string DeleteSectorCommunes { get; } = "DELETE FROM sector_communes WHERE sector_code = @code";
        public string InsertSectorCommune { get; } = "INSERT INTO sector_communes (sector_code, insee_code) VALUES (@SectorCode, @InseeCode)";
        public string SelectSector { get; } = """
            SELECT code, name, department, time_zone AS TimeZone, booking_horizon_hours AS BookingHorizonHours, cpts_finess AS CptsFiness
              FROM sectors
             WHERE code = @code
            """;
        public string SelectSectors { get; } = $"""
            SELECT code, name, department, time_zone AS TimeZone, booking_horizon_hours AS BookingHorizonHours, cpts_finess AS CptsFiness
              FROM sectors
             WHERE {d.InList("code", "@codes")}
            """;
        public string ListSectors { get; } = $"""
            SELECT code, name, department, time_zone AS TimeZone, booking_horizon_hours AS BookingHorizonHours, cpts_finess AS CptsFiness
              FROM sectors
             WHERE code > @after
             ORDER BY code
            {d.Limit("@limit")}
            """;
        public string SelectCommunesOfSectors { get; } = $"""
            SELECT sector_code AS SectorCode, insee_code AS InseeCode
              FROM sector_communes
             WHERE {d.InList("sector_code", "@codes")}
            """;
        public string SelectSectorsOfCommunes { get; } = $"""
            SELECT sector_code AS SectorCode, insee_code AS InseeCode
              FROM sector_communes
             WHERE {d.InList("insee_code", "@inseeCodes")}
            """;
        public string CountExistingSectors { get; } = $"SELECT COUNT(*) FROM sectors WHERE {d.InList("code", "@codes")}";
        public string SelectCpts { get; } = "SELECT finess, name FROM cpts WHERE finess = @finess";
        public string ListCpts { get; } = "SELECT finess, name FROM cpts ORDER BY name, finess";
        public string UpdateCpts { get; } = "UPDATE cpts SET name = @name, updated_at = @now WHERE finess = @finess";
        public string InsertCpts { get; } = "INSERT INTO cpts (finess, name, updated_at) VALUES (@finess, @name, @now)";
        public string DetachCptsSectors { get; } = $"UPDATE sectors SET cpts_finess = NULL, updated_at = @now WHERE cpts_finess = @finess AND NOT {d.InList("code", "@codes")}";
        public string AttachCptsSectors { get; } = $"UPDATE sectors SET cpts_finess = @finess, updated_at = @now WHERE {d.InList("code", "@codes")}";
        public string SelectCptsSectorCodes { get; } = "SELECT code FROM sectors WHERE cpts_finess = @finess ORDER BY code";
        public string SelectAllSectors { get; } = """
            SELECT code, name, department, time_zone AS TimeZone, booking_horizon_hours AS BookingHorizonHours, cpts_finess AS CptsFiness
              FROM sectors
            """;
        public string SelectAllSectorCommunes { get; } = "SELECT sector_code AS SectorCode, insee_code AS InseeCode FROM sector_communes";
        public string SelectAllCpts { get; } = "SELECT finess, name FROM cpts";
    }

    private readonly Sql sql = new(db.Dialect);

    /// <summary>Creates or replaces a sector and its communes in one transaction; true when it was created.</summary>
    public Task<bool> UpsertSectorAsync(SectorRow sector, IReadOnlyList<string> communes, Infrastructure.Auth.Caller caller, CancellationToken ct) =>
        AndForgetTheCopy(db.InTransactionAsync(async (c, tx) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var args = new { sector.Code, sector.Name, sector.Department, sector.TimeZone, sector.BookingHorizonHours, sector.CptsFiness, now };
            var created = await c.ExecuteAsync(new CommandDefinition(sql.UpdateSector, args, tx, cancellationToken: ct)) == 0;
            if (created) await c.ExecuteAsync(new CommandDefinition(sql.InsertSector, args, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.DeleteSectorCommunes, new { code = sector.Code }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.InsertSectorCommune,
                communes.Select(i => new SectorCommuneRow(sector.Code, i)), tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, created ? "create" : "replace", "sector", sector.Code, ct);
            return created;
        }, ct));

    public async Task<SectorRow?> GetSectorAsync(string code, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<SectorRow>(new CommandDefinition(sql.SelectSector, new { code }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<SectorRow>> GetSectorsAsync(IReadOnlyCollection<string> codes, CancellationToken ct)
    {
        if (codes.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<SectorRow>(new CommandDefinition(sql.SelectSectors, new { codes = ValueList.Of(codes) }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<SectorRow>> ListSectorsAsync(string after, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<SectorRow>(new CommandDefinition(sql.ListSectors, new { after, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>The communes of each sector, sorted.</summary>
    public async Task<ILookup<string, string>> CommunesOfSectorsAsync(IReadOnlyCollection<string> codes, CancellationToken ct)
    {
        if (codes.Count == 0) return Array.Empty<SectorCommuneRow>().ToLookup(r => r.SectorCode, r => r.InseeCode);
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<SectorCommuneRow>(new CommandDefinition(sql.SelectCommunesOfSectors, new { codes = ValueList.Of(codes) }, cancellationToken: ct));
        return rows.OrderBy(r => r.InseeCode, StringComparer.Ordinal).ToLookup(r => r.SectorCode, r => r.InseeCode);
    }

    /// <summary>The sectors that cover each commune.</summary>
    public async Task<ILookup<string, string>> SectorsOfCommunesAsync(IReadOnlyCollection<string> inseeCodes, CancellationToken ct)
    {
        if (inseeCodes.Count == 0) return Array.Empty<SectorCommuneRow>().ToLookup(r => r.InseeCode, r => r.SectorCode);
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<SectorCommuneRow>(new CommandDefinition(sql.SelectSectorsOfCommunes, new { inseeCodes = ValueList.Of(inseeCodes) }, cancellationToken: ct));
        return rows.OrderBy(r => r.SectorCode, StringComparer.Ordinal).ToLookup(r => r.InseeCode, r => r.SectorCode);
    }

    public async Task<int> CountExistingSectorsAsync(IReadOnlyCollection<string> codes, CancellationToken ct)
    {
        if (codes.Count == 0) return 0;
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition(sql.CountExistingSectors, new { codes = ValueList.Of(codes) }, cancellationToken: ct));
    }

    /// <summary>Every CPTS, by name (a few hundred nationally): the console's choice for an admin.</summary>
    public async Task<IReadOnlyList<CptsRow>> ListCptsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<CptsRow>(new CommandDefinition(sql.ListCpts, cancellationToken: ct))).AsList();
    }

    public async Task<CptsRow?> GetCptsAsync(string finess, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<CptsRow>(new CommandDefinition(sql.SelectCpts, new { finess }, cancellationToken: ct));
    }

    public async Task<string[]> CptsSectorCodesAsync(string finess, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(sql.SelectCptsSectorCodes, new { finess }, cancellationToken: ct))).ToArray();
    }

    /// <summary>Creates or replaces a CPTS and makes exactly <paramref name="sectorCodes"/> its sectors.</summary>
    public Task<bool> UpsertCptsAsync(string finess, string name, IReadOnlyList<string> sectorCodes, Infrastructure.Auth.Caller caller, CancellationToken ct) =>
        AndForgetTheCopy(db.InTransactionAsync(async (c, tx) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var created = await c.ExecuteAsync(new CommandDefinition(sql.UpdateCpts, new { finess, name, now }, tx, cancellationToken: ct)) == 0;
            if (created) await c.ExecuteAsync(new CommandDefinition(sql.InsertCpts, new { finess, name, now }, tx, cancellationToken: ct));
            var codes = sectorCodes.ToArray(); // Dapper writes an empty list as a subquery with no rows
            await c.ExecuteAsync(new CommandDefinition(sql.DetachCptsSectors, new { finess, codes = ValueList.Of(codes), now }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(sql.AttachCptsSectors, new { finess, codes = ValueList.Of(codes), now }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, created ? "create" : "replace", "cpts", finess, ct);
            return created;
        }, ct));

    /// <summary>A sector's time zone, or mainland France's for a sector no longer known.</summary>
    public string TimeZoneOf(SectorRow? sector) => sector?.TimeZone ?? Sas.Domain.Time.Zones.Mainland;

    /// <summary>The time zones of these sectors, read at once: a lookup, mainland France's for a sector no longer known.</summary>
    public async Task<Func<string, string>> TimeZonesAsync(IEnumerable<string> sectorCodes, CancellationToken ct)
    {
        var zones = (await GetSectorsAsync(sectorCodes.Distinct().ToList(), ct)).ToDictionary(x => x.Code, x => x.TimeZone);
        return code => zones.GetValueOrDefault(code, Sas.Domain.Time.Zones.Mainland);
    }
}
