using System.Text;
using Sas.Api.Infrastructure.Data;
using Sas.Domain.Professions;
using Sas.Domain.Slots;

namespace Sas.Api.Search;

/// <summary>A bookable slot found, with its GP and site; the sector is the searched one it came from.</summary>
public sealed record SearchRow(
    long Id, string SectorCode, DateTime StartUtc, DateTime EndUtc, Modality Modality, SlotStatus Status, DateTime? HoldExpiresAt, GpSite GpSite);

/// <summary>A sector searched, up to the latest start its booking horizon allows.</summary>
public sealed record SectorBound(string Sector, DateTime UntilUtc);

/// <summary>A search; <c>Only</c> the professions it finds (null: every one).</summary>
public sealed record SearchQuery(
    IReadOnlyList<SectorBound> Sectors, DateTime FromUtc, DateTime NowUtc, string CallerId, Modality? Modality,
    (DateTime Start, long Id)? After, int Limit, ProfessionFilter? Only = null);

/// <summary>
/// Bookable slots soonest first: from the node's <see cref="IndexedSearch"/> where the engine has its change feed
/// (SQLite, PostgreSQL) and <c>Search:Index</c> is not switched off, otherwise by the statement below (SQL Server).
/// With the index, some searches are also answered by the statement in the background and compared (<see cref="IndexedSearch.Sample"/>).
/// </summary>
public sealed partial class SearchStore(Db db, IndexedSearch? indexed = null)
{
    public sealed class Sql(SqlDialect d)
    {
        /// <summary>
        /// Bookable slots, soonest first. One branch per sector reads <c>ix_slots_search</c> by
        /// (sector, start) and stops at <c>@limit</c> rows (the leading <c>status IN ('available', 'held')</c>
        /// is the partial index's own predicate); the branches are then merged. A single <c>sector_code IN
        /// (...)</c> would make both engines sort every slot of those sectors in the horizon before the limit
        /// (measured in docs/benchmarks.md, "Measurements behind the code"). A held slot comes back
        /// once its hold lapses, or to the regulator holding it. The GP and site are joined on the merged rows (a site
        /// with live slots cannot be removed from its GP, so every slot found has its site).
        /// </summary>
        public string Search(int sectors, bool modality, bool after, int professions = 0, bool specialty = false)
        {
            // The branch's number stands for its sector, codes for the modality and the status, and seconds since 1970
            // for the start and end: numbers read without a string each (the caller has the sector codes, the enums
            // have the names).
            var sql = new StringBuilder($"""
                SELECT s.id, s.rpps, s.branch, s.site_id, {d.EpochSeconds("s.start_utc")}, {d.EpochSeconds("s.end_utc")}, s.modality_code, s.status_code,
                       s.hold_expires_at, ps.version, p.first_name, p.last_name, ps.name, ps.address, ps.commune, p.profession, p.specialty
                  FROM (

                """);
            for (var b = 0; b < sectors; b++)
            {
                if (b > 0) sql.Append("        UNION ALL\n");
                sql.Append($"""
                        SELECT * FROM (
                            SELECT id, rpps, {b} AS branch, site_id, start_utc, end_utc,
                                   {Rows.ModalityCode("modality")} AS modality_code,
                                   {Rows.StatusCode("status")} AS status_code, hold_expires_at
                              FROM slots
                             WHERE status IN ('available', 'held')
                               AND sector_code = @sector{b} AND start_utc >= @from AND start_utc <= @until{b}
                               AND (status = 'available' OR hold_expires_at <= @now OR held_by = @caller)

                    """);
                if (modality) sql.Append("               AND modality = @modality\n");
                if (after) sql.Append("               AND (start_utc > @afterStart OR (start_utc = @afterStart AND id > @afterId))\n");
                if (professions > 0)
                    sql.Append($"               AND EXISTS (SELECT 1 FROM practitioners k WHERE k.rpps = slots.rpps AND k.profession IN ({string.Join(", ", Enumerable.Range(0, professions).Select(i => $"@profession{i}"))}){(specialty ? " AND k.specialty = @specialty" : "")})\n");
                sql.Append($"             ORDER BY start_utc, id\n            {d.Limit("@limit")}\n        ) AS b{b}\n");
            }
            sql.Append("""
                       ) AS s
                  JOIN practitioners p ON p.rpps = s.rpps
                  JOIN practitioner_sites ps ON ps.rpps = s.rpps AND ps.site_id = s.site_id
                 ORDER BY s.start_utc, s.id

                """).Append(d.Limit("@limit"));
            // One space for each run of white space: the driver encodes the text for the engine on every execution.
            return Whitespace().Replace(sql.ToString(), " ").Trim();
        }
    }

    /// <summary>The search statement's columns, in its <c>SELECT</c>'s order.</summary>
    private static class Column
    {
        public const int Id = 0, Rpps = 1, Branch = 2, SiteId = 3, Start = 4, End = 5, Modality = 6, Status = 7, HoldExpiresAt = 8,
            SiteVersion = 9, FirstName = 10, LastName = 11, SiteName = 12, Address = 13, Commune = 14, Profession = 15, Specialty = 16;
    }

