using System.Text;
using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Search;

public sealed record SearchRow(
    long Id, string Rpps, string SectorCode, string SiteId, DateTime StartUtc, DateTime EndUtc, string Modality, string Status,
    DateTime? HoldExpiresAt, string? HeldBy, string FirstName, string LastName, string SiteName, string SiteAddress, string SiteCommune);

/// <summary>A sector searched, up to the latest start its booking horizon allows.</summary>
public sealed record SectorBound(string Sector, DateTime UntilUtc);

public sealed record SearchQuery(
    IReadOnlyList<SectorBound> Sectors, DateTime FromUtc, DateTime NowUtc, string CallerId, string? Modality,
    (DateTime Start, long Id)? After, int Limit);

public sealed class SearchStore(Db db)
{
    public sealed class Sql(SqlDialect d)
    {
        /// <summary>
        /// Bookable slots, soonest first. One branch per sector reads <c>ix_slots_search</c> by
        /// (sector, start) and stops at <c>@limit</c> rows (the leading <c>status IN ('available', 'held')</c>
        /// is the partial index's own predicate); the branches are then merged. A single <c>sector_code IN
        /// (...)</c> would make both engines sort every slot of those sectors in the horizon before the limit:
        /// 7–13 ms instead of under one for a postal code spanning two large sectors. A held slot comes back
        /// once its hold lapses, or to the regulator holding it. The GP and site are joined on the merged rows (a site
        /// with live slots cannot be removed from its GP, so every slot found has its site).
        /// </summary>
        public string Search(int sectors, bool modality, bool after)
        {
            var sql = new StringBuilder("""
                SELECT s.id, s.rpps, s.sector_code AS SectorCode, s.site_id AS SiteId, s.start_utc AS StartUtc, s.end_utc AS EndUtc,
                       s.modality, s.status, s.hold_expires_at AS HoldExpiresAt, s.held_by AS HeldBy,
                       p.first_name AS FirstName, p.last_name AS LastName,
                       ps.name AS SiteName, ps.address AS SiteAddress, ps.commune AS SiteCommune
                  FROM (

                """);
            for (var b = 0; b < sectors; b++)
            {
                if (b > 0) sql.Append("        UNION ALL\n");
                sql.Append($"""
                        SELECT * FROM (
                            SELECT id, rpps, sector_code, site_id, start_utc, end_utc, modality, status, hold_expires_at, held_by
                              FROM slots
                             WHERE status IN ('available', 'held')
                               AND sector_code = @sector{b} AND start_utc >= @from AND start_utc <= @until{b}
                               AND (status = 'available' OR hold_expires_at <= @now OR held_by = @caller)

                    """);
                if (modality) sql.Append("               AND modality = @modality\n");
                if (after) sql.Append("               AND (start_utc > @afterStart OR (start_utc = @afterStart AND id > @afterId))\n");
                sql.Append($"             ORDER BY start_utc, id\n            {d.Limit("@limit")}\n        ) AS b{b}\n");
            }
            sql.Append("""
                       ) AS s
                  JOIN practitioners p ON p.rpps = s.rpps
                  JOIN practitioner_sites ps ON ps.rpps = s.rpps AND ps.site_id = s.site_id
                 ORDER BY s.start_utc, s.id

                """).Append(d.Limit("@limit"));
            return sql.ToString();
        }
    }

    private readonly Sql sql = new(db.Dialect);

    /// <summary>
    /// Each statement built once per shape (sector count, modality, page): building it for every search was a seventh
    /// of what a search allocated. Bounded: a search covers the sectors of one postal code or commune in scope.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Sectors, bool Modality, bool After), string> statements = new();

    private static readonly string[] SectorNames = [.. Enumerable.Range(0, 64).Select(b => $"sector{b}")];
    private static readonly string[] UntilNames = [.. Enumerable.Range(0, 64).Select(b => $"until{b}")];

    public async Task<IReadOnlyList<SearchRow>> SearchAsync(SearchQuery q, CancellationToken ct)
    {
        var branches = q.Sectors;
        if (branches.Count == 0) return [];
        var args = new DynamicParameters(new
        {
            from = q.FromUtc, now = q.NowUtc, caller = q.CallerId, modality = q.Modality, limit = q.Limit,
            afterStart = q.After?.Start, afterId = q.After?.Id,
        });
        for (var b = 0; b < branches.Count; b++)
        {
            args.Add(b < SectorNames.Length ? SectorNames[b] : $"sector{b}", branches[b].Sector);
            args.Add(b < UntilNames.Length ? UntilNames[b] : $"until{b}", branches[b].UntilUtc);
        }
        await using var c = await db.OpenAsync(ct);
        var shape = (branches.Count, q.Modality is not null, q.After is not null);
        var text = statements.GetOrAdd(shape, s => sql.Search(s.Sectors, s.Modality, s.After));
        return (await c.QueryAsync<SearchRow>(new CommandDefinition(text, args, cancellationToken: ct))).AsList();
    }
}
