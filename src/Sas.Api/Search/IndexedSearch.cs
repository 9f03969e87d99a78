using System.Collections.Concurrent;
using System.Data.Common;
using Sas.Api.Infrastructure.Data;
using Sas.Domain.Slots;

namespace Sas.Api.Search;

/// <summary>
/// Searches answered from this node's <see cref="SlotIndex"/>, kept equal to the database by its change feed
/// (<c>slot_changes</c>, written by triggers on slots, GP sites and GPs). Every search starts by reading the feed
/// past the node's horizon — or waits for a read that started after it arrived, which serves every search queued
/// behind it — so a search sees every change committed before it began, on whichever node it was made: the
/// database stays the one place nodes agree on, the index only saves reading the slots again. Bookings and holds
/// still decide in the database's UPDATE, whatever a search showed.
/// </summary>
public sealed class IndexedSearch(Db db, TimeProvider clock, Infrastructure.Telemetry.SasMetrics? metrics = null) : IAsyncDisposable
{
    /// <summary>How far past the latest start searched the index reads, so the range grows a few times a day, not per search.</summary>
    public static readonly TimeSpan ReadAhead = TimeSpan.FromHours(12);

    /// <summary>Half the hour the feed keeps: a node that has not read it for longer may have lost changes, and reads all again.</summary>
    public static readonly TimeSpan MaxQuiet = TimeSpan.FromMinutes(30);

    private readonly SlotIndex index = new();
    private readonly SlotFeed feed = new(db.Dialect, db.Provider);
    private readonly SemaphoreSlim turn = new(1, 1);

    /// <summary>The GP and site text per GP, dropped when the feed names the GP.</summary>
    private readonly ConcurrentDictionary<string, GpSite[]> sites = new(StringComparer.Ordinal);

    // Catch-ups are numbered as they start; a search needs one numbered above the count when it arrived.
    private long started, completed;

    // Written under the turn; the range is read outside it by searches deciding whether they need the turn.
    private long coveredFromTicks = long.MaxValue, coveredUntilTicks = long.MinValue;
    private long horizon, lastRead;
    private bool loaded;

    /// <summary>Feed rows read at or past the horizon, by sequence, with their position: not applied twice.</summary>
    private readonly Dictionary<long, long> seen = [];

    /// <summary>SQLite: a connection of the index's own, with the feed's statement kept prepared on it.</summary>
    private DbConnection? own;
    private DbCommand? changes;

    /// <summary>GP and site text held (sites of GPs whose text this node read and no change dropped since).</summary>
    public int SitesKept => sites.Values.Sum(x => x.Length);

    /// <summary>Reads of the whole index (at start, after a long quiet, after a flood of changes): for the tests.</summary>
    public long Reloads { get; private set; }

    public async Task<IReadOnlyList<SearchRow>> SearchAsync(SearchQuery q, CancellationToken ct)
    {
        if (q.Sectors.Count == 0) return [];
        var until = q.Sectors[0].UntilUtc;
        for (var i = 1; i < q.Sectors.Count; i++) if (q.Sectors[i].UntilUtc > until) until = q.Sectors[i].UntilUtc;

        var ticket = Interlocked.Read(ref started);
        if (Interlocked.Read(ref completed) <= ticket || !Covers(q.FromUtc, until))
        {
            await turn.WaitAsync(ct);
            try
            {
                if (completed <= ticket || !Covers(q.FromUtc, until))
                {
                    var mine = Interlocked.Increment(ref started);
                    await CatchUpAsync(q.FromUtc, until);
                    Interlocked.Exchange(ref completed, mine);
                }
            }
            finally { turn.Release(); }
        }

        var found = index.Find(q.Sectors, q.FromUtc, q.NowUtc, q.CallerId, q.Modality, q.After, q.Limit);
        var rows = RowsOf(found, q.Sectors, out var missing);
        if (missing is null) return rows;
        await FillSitesAsync(missing, ct);
        // A site removed with a live slot cannot happen (the GP's write refuses it); the join dropped such a row too.
        return RowsOf(found, q.Sectors, out _);
    }

    /// <summary>The rows found with their GP and site text; the GPs whose text this node lacks are left out and named.</summary>
    private List<SearchRow> RowsOf(List<(IndexedSlot Slot, int Branch)> found, IReadOnlyList<SectorBound> sectors, out List<string>? missing)
    {
        var rows = new List<SearchRow>(found.Count);
        missing = null;
        for (var i = 0; i < found.Count; i++)
        {
            var (s, branch) = found[i];
            if (SiteOf(s) is { } site)
                rows.Add(new SearchRow(s.Id, sectors[branch].Sector, s.StartUtc, s.EndUtc, s.Modality, s.Status, s.HoldExpiresAt, site));
            else (missing ??= []).Add(s.Rpps);
        }
        return rows;
    }

    private bool Covers(DateTime from, DateTime until) =>
        from.Ticks >= Interlocked.Read(ref coveredFromTicks) && until.Ticks < Interlocked.Read(ref coveredUntilTicks);