    private readonly Sql sql = new(db.Dialect);

    private readonly SiteDirectory sites = new();

    /// <summary>How many GPs' and sites' text this node holds, by either path: for the tests of the copy.</summary>
    public int SitesKept => indexed?.SitesKept ?? sites.Count;

    /// <summary>
    /// Each statement built once per shape (sector count, modality, page): building it for every search was a seventh
    /// of what a search allocated. Bounded: a search covers the sectors of one postal code or commune in scope.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Sectors, bool Modality, bool After, int Professions, bool Specialty), string> statements = new();

    private static readonly string[] SectorNames = [.. Enumerable.Range(0, 64).Select(b => $"@sector{b}")];
    private static readonly string[] UntilNames = [.. Enumerable.Range(0, 64).Select(b => $"@until{b}")];

    public async Task<IReadOnlyList<SearchRow>> SearchAsync(SearchQuery q, CancellationToken ct)
    {
        if (q.Sectors.Count == 0) return [];
        if (indexed is null)
        {
            await using var c = await db.OpenAsync(ct);
            return await StatementAsync(c, q, ct);
        }
        var rows = await indexed.SearchAsync(q, ct);
        indexed.Sample(token => indexed.CheckAsync(q, (c, query) => StatementAsync(c, query, token), token));
        return rows;
    }

    /// <summary>The search statement, on <paramref name="c"/>.</summary>
    public async Task<IReadOnlyList<SearchRow>> StatementAsync(System.Data.Common.DbConnection c, SearchQuery q, CancellationToken ct)
    {
        var branches = q.Sectors;
        if (branches.Count == 0) return [];
        var shape = (branches.Count, q.Modality is not null, q.After is not null, q.Only?.Professions.Count ?? 0, q.Only?.Specialty is not null);
        await using var command = c.CreateCommand();
        command.CommandText = statements.GetOrAdd(shape, s => sql.Search(s.Sectors, s.Modality, s.After, s.Professions, s.Specialty));
        // Only the parameters the statement's shape uses, bound by hand (Dapper's bookkeeping cost a kilobyte).
        Parameters.Add(command, "@from", q.FromUtc);
        Parameters.Add(command, "@now", q.NowUtc);
        Parameters.Add(command, "@caller", q.CallerId);
        Parameters.Add(command, "@limit", q.Limit);
        if (q.Modality is { } modality) Parameters.Add(command, "@modality", modality.ToText());
        if (q.After is { } after)
        {
            Parameters.Add(command, "@afterStart", after.Start);
            Parameters.Add(command, "@afterId", after.Id);
        }
        if (q.Only is { } only)
        {
            for (var i = 0; i < only.Professions.Count; i++) Parameters.Add(command, $"@profession{i}", only.Professions[i]);
            if (only.Specialty is { } specialty) Parameters.Add(command, "@specialty", specialty);
        }
        for (var b = 0; b < branches.Count; b++)
        {
            Parameters.Add(command, b < SectorNames.Length ? SectorNames[b] : $"@sector{b}", branches[b].Sector);
            Parameters.Add(command, b < UntilNames.Length ? UntilNames[b] : $"@until{b}", branches[b].UntilUtc);
        }
        // Read by hand with typed getters: Dapper reads every column through GetValue, which on SQLite looks up the
        // column's declared type again for each value; a search reads 15 columns of up to 21 rows on every call.
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<SearchRow>(q.Limit);
        while (await reader.ReadAsync(ct))
        {
            // The GP's and site's text is read only when this node has not got it at the row's version.
            var (rpps, siteId, version) = (reader.GetString(Column.Rpps), reader.GetString(Column.SiteId), reader.GetInt64(Column.SiteVersion));
            var gpSite = sites.Find(rpps, siteId, version) ?? sites.Keep(new GpSite(rpps, siteId, version,
                reader.GetString(Column.FirstName), reader.GetString(Column.LastName), reader.GetString(Column.SiteName),
                reader.GetString(Column.Address), reader.GetString(Column.Commune), reader.GetString(Column.Profession),
                Specialty: reader.IsDBNull(Column.Specialty) ? null : reader.GetString(Column.Specialty)));
            rows.Add(new SearchRow(
                reader.GetInt64(Column.Id), branches[(int)reader.GetInt64(Column.Branch)].Sector,
                Rows.EpochInstant(reader, Column.Start), Rows.EpochInstant(reader, Column.End),
                Rows.Modality(reader, Column.Modality), Rows.Status(reader, Column.Status),
                reader.IsDBNull(Column.HoldExpiresAt) ? null : Rows.Instant(reader, Column.HoldExpiresAt), gpSite));
        }
        return rows;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+")]
    private static partial System.Text.RegularExpressions.Regex Whitespace();
}
