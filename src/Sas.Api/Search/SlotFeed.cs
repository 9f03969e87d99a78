using System.Data.Common;
using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Search;

/// <summary>
/// A row of <c>slot_changes</c>: a slot changed (or, on SQLite, the slots <see cref="SlotId"/> to <see cref="LastSlotId"/>
/// a rule made), or a GP's name or sites; its position is what reads compare.
/// </summary>
public readonly record struct SlotChange(long Seq, long? SlotId, string? Rpps, long Position, long? LastSlotId = null)
{
    /// <summary>The slot ids the row names.</summary>
    public IEnumerable<long> SlotIds => SlotId is not { } first ? [] : LastSlotId is { } last && last > first ? Range(first, last) : [first];

    private static IEnumerable<long> Range(long first, long last)
    {
        for (var id = first; id <= last; id++) yield return id;
    }
}

/// <summary>
/// Where a node's reading of the feed stands: what the next read must read again or anew. On SQLite (one writer, so the
/// sequence is the commit order) the next sequence number. On PostgreSQL the snapshot taken before the last read: its
/// <c>xmax</c> and the transactions it saw running (<c>xip</c>), whose rows may still commit; and the server's start,
/// which a restart or a failover changes.
/// </summary>
public sealed record FeedPosition(long Next, long[] InProgress, long Epoch)
{
    /// <summary>Every row below this was read: a row the prune removed at or above it may not have been.</summary>
    public long LowWater => InProgress.Length > 0 ? Math.Min(InProgress.Min(), Next) : Next;
}

/// <summary>What one read of the feed found: where it stands now, the rows (null when too many), the prune's mark.</summary>
public sealed record FeedRead(FeedPosition Position, List<SlotChange>? Changes, long PrunedThrough);

/// <summary>
/// The reads that fill and refresh a node's <see cref="SlotIndex"/>: where the feed stands, the changes past a position,
/// the slots they name, a range of start times, and the GP and site text; and the prune of the feed's old rows, which
/// records the highest position it removed (<c>slot_feed_state</c>) so that a node that had not read them finds out.
/// </summary>
public sealed class SlotFeed(SqlDialect d, DatabaseProvider provider)
{
    /// <summary>More changes than this since the last read: reading the index again is cheaper than applying them.</summary>
    public const int MaxChanges = 5000;

    public static bool Supports(DatabaseProvider provider) => provider is DatabaseProvider.Sqlite or DatabaseProvider.PostgreSql;

    private bool Postgres => provider == DatabaseProvider.PostgreSql;

    /// <summary>
    /// PostgreSQL: the snapshot's xmax and running transactions, and the server's start. SQLite: the sequence's next
    /// number, from <c>sqlite_sequence</c> (which keeps it when the rows are pruned).
    /// </summary>
    public string Position => Postgres
        ? """
          SELECT pg_snapshot_xmax(s)::text::bigint, ARRAY(SELECT pg_snapshot_xip(s)::text::bigint),
                 (extract(epoch from pg_postmaster_start_time()) * 1000000)::bigint
            FROM (SELECT pg_current_snapshot() AS s) AS now
          """
        : "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'slot_changes'), 0) + 1, 0";

    /// <summary>
    /// Where the feed stands, then the rows the last position did not cover, then the prune's mark: read after the rows,
    /// so that a prune that removed rows before this read is seen by it. (Each statement is its own snapshot.)
    /// </summary>
    public string Changes => Postgres
        ? $"{Position}; SELECT seq, slot_id, rpps, tx, last_slot_id FROM slot_changes WHERE tx = ANY(@running) OR tx >= @next ORDER BY seq LIMIT {MaxChanges + 1}; {Pruned}"
        : $"{Position}; SELECT seq, slot_id, rpps, seq, last_slot_id FROM slot_changes WHERE seq >= @next ORDER BY seq LIMIT {MaxChanges + 1}; {Pruned}";

    private const string Pruned = "SELECT pruned_through FROM slot_feed_state WHERE id = 1";

    private const string Columns = "id, sector_code, start_utc, end_utc, rpps, site_id";

