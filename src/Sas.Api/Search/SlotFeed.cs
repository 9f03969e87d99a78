using System.Data.Common;
using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Search;

/// <summary>A row of <c>slot_changes</c>: a slot changed, or a GP's name or sites; its position is what the horizon compares.</summary>
public readonly record struct SlotChange(long Seq, long? SlotId, string? Rpps, long Position);

/// <summary>
/// The reads that fill and refresh a node's <see cref="SlotIndex"/>: the feed's horizon, the changes past it, the slots
/// they name, a range of start times, and the GP and site text. The horizon is where the next read starts so that no
/// committed change is missed: on SQLite (one writer, so sequence order is commit order) the sequence after the last
/// read; on PostgreSQL the oldest transaction still running at the read (<c>pg_snapshot_xmin</c>), taken before the
/// changes are read, since a transaction that took its sequence numbers earlier may commit later.
/// </summary>
public sealed class SlotFeed(SqlDialect d, DatabaseProvider provider)
{
    /// <summary>More changes than this since the last read: reading the index again is cheaper than applying them.</summary>
    public const int MaxChanges = 5000;

    public static bool Supports(DatabaseProvider provider) => provider is DatabaseProvider.Sqlite or DatabaseProvider.PostgreSql;

    private const string XMin = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

    public string Horizon { get; } = provider == DatabaseProvider.PostgreSql ? XMin : "SELECT COALESCE(MAX(seq), 0) + 1 FROM slot_changes";

    /// <summary>On PostgreSQL two statements: the next horizon first, then the rows (each statement its own snapshot).</summary>
    public string Changes { get; } = provider == DatabaseProvider.PostgreSql
        ? $"{XMin}; SELECT seq, slot_id, rpps, tx FROM slot_changes WHERE tx >= @horizon ORDER BY seq LIMIT {MaxChanges + 1}"
        : $"SELECT seq, slot_id, rpps, seq FROM slot_changes WHERE seq >= @horizon ORDER BY seq LIMIT {MaxChanges + 1}";

    private const string Columns = "id, sector_code, start_utc, end_utc, rpps, site_id";

    private static readonly string Selected =
        $"SELECT {Columns}, {Rows.ModalityCode("modality")}, {Rows.StatusCode("status")}, hold_expires_at, held_by FROM slots";

    public string Slots { get; } = $"{Selected} WHERE {d.InList("id", "@ids")}";

    /// <summary>The slots a search can find starting in [from, until): the partial index's rows, by start.</summary>
    public string Range { get; } = $"{Selected} WHERE status IN ('available', 'held') AND start_utc >= @from AND start_utc < @until";

    public string Sites { get; } = $"""
        SELECT ps.rpps, ps.site_id, ps.version, p.first_name, p.last_name, ps.name, ps.address, ps.commune
          FROM practitioner_sites ps
          JOIN practitioners p ON p.rpps = ps.rpps
         WHERE {d.InList("ps.rpps", "@rpps")}
        """;

    /// <summary>The feed's rows older than an hour by the database's clock (the expiry job, in batches).</summary>
    public string Prune { get; } = d.DeleteBatch("slot_changes", provider == DatabaseProvider.PostgreSql
        ? "changed_at < now() - interval '1 hour'"
        : "changed_at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 hour')", "@batch");

    public Task<long> HorizonAsync(DbConnection c) => c.ExecuteScalarAsync<long>(Horizon);

    /// <summary>The next horizon and the changes at or past <paramref name="horizon"/>; null when there are too many.</summary>
    public async Task<(long Horizon, List<SlotChange>? Changes)> ChangesAsync(DbCommand command, long horizon)
    {
        command.Parameters[0].Value = horizon;
        await using var reader = await command.ExecuteReaderAsync();
        var next = horizon;
        if (provider == DatabaseProvider.PostgreSql)
        {
            await reader.ReadAsync();
            next = reader.GetInt64(0);
            await reader.NextResultAsync();
        }
        var changes = new List<SlotChange>();
        while (await reader.ReadAsync())
        {
            if (changes.Count == MaxChanges) return (next, null);
            var change = new SlotChange(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3));
            changes.Add(change);
            if (provider == DatabaseProvider.Sqlite) next = Math.Max(next, change.Seq + 1);
        }
        return (next, changes);
    }

    /// <summary>The command <see cref="ChangesAsync"/> runs: made once per connection, so SQLite keeps it prepared.</summary>
    public DbCommand ChangesCommand(DbConnection c)
    {
        var command = c.CreateCommand();
        command.CommandText = Changes;
        Parameters.Add(command, "@horizon", 0L); // set by each read
        return command;
    }

    public async Task<Dictionary<long, IndexedSlot>> SlotsAsync(DbConnection c, IReadOnlyCollection<long> ids)
    {
        var found = new Dictionary<long, IndexedSlot>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            await using var reader = await c.ExecuteReaderAsync(Slots, new { ids = ValueList.Of(chunk) });
            while (await reader.ReadAsync()) found[reader.GetInt64(0)] = Read(reader);
        }
        return found;
    }

    public async Task<List<IndexedSlot>> RangeAsync(DbConnection c, DateTime from, DateTime until)
    {
        var found = new List<IndexedSlot>();
        if (until <= from) return found;
        // A day of slots repeats a few hundred sectors, a few thousand GPs and their site ids: the index keeps one
        // string of each, not three per slot.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await c.ExecuteReaderAsync(Range, new { from, until });
        while (await reader.ReadAsync())
        {
            var slot = Read(reader);
            found.Add(slot with { Sector = Once(slot.Sector), Rpps = Once(slot.Rpps), SiteId = Once(slot.SiteId) });
        }
        return found;

        string Once(string name) => names.TryGetValue(name, out var kept) ? kept : names[name] = name;
    }

    public async Task<List<GpSite>> SitesAsync(DbConnection c, IReadOnlyCollection<string> rpps)
    {
        var found = new List<GpSite>();
        await using var reader = await c.ExecuteReaderAsync(Sites, new { rpps = ValueList.Of(rpps) });
        while (await reader.ReadAsync())
            found.Add(new GpSite(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        return found;
    }

    private static IndexedSlot Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), Rows.Instant(r, 2), Rows.Instant(r, 3), r.GetString(4), r.GetString(5),
        Rows.Modality(r, 6), Rows.Status(r, 7), r.IsDBNull(8) ? null : Rows.Instant(r, 8), r.IsDBNull(9) ? null : r.GetString(9));
}
