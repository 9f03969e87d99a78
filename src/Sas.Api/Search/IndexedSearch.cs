using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.Options;
using Sas.Api.Infrastructure.Data;
using Sas.Domain.Slots;

namespace Sas.Api.Search;

/// <summary>
/// Searches answered from this node's <see cref="SlotIndex"/>, kept equal to the database by its change feed
/// (<c>slot_changes</c>, written by triggers on slots, GP sites and GPs). Every search starts by reading the feed past
/// where the node stands — or waits for a read that started after it arrived, which serves every search queued behind
/// it — so a search sees every change committed before it began, on whichever node it was made. Bookings and holds
/// still decide in the database's UPDATE, whatever a search showed.
/// <para>
/// What can go wrong is made to go right again, never to stay wrong: a catch-up applies all of what it read or none
/// of it; a read of the feed that finds rows pruned before it read them, or the feed gone back (a restart, a failover,
/// a restored file), reads the whole index again; and every <see cref="SearchOptions.VerifyMinutes"/>
/// the whole index is read again beside the searches (they do not wait for that read), then compared and swapped in. A new index is built beside the one in use and swapped in, so no search
/// sees a half-built one. A failed read fails every search that waited for it, at once, and a read waits for its turn
/// <see cref="SearchOptions.TurnWaitSeconds"/> at most.
/// </para>
/// </summary>
public sealed class IndexedSearch(
    Db db, TimeProvider clock, IOptions<SearchOptions> options, Infrastructure.Telemetry.SasMetrics? metrics = null,
    SlotIndexHooks? hooks = null, ILogger<IndexedSearch>? logger = null) : IAsyncDisposable
{
    public IndexedSearch(Db db, TimeProvider clock) : this(db, clock, Options.Create(new SearchOptions())) { }

    /// <summary>The node's index where the engine has its change feed and <c>Search:Index</c> is on; null otherwise (the statements answer).</summary>
    public static IndexedSearch? IfUsed(IServiceProvider services) =>
        SlotFeed.Supports(services.GetRequiredService<Db>().Provider) && services.GetRequiredService<IOptions<SearchOptions>>().Value.Index
            ? services.GetRequiredService<IndexedSearch>() : null;

    /// <summary>How far past the latest start searched the index reads, so the range grows a few times a day, not per search.</summary>
    public static readonly TimeSpan ReadAhead = TimeSpan.FromHours(12);

    private readonly SlotFeed feed = new(db.Dialect, db.Provider);
    private readonly SlotIndexHooks hooks = hooks ?? new SlotIndexHooks();
    private readonly SemaphoreSlim turn = new(1, 1);
    private readonly TimeSpan turnWait = TimeSpan.FromSeconds(options.Value.TurnWaitSeconds);
    private readonly TimeSpan verifyEvery = TimeSpan.FromMinutes(options.Value.VerifyMinutes);

    /// <summary>The index searches read and where it stands: replaced whole by a reload (built beside it, then swapped); changed in place by catch-ups.</summary>
    private volatile Stand current = Stand.Empty();

    /// <summary>The verification under way beside the searches, or the last one.</summary>
    public Task Verification { get; private set; } = Task.CompletedTask;

    /// <summary>The GP and site text per GP, dropped when the feed names the GP.</summary>
    private readonly ConcurrentDictionary<string, GpSite[]> sites = new(StringComparer.Ordinal);

    // Catch-ups are numbered as they start; a search needs one numbered above the count when it arrived.
    private long started, completed;

    /// <summary>
    /// A catch-up the searches wait for: over the union of the ranges they need (widened until it starts), done or failed
    /// for all of them at once.
    /// </summary>
    private sealed class PendingRead(DateTime from, DateTime until)
    {
        public DateTime From = from, Until = until;
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Guards <see cref="running"/> and <see cref="queued"/>.</summary>
    private readonly Lock reads = new();

    /// <summary>The catch-up under way, and the one that starts when it ends: every search arriving meanwhile waits for that one.</summary>
    private PendingRead? running, queued;

    private long lastVerified;
    private bool reloadNeeded = true;

    /// <summary>When the last read of the feed ended well, by the node's clock: the follower reads when none did for a while.</summary>
    private long lastRead;

    /// <summary>How long since the feed was last read to its end (since the start when never).</summary>
    public TimeSpan SinceLastRead => clock.GetElapsedTime(Interlocked.Read(ref lastRead));

    /// <summary>SQLite: a connection of the index's own, with the feed's statement kept prepared on it.</summary>
    private DbConnection? own;
    private DbCommand? changes;

    /// <summary>GP and site text held (sites of GPs whose text this node read and no change dropped since).</summary>
    public int SitesKept => sites.Values.Sum(x => x.Length);

    /// <summary>Reads of the whole index (at start, after a gap, a long quiet, a flood of changes, a mismatch, a verification).</summary>
    public long Reloads => Interlocked.Read(ref reloads);
    private long reloads;

    /// <summary>The whole reads since start, by their reason (start, asked, verification, pruned, many changes…).</summary>
    public IReadOnlyDictionary<string, long> ReloadsByReason => reloadReasons;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> reloadReasons = new(StringComparer.Ordinal);

    /// <summary>Slots a verification or a check found held wrongly, since the start: for the tests.</summary>
    public long Mismatches => Interlocked.Read(ref mismatches);
    private long mismatches;

    /// <summary>Why the last reload happened: for the tests and the logs.</summary>
    public string? LastReloadReason { get; private set; }

    public async Task<IReadOnlyList<SearchRow>> SearchAsync(SearchQuery q, CancellationToken ct)
    {
        if (q.Sectors.Count == 0) return [];
        var until = Until(q);
        await UpToDateAsync(q.FromUtc, until, ct);
        var found = current.Index.Find(q.Sectors, q.FromUtc, q.NowUtc, q.CallerId, q.Modality, q.After, q.Limit, q.Only);
        var rows = RowsOf(found, q.Sectors, out var missing);
        if (missing is null) return rows;
        await FillSitesAsync(missing, ct);
        // A site removed with a live slot cannot happen (the GP's write refuses it); the join dropped such a row too.
        return RowsOf(found, q.Sectors, out _);
    }

    /// <summary>
    /// A catch-up no search asked for, over the range the index already covers: what changed since the last read, read
    /// now rather than by the next search (<see cref="SlotIndexFollower"/>). Nothing before the index's first whole read.
    /// </summary>
    public Task FollowFeedAsync(CancellationToken ct)
    {
        var s = current;
        return s.Position is null ? Task.CompletedTask : UpToDateAsync(s.From, s.From, ct);
    }

    private static DateTime Until(SearchQuery q)
    {
        var until = q.Sectors[0].UntilUtc;
        for (var i = 1; i < q.Sectors.Count; i++) if (q.Sectors[i].UntilUtc > until) until = q.Sectors[i].UntilUtc;
        return until;
    }

    /// <summary>
    /// A catch-up that started after this search arrived, this one's or another's; its failure is this search's too.
    /// The searches arriving during a read wait together for the next one, on one task: taking the turn one after the
    /// other, each only to find the read done, handed the turn from waiter to waiter through the thread pool, and each
    /// wait armed a timer and a cancellation promise (docs/benchmarks.md). The read's own wait for the turn is bounded.
    /// </summary>
    public Task UpToDateAsync(DateTime from, DateTime until, CancellationToken ct)
    {
        var ticket = Interlocked.Read(ref started);
        if (Interlocked.Read(ref completed) > ticket && Covers(from, until)) return Task.CompletedTask;
        PendingRead wait;
        var starts = false;
        lock (reads)
        {
            if (running is null) (wait, starts) = (running = new PendingRead(from, until), true);
            else
            {
                wait = queued ??= new PendingRead(from, until);
                if (from < wait.From) wait.From = from;
                if (until > wait.Until) wait.Until = until;
            }
        }
        if (starts) _ = ReadAsync(wait);
        return wait.Done.Task.IsCompleted ? wait.Done.Task : WaitForAsync(wait.Done.Task, ct);
    }

    /// <summary>
    /// A search's wait for its read, and a read's for the turn: <see cref="SearchOptions.TurnWaitSeconds"/> at most, by
    /// the node's clock.
    /// </summary>
    private async Task WaitForAsync(Task waited, CancellationToken ct)
    {
        try { await waited.WaitAsync(turnWait, clock, ct); }
        catch (TimeoutException) { throw TurnTimedOut(); }
    }

    private StorageUnavailableException TurnTimedOut() =>
        new(new TimeoutException($"the slot index's read did not end within {turnWait.TotalSeconds:0} s"));

    /// <summary>
    /// One read, in turn; then the read queued meanwhile starts (on another thread: not in this search's time), or, when
    /// this one failed, fails with it: the database failing now, the searches behind it fail together (their retry reads again).
    /// </summary>
    private async Task ReadAsync(PendingRead read)
    {
        DateTime from, until;
        lock (reads) (from, until) = (read.From, read.Until); // running now: no search widens it any more
        Exception? error = null;
        try
        {
            await TakeTurnAsync(CancellationToken.None);
            try
            {
                var mine = Interlocked.Increment(ref started);
                await WithReaderAsync(c => CatchUpAsync(c, from, until));
                Interlocked.Exchange(ref completed, mine);
                Interlocked.Exchange(ref lastRead, clock.GetTimestamp());
            }
            finally { turn.Release(); }
        }
        catch (Exception e)
        {
            error = ReadFailed(e) ? new StorageUnavailableException(e) : e;
        }
        PendingRead? behind;
        lock (reads) (behind, queued, running) = (queued, null, error is null ? queued : null);
        if (error is null) read.Done.SetResult();
        else read.Done.SetException(error);
        if (behind is null) return;
        if (error is null) _ = Task.Run(() => ReadAsync(behind));
        else behind.Done.SetException(error);
    }

    /// <summary>
    /// The index's turn, waited for <c>Search:TurnWaitSeconds</c> at most by the node's clock (the semaphore's own timeout
    /// runs on the real one). A wait given up leaves the semaphore's wait behind: the turn it takes later is handed back.
    /// </summary>
    private async Task TakeTurnAsync(CancellationToken ct)
    {
        if (turn.Wait(0)) return;
        var waiting = turn.WaitAsync(ct);
        try { await WaitForAsync(waiting, ct); }
        catch
        {
            _ = waiting.ContinueWith(static (w, semaphore) =>
            {
                if (!w.IsCompletedSuccessfully) return;
                try { ((SemaphoreSlim)semaphore!).Release(); } catch (ObjectDisposedException) { } // the node stopped meanwhile
            }, turn, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
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

    private bool Covers(DateTime from, DateTime until) => current.Covers(from, until);

    private GpSite? SiteOf(IndexedSlot s)
    {
        if (!sites.TryGetValue(s.Rpps, out var all)) return null;
        foreach (var site in all) if (site.SiteId == s.SiteId) return site;
        return null;
    }

    /// <summary>
    /// Under the turn, as the feed's reads are: a GP's text read here is never older than a change the feed already
    /// dropped. The GPs still missing once the turn is taken (another search may have read them meanwhile) only.
    /// </summary>
    private async Task FillSitesAsync(List<string> rpps, CancellationToken ct)
    {
        await TakeTurnAsync(ct);
        try
        {
            var still = rpps.Distinct().Where(gp => !sites.ContainsKey(gp)).ToList();
            if (still.Count == 0) return;
            var read = await WithReaderAsync(async c =>
            {
                await hooks.BeforeReadAsync(IndexRead.Sites);
                return await feed.SitesAsync(c, still);
            });
            foreach (var gp in read.GroupBy(x => x.Rpps)) sites[gp.Key] = [.. gp];
        }
        catch (Exception e) when (ReadFailed(e)) { throw new StorageUnavailableException(e); }
        finally { turn.Release(); }
    }

    /// <summary>
    /// Under the turn: brings the index in use up to date and covering [from, until), reading it whole when it was never
    /// read, a check asked for it, or the feed has a gap; and starts the periodic verification when it is due.
    /// </summary>
    private async Task CatchUpAsync(DbConnection c, DateTime from, DateTime until)
    {
        var s = current;
        if (s.Position is null || reloadNeeded)
        {
            await ReloadAsync(c, from, until, s.Position is null ? "start" : "asked");
            return;
        }
        var (changed, gap) = await FollowAsync(c, s, from, until);
        if (gap is not null)
        {
            await ReloadAsync(c, from, until, gap);
            return;
        }
        metrics?.SlotIndexChanges(changed.Count);
        if (clock.GetElapsedTime(lastVerified) > verifyEvery && Verification.IsCompleted)
        {
            var (unionFrom, unionUntil) = Union(from, until);
            var reading = clock.GetTimestamp();
            Verification = Task.Run(() => VerifyAsync(reading, unionFrom, unionUntil));
        }
    }

    /// <summary>
    /// Applies to a stand what the feed says past its position, and makes it cover [from, until) (reading ahead): the
    /// slots the changes named, or the gap that makes its position useless. Every read first, then every change: a read
    /// that fails, or a gap, leaves the stand as it was, so the next catch-up reads it all again.
    /// </summary>
    private async Task<(HashSet<long> Changed, string? Gap)> FollowAsync(DbConnection c, Stand s, DateTime from, DateTime until)
    {
        await hooks.BeforeReadAsync(IndexRead.Changes);
        var read = await ReadChangesAsync(c, s.Position!);
        var gap = read.Changes is null ? "many changes" : SlotFeed.Gap(s.Position!, read);
        if (gap is not null) return ([], gap);
        var fresh = read.Changes!.Where(ch => !s.Seen.ContainsKey(ch.Seq)).ToList();
        var slotIds = new HashSet<long>();
        foreach (var change in fresh) slotIds.UnionWith(change.SlotIds);
        Dictionary<long, IndexedSlot>? now = null;
        if (slotIds.Count > 0)
        {
            await hooks.BeforeReadAsync(IndexRead.Slots);
            now = await feed.SlotsAsync(c, slotIds);
        }

        // The range grows on either side to cover this search, reading ahead.
        var (coveredFrom, coveredUntil) = (s.From, s.Until);
        List<IndexedSlot>? before = null, after = null;
        var newFrom = from < coveredFrom ? from : coveredFrom;
        var newUntil = until >= coveredUntil ? until + ReadAhead : coveredUntil;
        if (newFrom < coveredFrom || newUntil > coveredUntil) await hooks.BeforeReadAsync(IndexRead.Range);
        if (newFrom < coveredFrom) before = await feed.RangeAsync(c, newFrom, coveredFrom);
        if (newUntil > coveredUntil) after = await feed.RangeAsync(c, coveredUntil, newUntil);

        // The GPs the changes named, and those of slots read whose profession the index does not know yet.
        var gps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in fresh) if (change.Rpps is { } named) gps.Add(named);
        foreach (var slot in (now?.Values.AsEnumerable() ?? []).Concat(before ?? []).Concat(after ?? [])) if (!s.Index.KnowsKind(slot.Rpps)) gps.Add(slot.Rpps);
        Dictionary<string, (string, string?)>? kinds = null;
        if (gps.Count > 0)
        {
            await hooks.BeforeReadAsync(IndexRead.Professions);
            kinds = await feed.KindsAsync(c, gps);
        }

        // Every read done: now the changes, all of them.
        if (kinds is not null) s.Index.SetKinds(gps, kinds);
        if (before is not null) s.Index.Load(before);
        if (after is not null) s.Index.Load(after);
        if (now is not null) s.Index.Apply(slotIds, now, newFrom, newUntil);
        foreach (var change in fresh)
        {
            s.Seen[change.Seq] = change.Position;
            if (change.Rpps is { } gp) sites.TryRemove(gp, out _);
        }
        s.Cover(newFrom, newUntil);
        s.Position = read.Position;
        var low = read.Position.LowWater;
        foreach (var (seq, at) in s.Seen) if (at < low) s.Seen.Remove(seq);
        return (slotIds, null);
    }

    /// <summary>The range a whole read covers: what the index in use covered, and what this search needs.</summary>
    private (DateTime From, DateTime Until) Union(DateTime from, DateTime until)
    {
        var s = current;
        var loaded = s.Position is not null;
        return (loaded && s.From < from ? s.From : from, loaded && s.Until > until + ReadAhead ? s.Until : until + ReadAhead);
    }

    /// <summary>Under the turn: the whole index again, over the union of what it covered and what this search needs.</summary>
    private async Task ReloadAsync(DbConnection c, DateTime from, DateTime until, string why)
    {
        var reading = clock.GetTimestamp();
        var (unionFrom, unionUntil) = Union(from, until);
        await SwapAsync(await ReadWholeAsync(c, unionFrom, unionUntil), why, reading);
    }

    /// <summary>
    /// A new index of the range, built apart: where the feed stands first, so that every change after the range's read
    /// is read again by the next catch-up.
    /// </summary>
    private async Task<Stand> ReadWholeAsync(DbConnection c, DateTime from, DateTime until)
    {
        await hooks.BeforeReadAsync(IndexRead.Position);
        var at = await feed.PositionAsync(c);
        await hooks.BeforeReadAsync(IndexRead.Professions);
        var kinds = await feed.KindsAsync(c, null);
        await hooks.BeforeReadAsync(IndexRead.Range);
        return new Stand(SlotIndex.Build(await feed.RangeAsync(c, from, until), kinds), at, from, until);
    }

    /// <summary>Under the turn: the new index in place of the one in use, for the searches after this one.</summary>
    private async Task SwapAsync(Stand fresh, string why, long reading)
    {
        await hooks.BeforeSwapAsync();
        var wasLoaded = current.Position is not null;
        current = fresh;
        sites.Clear();
        lastVerified = reading;
        reloadNeeded = false;
        LastReloadReason = why;
        Interlocked.Increment(ref reloads);
        reloadReasons.AddOrUpdate(why, 1, (_, n) => n + 1);
        metrics?.SlotIndexReload();
        if (wasLoaded && why != "verification") logger?.LogInformation("The slot index was read again whole ({Reason})", why);
    }

    /// <summary>
    /// The periodic verification, beside the searches: the whole range is read on a connection of its own without the
    /// turn (seconds at a million slots, which searches would otherwise wait for). Then, under the turn, the index in use
    /// and the one read are both brought to the feed's end, compared on the slots no change named since the read (what
    /// differs there, the feed never said: logged, counted), and the one read is swapped in. A failure, a gap or a busy
    /// turn leaves the index in use as it was; the next search starts the verification again.
    /// </summary>
    private async Task VerifyAsync(long reading, DateTime from, DateTime until)
    {
        try
        {
            Stand fresh;
            await using (var c = await db.OpenAsync()) fresh = await ReadWholeAsync(c, from, until);
            await TakeTurnAsync(CancellationToken.None); // a busy turn: logged below, the next search starts it again
            try
            {
                await WithReaderAsync(async c =>
                {
                    var s = current;
                    // Each followed to the end without growing: until is inside the range the index in use covers.
                    var last = s.Until.AddTicks(-1);
                    if ((await FollowAsync(c, s, s.From, last)).Gap is { } gap)
                    {
                        await ReloadAsync(c, s.From, last, gap);
                        return;
                    }
                    var (changed, freshGap) = await FollowAsync(c, fresh, s.From, last);
                    if (freshGap is not null) return;
                    var differ = s.Index.Differences(fresh.Index, s.From, s.Until).Where(id => !changed.Contains(id)).ToList();
                    if (differ.Count > 0) Mismatched(differ, "verification");
                    await SwapAsync(fresh, "verification", reading);
                });
            }
            finally { turn.Release(); }
        }
        catch (Exception e) when (ReadFailed(e) || e is StorageUnavailableException)
        {
            logger?.LogWarning("The slot index's verification could not run: {Reason}", e.Message);
        }
    }

    private void Mismatched(List<long> slotIds, string by)
    {
        Interlocked.Add(ref mismatches, slotIds.Count);
        metrics?.SlotIndexMismatches(slotIds.Count, by);
        logger?.LogWarning("The slot index held {Count} slots differently from the database ({By}): {SlotIds}", slotIds.Count, by, string.Join(", ", slotIds.Take(50)));
    }

    /// <summary>
    /// The check of one search against the statement, in one snapshot of the database: the index is brought up to that
    /// snapshot, both answer, and the pages must be the same. A difference is logged and counted, and the index read again.
    /// </summary>
    public Task<bool> CheckAsync(SearchQuery q, Func<DbConnection, SearchQuery, Task<IReadOnlyList<SearchRow>>> statement, CancellationToken ct) =>
        CheckAsync(q.FromUtc, Until(q), async c => Describe(await statement(c, q)), async c =>
        {
            var found = current.Index.Find(q.Sectors, q.FromUtc, q.NowUtc, q.CallerId, q.Modality, q.After, q.Limit, q.Only);
            await FillSitesAsync(c, found.Select(f => f.Slot.Rpps));
            return Describe(RowsOf(found, q.Sectors, out _));
        }, ct);

    /// <summary>The same check for the FHIR query's free slots of some GPs.</summary>
    public Task<bool> CheckFreeSlotsAsync(IReadOnlyList<string> rpps, DateTime from, DateTime to, DateTime now,
        Func<DbConnection, Task<(IReadOnlyList<Fhir.FhirSlotRow> Slots, IReadOnlyList<Fhir.FhirPracticeRow> Practices)>> statement, CancellationToken ct) =>
        CheckAsync(from, to, async c => Describe(await statement(c)), async c =>
        {
            var found = current.Index.FindFree(rpps, from, to, now);
            await FillSitesAsync(c, found.Select(f => f.Rpps));
            return Describe(FreeSlotsOf(found));
        }, ct);

    /// <summary>The reload after which an answer was last checked.</summary>
    private long checkedAfterReload;

    /// <summary>
    /// Checks an answer just given against the statement, in the background (the caller is answered already): the first
    /// after each reload (<see cref="SearchOptions.CheckAfterReload"/>), and a share of the others (<see cref="SearchOptions.ShadowShare"/>).
    /// </summary>
    public void Sample(Func<CancellationToken, Task<bool>> check)
    {
        var after = options.Value.CheckAfterReload && Interlocked.Exchange(ref checkedAfterReload, Reloads) != Reloads;
        if (!after && Random.Shared.NextDouble() >= options.Value.ShadowShare) return;
        _ = Task.Run(async () =>
        {
            try { await check(CancellationToken.None); }
            catch (StorageUnavailableException e) { logger?.LogDebug("A check of the slot index could not run: {Reason}", e.InnerException?.Message); }
        });
    }

    /// <summary>The pages compared, as text, each line starting with its slot's id.</summary>
    private async Task<bool> CheckAsync(DateTime from, DateTime until, Func<DbConnection, Task<List<string>>> statement, Func<DbConnection, Task<List<string>>> fromIndex, CancellationToken ct)
    {
        await TakeTurnAsync(ct);
        try
        {
            return await WithReaderAsync(async c =>
            {
                await ExecuteAsync(c, db.Provider == DatabaseProvider.PostgreSql ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN");
                try
                {
                    // Not counted as a catch-up for the searches waiting: its snapshot may be older than their arrival.
                    await CatchUpAsync(c, from, until);
                    var expected = await statement(c);
                    var actual = await fromIndex(c);
                    var differ = expected.Except(actual).Concat(actual.Except(expected))
                        .Select(d => long.Parse(d[..d.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
                    if (differ.Count == 0) return true;
                    Mismatched(differ, "check");
                    reloadNeeded = true;
                    return false;
                }
                finally
                {
                    if (c.State == System.Data.ConnectionState.Open) await ExecuteAsync(c, "ROLLBACK");
                }
            });
        }
        catch (Exception e) when (ReadFailed(e))
        {
            throw new StorageUnavailableException(e); // the database, not the index, failed the check
        }
        finally { turn.Release(); }
    }

    /// <summary>Under the turn, on the caller's connection: the GP and site text this node lacks for these GPs.</summary>
    private async Task FillSitesAsync(DbConnection c, IEnumerable<string> rpps)
    {
        var missing = rpps.Where(gp => !sites.ContainsKey(gp)).Distinct().ToList();
        if (missing.Count == 0) return;
        await hooks.BeforeReadAsync(IndexRead.Sites);
        foreach (var gp in (await feed.SitesAsync(c, missing)).GroupBy(x => x.Rpps)) sites[gp.Key] = [.. gp];
    }

    /// <summary>
    /// The FHIR query from the index: the free slots of these GPs starting in [<paramref name="from"/>, <paramref name="to"/>],
    /// soonest first, and the GPs with their sites, as <see cref="Fhir.FhirSlotStore"/>'s statements answer them.
    /// </summary>
    public async Task<(IReadOnlyList<Fhir.FhirSlotRow> Slots, IReadOnlyList<Fhir.FhirPracticeRow> Practices)> FreeSlotsAsync(
        IReadOnlyList<string> rpps, DateTime from, DateTime to, DateTime now, CancellationToken ct)
    {
        await UpToDateAsync(from, to, ct);
        var found = current.Index.FindFree(rpps, from, to, now);
        if (found.Count == 0) return ([], []);
        if (found.Any(f => !sites.ContainsKey(f.Rpps))) await FillSitesAsync(found.Select(f => f.Rpps).Distinct().ToList(), ct);
        return FreeSlotsOf(found);
    }

    private (IReadOnlyList<Fhir.FhirSlotRow> Slots, IReadOnlyList<Fhir.FhirPracticeRow> Practices) FreeSlotsOf(List<IndexedSlot> found)
    {
        var slots = new List<Fhir.FhirSlotRow>(found.Count);
        var practices = new List<Fhir.FhirPracticeRow>();
        var gps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in found)
        {
            if (!sites.TryGetValue(s.Rpps, out var of)) continue; // a GP deleted meanwhile: the statement's join drops it too
            slots.Add(new Fhir.FhirSlotRow(s.Id, s.Rpps, s.Sector, s.SiteId, s.StartUtc, s.EndUtc, s.Modality.ToText()));
            if (gps.Add(s.Rpps))
                foreach (var site in of)
                    practices.Add(new Fhir.FhirPracticeRow(site.Rpps, site.FirstName, site.LastName, site.Profession, site.SiteId, site.SiteName, site.SiteAddress,
                        site.SiteCommune, site.PostalCode, site.StructureId, site.BookingUrl, site.Specialty));
        }
        return (slots, practices);
    }

    /// <summary>An FHIR answer's rows as text to compare: every field, the GPs' sites with each slot.</summary>
    private static List<string> Describe((IReadOnlyList<Fhir.FhirSlotRow> Slots, IReadOnlyList<Fhir.FhirPracticeRow> Practices) answer)
    {
        var sitesOf = answer.Practices.GroupBy(p => p.Rpps).ToDictionary(g => g.Key, g => string.Join(';', g.OrderBy(p => p.SiteId, StringComparer.Ordinal)
            .Select(p => $"{p.SiteId}|{p.FirstName}|{p.LastName}|{p.Profession}|{p.Specialty}|{p.SiteName}|{p.SiteAddress}|{p.SiteCommune}|{p.SitePostalCode}|{p.SiteStructureId}|{p.SiteBookingUrl}")));
        return [.. answer.Slots.Select(r => $"{r.Id} {r.Rpps} {r.SectorCode} {r.SiteId} {r.StartUtc:O} {r.EndUtc:O} {r.Modality} {sitesOf.GetValueOrDefault(r.Rpps)}")];
    }

    /// <summary>The current index's answer, without reading the feed: for the tests, between a reload's steps.</summary>
    internal List<(IndexedSlot Slot, int Branch)> FindNow(SearchQuery q) =>
        current.Index.Find(q.Sectors, q.FromUtc, q.NowUtc, q.CallerId, q.Modality, q.After, q.Limit, q.Only);

    /// <summary>A page as text to compare: every field a search answers.</summary>
    public static List<string> Describe(IReadOnlyList<SearchRow> rows) =>
        [.. rows.Select(r => $"{r.Id} {r.SectorCode} {r.StartUtc:O} {r.EndUtc:O} {r.Modality} {r.Status} {r.HoldExpiresAt:O} {r.GpSite.Rpps} {r.GpSite.SiteId} {r.GpSite.LastName} {r.GpSite.FirstName} {r.GpSite.Profession} {r.GpSite.Specialty} {r.GpSite.SiteName} {r.GpSite.SiteAddress}")];

    private static async Task ExecuteAsync(DbConnection c, string sql)
    {
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The reads of one catch-up on one connection: the index's own SQLite connection (dropped after a failure, opened
    /// again by the next read), or one pooled server connection. The caller's token is not passed: a read serves every
    /// search waiting, not only the one whose client may have gone.
    /// </summary>
    private async Task<T> WithReaderAsync<T>(Func<DbConnection, Task<T>> work)
    {
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            await using var pooled = await db.OpenAsync();
            return await work(pooled);
        }
        try
        {
            own ??= await db.OpenOwnSqliteAsync(CancellationToken.None);
            return await work(own);
        }
        catch
        {
            await DropConnectionAsync();
            throw;
        }
    }

    private async Task WithReaderAsync(Func<DbConnection, Task> work) => await WithReaderAsync(async c => { await work(c); return 0; });

    /// <summary>The changes past the position, by the feed's command: kept with the index's own connection, made for a pooled one.</summary>
    private async Task<FeedRead> ReadChangesAsync(DbConnection c, FeedPosition since)
    {
        if (ReferenceEquals(c, own)) return await feed.ChangesAsync(changes ??= feed.ChangesCommand(c), since);
        await using var command = feed.ChangesCommand(c);
        return await feed.ChangesAsync(command, since);
    }

    /// <summary>
    /// What a read of the database throws when the database, not the index, failed: the driver's errors, a connection
    /// reset or closed under it, a timeout. Every read of the index answers these as the storage being unavailable (503).
    /// </summary>
    private static bool ReadFailed(Exception e) => e is DbException or IOException or TimeoutException or InvalidOperationException;

    private async Task DropConnectionAsync()
    {
        if (changes is not null) await changes.DisposeAsync();
        if (own is not null) await own.DisposeAsync();
        (changes, own) = (null, null);
    }

    public async ValueTask DisposeAsync()
    {
        await Verification; // it catches what it can meet
        await DropConnectionAsync();
        turn.Dispose();
    }

    /// <summary>An index and where it stands in the feed: the one searches read, or one a verification builds beside it.</summary>
    private sealed class Stand(SlotIndex index, FeedPosition? position, DateTime from, DateTime until)
    {
        public static Stand Empty() => new(new SlotIndex(), null, DateTime.MaxValue, DateTime.MinValue);

        public SlotIndex Index { get; } = index;

        /// <summary>Where the feed was read to: written under the turn.</summary>
        public FeedPosition? Position { get; set; } = position;

        /// <summary>Feed rows already applied, by sequence, with their position: rows read again are not applied twice.</summary>
        public Dictionary<long, long> Seen { get; } = [];

        // Written under the turn; read outside it by searches deciding whether they need the turn.
        private long fromTicks = from.Ticks, untilTicks = until.Ticks;

        public DateTime From => new(Interlocked.Read(ref fromTicks), DateTimeKind.Utc);
        public DateTime Until => new(Interlocked.Read(ref untilTicks), DateTimeKind.Utc);

        public bool Covers(DateTime from, DateTime until) => from.Ticks >= Interlocked.Read(ref fromTicks) && until.Ticks < Interlocked.Read(ref untilTicks);

        public void Cover(DateTime from, DateTime until)
        {
            Interlocked.Exchange(ref fromTicks, from.Ticks);
            Interlocked.Exchange(ref untilTicks, until.Ticks);
        }
    }
}