    private static readonly string Selected =
        $"SELECT {Columns}, {Rows.ModalityCode("modality")}, {Rows.StatusCode("status")}, hold_expires_at, held_by FROM slots";

    /// <summary><see cref="Selected"/>'s columns, in order.</summary>
    private static class SlotColumn
    {
        public const int Id = 0, Sector = 1, Start = 2, End = 3, Rpps = 4, SiteId = 5, Modality = 6, Status = 7, HoldExpiresAt = 8, HeldBy = 9;
    }

    public string Slots => $"{Selected} WHERE {d.InList("id", "@ids")}";

    /// <summary>The slots a search can find starting in [from, until): the partial index's rows, by start.</summary>
    public string Range => $"{Selected} WHERE status IN ('available', 'held') AND start_utc >= @from AND start_utc < @until";

    public string Sites => $"""
        SELECT ps.rpps, ps.site_id, ps.version, p.first_name, p.last_name, ps.name, ps.address, ps.commune,
               p.profession, ps.postal_code, ps.structure_id, ps.booking_url, p.specialty
          FROM practitioner_sites ps
          JOIN practitioners p ON p.rpps = ps.rpps
         WHERE {d.InList("ps.rpps", "@rpps")}
        """;

    /// <summary>Every GP's profession and specialty (a whole read), or those of some GPs.</summary>
    public const string AllKinds = "SELECT rpps, profession, specialty FROM practitioners";
    public string Kinds => $"{AllKinds} WHERE {d.InList("rpps", "@rpps")}";

    /// <summary><see cref="Sites"/>'s columns, in order.</summary>
    private static class SiteColumn
    {
        public const int Rpps = 0, SiteId = 1, Version = 2, FirstName = 3, LastName = 4, Name = 5, Address = 6, Commune = 7,
            Profession = 8, PostalCode = 9, StructureId = 10, BookingUrl = 11, Specialty = 12;
    }

    /// <summary>
    /// A batch of the feed's rows older than an hour by the database's clock, answering the positions removed. On
    /// PostgreSQL only rows of transactions older than every one still running in the cluster: a node's position is
    /// as low as the oldest transaction running when it read (an idle session in another database included), and a
    /// prune past it is a gap. Pruning the rows of later transactions while a session idled for over an hour made every
    /// read after every prune a gap, and so a whole read, on every node, for as long as it idled.
    /// </summary>
    public string PruneBatch => $"""
        DELETE FROM slot_changes
         WHERE seq IN (SELECT seq FROM slot_changes
                        WHERE {(Postgres ? "changed_at < now() - interval '1 hour' AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint" : "changed_at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 hour')")}
                        ORDER BY seq {d.Limit("@batch")})
        RETURNING {(Postgres ? "tx" : "seq")}
        """;

    /// <summary>The highest position the prune removed, kept: it only grows.</summary>
    public const string MarkPruned = "UPDATE slot_feed_state SET pruned_through = @through WHERE id = 1 AND pruned_through < @through";

    public async Task<FeedPosition> PositionAsync(DbConnection c)
    {
        await using var command = c.CreateCommand();
        command.CommandText = Position;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return ReadPosition(reader);
    }

    private FeedPosition ReadPosition(DbDataReader r) =>
        Postgres ? new FeedPosition(r.GetInt64(0), r.GetFieldValue<long[]>(1), r.GetInt64(2)) : new FeedPosition(r.GetInt64(0), [], 0);