    private GpSite? SiteOf(IndexedSlot s)
    {
        if (!sites.TryGetValue(s.Rpps, out var all)) return null;
        foreach (var site in all) if (site.SiteId == s.SiteId) return site;
        return null;
    }

    /// <summary>
    /// Under the turn, as the feed's reads are: a GP's text read here is never older than a change the feed already
    /// dropped, since that drop ran before this read or will run after it.
    /// </summary>
    private async Task FillSitesAsync(List<string> rpps, CancellationToken ct)
    {
        await turn.WaitAsync(ct);
        try
        {
            var read = await ReadAsync(c => feed.SitesAsync(c, rpps.Distinct().ToList()));
            foreach (var gp in read.GroupBy(x => x.Rpps)) sites[gp.Key] = [.. gp];
        }
        finally { turn.Release(); }
    }

    /// <summary>Applies the changes past the horizon, and reads the start times a search needs that the index lacks.</summary>
    private async Task CatchUpAsync(DateTime from, DateTime until)
    {
        if (!loaded || clock.GetElapsedTime(lastRead) > MaxQuiet)
        {
            await ReloadAsync(from, until);
            return;
        }
        var reading = clock.GetTimestamp();
        var (next, read) = await ReadAsync(ReadChangesAsync);
        if (read is null)
        {
            await ReloadAsync(from, until);
            return;
        }
        HashSet<long>? slotIds = null;
        foreach (var change in read)
        {
            if (!seen.TryAdd(change.Seq, change.Position)) continue;
            if (change.SlotId is { } id) (slotIds ??= []).Add(id);
            if (change.Rpps is { } gp) sites.TryRemove(gp, out _);
        }
        var current = slotIds is null ? null : await ReadAsync(c => feed.SlotsAsync(c, slotIds));

        // The range grows on either side to cover this search, reading ahead.
        var (coveredFrom, coveredUntil) = (new DateTime(coveredFromTicks, DateTimeKind.Utc), new DateTime(coveredUntilTicks, DateTimeKind.Utc));
        List<IndexedSlot>? before = null, after = null;
        var newFrom = from < coveredFrom ? from : coveredFrom;
        var newUntil = until >= coveredUntil ? until + ReadAhead : coveredUntil;
        if (newFrom < coveredFrom) before = await ReadAsync(c => feed.RangeAsync(c, newFrom, coveredFrom));
        if (newUntil > coveredUntil) after = await ReadAsync(c => feed.RangeAsync(c, coveredUntil, newUntil));

        if (before is not null) index.Load(before);
        if (after is not null) index.Load(after);
        if (current is not null) index.Apply(slotIds!, current, newFrom, newUntil);
        Interlocked.Exchange(ref coveredFromTicks, newFrom.Ticks);
        Interlocked.Exchange(ref coveredUntilTicks, newUntil.Ticks);
        horizon = next;
        foreach (var (seq, position) in seen) if (position < next) seen.Remove(seq);
        lastRead = reading;
        metrics?.SlotIndexChanges(slotIds?.Count ?? 0);
    }

    /// <summary>The whole index again: the horizon first, so that every change after the range's read is read again.</summary>
    private async Task ReloadAsync(DateTime from, DateTime until)
    {
        var reading = clock.GetTimestamp();
        var next = await ReadAsync(feed.HorizonAsync);
        var range = await ReadAsync(c => feed.RangeAsync(c, from, until + ReadAhead));
        index.Clear();
        sites.Clear();
        seen.Clear();
        index.Load(range);
        Interlocked.Exchange(ref coveredFromTicks, from.Ticks);
        Interlocked.Exchange(ref coveredUntilTicks, (until + ReadAhead).Ticks);
        horizon = next;
        lastRead = reading;
        loaded = true;
        Reloads++;
        metrics?.SlotIndexReload();
    }

    /// <summary>
    /// A read on the index's own SQLite connection (dropped after a failure, opened again by the next read), or on a
    /// pooled server connection. The token is not passed: a read serves every search waiting, not only the one whose
    /// client may have gone.
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read)
    {
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            await using var pooled = await db.OpenAsync();
            return await read(pooled);
        }
        own ??= await db.OpenOwnSqliteAsync(CancellationToken.None);
        try
        {
            return await read(own);
        }
        catch
        {
            await DropConnectionAsync();
            throw;
        }
    }

    /// <summary>The changes past the horizon, by the feed's command: kept with the index's own connection, made for a pooled one.</summary>
    private async Task<(long, List<SlotChange>?)> ReadChangesAsync(DbConnection c)
    {
        if (ReferenceEquals(c, own)) return await feed.ChangesAsync(changes ??= feed.ChangesCommand(c), horizon);
        await using var command = feed.ChangesCommand(c);
        return await feed.ChangesAsync(command, horizon);
    }

    private async Task DropConnectionAsync()
    {
        if (changes is not null) await changes.DisposeAsync();
        if (own is not null) await own.DisposeAsync();
        (changes, own) = (null, null);
    }

    public async ValueTask DisposeAsync()
    {
        await DropConnectionAsync();
        turn.Dispose();
    }
}
