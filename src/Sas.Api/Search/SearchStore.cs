using System.Text;
using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Search;

public sealed record SearchRow(
    long Id, string Rpps, string SectorCode, string SiteId, DateTime StartUtc, DateTime EndUtc, string Modality, string Status,
    DateTime? HoldExpiresAt, string? HeldBy, string FirstName, string LastName, string? SiteName, string? SiteAddress, string? SiteCommune);

/// <summary>Sectors sharing one booking horizon: their slots are searched up to <see cref="UntilUtc"/>.</summary>
public sealed record HorizonGroup(IReadOnlyList<string> Sectors, DateTime UntilUtc);

public sealed record SearchQuery(
    IReadOnlyList<HorizonGroup> Groups, DateTime FromUtc, DateTime NowUtc, string CallerId, string? Modality,
    (DateTime Start, long Id)? After, int Limit);

public sealed class SearchStore(Db db)
{
    public sealed class Sql(SqlDialect d)
    {
        /// <summary>
        /// Bookable slots, soonest first. The leading <c>status IN ('available', 'held')</c> is the partial
        /// index's own predicate, so both engines can read <c>ix_slots_search</c> by (sector, start) for
        /// each sector group; a held slot comes back once its hold lapses, or to the regulator holding it.
        /// </summary>
        public string Search(int groups, bool modality, bool after)
        {
            var sql = new StringBuilder("""
                SELECT s.id, s.rpps, s.sector_code AS SectorCode, s.site_id AS SiteId, s.start_utc AS StartUtc, s.end_utc AS EndUtc,
                       s.modality, s.status, s.hold_expires_at AS HoldExpiresAt, s.held_by AS HeldBy,
                       p.first_name AS FirstName, p.last_name AS LastName,
                       ps.name AS SiteName, ps.address AS SiteAddress, ps.commune AS SiteCommune
                  FROM slots s
                  JOIN practitioners p ON p.rpps = s.rpps
                  LEFT JOIN practitioner_sites ps ON ps.rpps = s.rpps AND ps.site_id = s.site_id
                 WHERE s.status IN ('available', 'held')
                   AND (
                """);
            for (var g = 0; g < groups; g++)
                sql.Append(g == 0 ? "        " : "     OR ").Append($"(s.sector_code IN @sectors{g} AND s.start_utc <= @until{g})\n");
            sql.Append("""
                       )
                   AND s.start_utc >= @from
                   AND (s.status = 'available' OR s.hold_expires_at <= @now OR s.held_by = @caller)

                """);
            if (modality) sql.Append("   AND s.modality = @modality\n");
            if (after) sql.Append("   AND (s.start_utc > @afterStart OR (s.start_utc = @afterStart AND s.id > @afterId))\n");
            sql.Append(" ORDER BY s.start_utc, s.id\n").Append(d.Limit("@limit"));
            return sql.ToString();
        }
    }

    private readonly Sql sql = new(db.Dialect);

    public async Task<IReadOnlyList<SearchRow>> SearchAsync(SearchQuery q, CancellationToken ct)
    {
        if (q.Groups.Count == 0) return [];
        var args = new DynamicParameters(new
        {
            from = q.FromUtc, now = q.NowUtc, caller = q.CallerId, modality = q.Modality, limit = q.Limit,
            afterStart = q.After?.Start, afterId = q.After?.Id,
        });
        for (var g = 0; g < q.Groups.Count; g++)
        {
            args.Add($"sectors{g}", q.Groups[g].Sectors);
            args.Add($"until{g}", q.Groups[g].UntilUtc);
        }
        await using var c = await db.OpenAsync(ct);
        var text = sql.Search(q.Groups.Count, q.Modality is not null, q.After is not null);
        return (await c.QueryAsync<SearchRow>(new CommandDefinition(text, args, cancellationToken: ct))).AsList();
    }
}