    /// <summary>The feed's rows past <paramref name="since"/>, where it stands now, and the prune's mark.</summary>
    public async Task<FeedRead> ChangesAsync(DbCommand command, FeedPosition since)
    {
        command.Parameters[0].Value = since.Next;
        if (Postgres) command.Parameters[1].Value = since.InProgress;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var now = ReadPosition(reader);
        await reader.NextResultAsync();
        List<SlotChange>? changes = [];
        while (await reader.ReadAsync())
        {
            if (changes.Count == MaxChanges) { changes = null; break; }
            changes.Add(new SlotChange(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4)));
        }
        while (changes is null && await reader.ReadAsync()) { } // the rest of the rows, to reach the mark
        await reader.NextResultAsync();
        var pruned = await reader.ReadAsync() ? reader.GetInt64(0) : 0;
        return new FeedRead(now, changes, pruned);
    }

    /// <summary>
    /// Why the changes read cannot bring the index up to date from <paramref name="since"/>, or null: the prune removed
    /// rows it had not read; or the feed went back (PostgreSQL restarted or failed over, handing out transaction ids
    /// again; SQLite's file restored from a copy), so changes it applied may be gone and rows it needs numbered below it.
    /// </summary>
    public static string? Gap(FeedPosition since, FeedRead read)
    {
        if (read.PrunedThrough >= since.LowWater) return "pruned";
        if (read.Position.Epoch != since.Epoch) return "restarted";
        if (read.Position.Next < since.Next) return "went back";
        return null;
    }

    /// <summary>The command <see cref="ChangesAsync"/> runs: made once per connection, so SQLite keeps it prepared.</summary>
    public DbCommand ChangesCommand(DbConnection c)
    {
        var command = c.CreateCommand();
        command.CommandText = Changes;
        Parameters.Add(command, "@next", 0L); // set by each read
        if (Postgres) command.Parameters.Add(new Npgsql.NpgsqlParameter<long[]>("running", Array.Empty<long>()));
        return command;
    }

    /// <summary>Removes a batch of old rows and records the highest position removed, in one transaction; the rows removed.</summary>
    public async Task<int> PruneAsync(DbConnection c, DbTransaction tx, int batch, CancellationToken ct)
    {
        var removed = (await c.QueryAsync<long>(new CommandDefinition(PruneBatch, new { batch }, tx, cancellationToken: ct))).AsList();
        if (removed.Count > 0) await c.ExecuteAsync(new CommandDefinition(MarkPruned, new { through = removed.Max() }, tx, cancellationToken: ct));
        return removed.Count;
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
            found.Add(new GpSite(reader.GetString(SiteColumn.Rpps), reader.GetString(SiteColumn.SiteId), reader.GetInt64(SiteColumn.Version),
                reader.GetString(SiteColumn.FirstName), reader.GetString(SiteColumn.LastName), reader.GetString(SiteColumn.Name),
                reader.GetString(SiteColumn.Address), reader.GetString(SiteColumn.Commune), reader.GetString(SiteColumn.Profession),
                Optional(reader, SiteColumn.PostalCode), Optional(reader, SiteColumn.StructureId), Optional(reader, SiteColumn.BookingUrl),
                Optional(reader, SiteColumn.Specialty)));
        return found;
    }

    /// <summary>The professions of these GPs, or of all when <paramref name="rpps"/> is null.</summary>
    public async Task<Dictionary<string, (string Profession, string? Specialty)>> KindsAsync(DbConnection c, IReadOnlyCollection<string>? rpps)
    {
        var found = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        foreach (var chunk in rpps is null ? [null] : rpps.Chunk(500).Cast<string[]?>())
        {
            await using var reader = chunk is null ? await c.ExecuteReaderAsync(AllKinds) : await c.ExecuteReaderAsync(Kinds, new { rpps = ValueList.Of(chunk) });
            while (await reader.ReadAsync()) found[reader.GetString(0)] = (reader.GetString(1), Optional(reader, 2));
        }
        return found;
    }

    private static IndexedSlot Read(DbDataReader r) => new(
        r.GetInt64(SlotColumn.Id), r.GetString(SlotColumn.Sector), Rows.Instant(r, SlotColumn.Start), Rows.Instant(r, SlotColumn.End),
        r.GetString(SlotColumn.Rpps), r.GetString(SlotColumn.SiteId), Rows.Modality(r, SlotColumn.Modality), Rows.Status(r, SlotColumn.Status),
        r.IsDBNull(SlotColumn.HoldExpiresAt) ? null : Rows.Instant(r, SlotColumn.HoldExpiresAt), Optional(r, SlotColumn.HeldBy));

    private static string? Optional(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
