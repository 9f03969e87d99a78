#if !SAS_TEST_SQLSERVER // SQL Server answers searches by the statement: it has no change feed
using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Search;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// The slot index under failures: each test breaks what a failure breaks in production (a read that fails, rows pruned
/// before a node read them, a feed gone back, a reload beside searches, a database that does not answer), and the index
/// is right again at the next search — never wrong until a reload half an hour later.
/// </summary>
public class SlotIndexFaultTests(HookedIndexFactory api) : IClassFixture<HookedIndexFactory>
{
    private readonly World world = new(api);

    private IndexedSearch Index => api.Services.GetRequiredService<IndexedSearch>();

    /// <summary>A sector with a week's horizon and three slots from <paramref name="fromNow"/>, found by a first search.</summary>
    /// <summary>
    /// Moves the clock past the turn's wait, again and again, until <paramref name="done"/>: a loaded machine may arm a
    /// wait only after a first move. Paced by real time, a move every quarter of a second (<paramref name="limit"/> is a
    /// real-time guard only): moved every hundred yields instead, a loaded machine once carried the clock more than two
    /// hours on, past the test's slots; a count of yields alone ended before the waits were armed.
    /// </summary>
    private async Task MoveClockPastTheTurnWaitUntil(Func<bool> done, TimeSpan limit)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        var nextMove = TimeSpan.Zero;
        while (!done() && guard.Elapsed < limit)
        {
            await Task.Yield();
            if (guard.Elapsed < nextMove) continue;
            api.Clock.Advance(TimeSpan.FromSeconds(new SearchOptions().TurnWaitSeconds + 1));
            nextMove = guard.Elapsed + TimeSpan.FromMilliseconds(250);
        }
    }

    private async Task<(string Sector, HttpClient Regulator, long[] Slots)> Published(int count = 3, int fromNow = 2)
    {
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var slots = new long[count];
        for (var i = 0; i < count; i++) slots[i] = await world.PublishedSlot(rpps, TimeSpan.FromHours(fromNow + i), sector);
        Assert.Equal(slots, await Found(regulator, sector));
        return (sector, regulator, slots);
    }

    private static async Task<List<long>> Found(HttpClient regulator, string sector) =>
        SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}&limit=50")).Expect(HttpStatusCode.OK));

    private void Withdraw(long slot)
    {
        using var c = api.OpenDb();
        c.Execute("UPDATE slots SET status = 'withdrawn' WHERE id = @slot", new { slot });
    }

    /// <summary>
    /// The feed's next read held open, as a database that hangs would: <see cref="StartAsync"/> begins it and returns once
    /// it is under way; it stays held until released (or disposed). <see cref="ReadsBefore"/>: the feed's reads before it.
    /// </summary>
    private sealed class HeldRead : IDisposable
    {
        private readonly FaultyIndexHooks hooks;
        private readonly TaskCompletionSource gate = new();

        private HeldRead(FaultyIndexHooks hooks)
        {
            this.hooks = hooks;
            ReadsBefore = hooks.Reads.GetValueOrDefault(IndexRead.Changes);
            hooks.Gates[IndexRead.Changes] = gate.Task;
        }

        public int ReadsBefore { get; }

        public static async Task<(HeldRead Held, T Started)> StartAsync<T>(FaultyIndexHooks hooks, Func<T> start)
        {
            var held = new HeldRead(hooks);
            T started;
            try { started = start(); }
            catch
            {
                held.Release();
                throw;
            }
            // Until the read is under way (then it holds the turn): a count of yields ended first on a loaded machine.
            var guard = System.Diagnostics.Stopwatch.StartNew();
            while (hooks.Reads.GetValueOrDefault(IndexRead.Changes) == held.ReadsBefore && guard.Elapsed < TimeSpan.FromSeconds(30)) await Task.Yield();
            return (held, started);
        }

        public void Release()
        {
            hooks.Gates.Clear();
            gate.TrySetResult();
        }

        public void Dispose() => Release();
    }

    [Theory]
    [InlineData(IndexRead.Slots)]
    [InlineData(IndexRead.Changes)]
    public async Task A_catch_up_that_fails_halfway_changes_nothing_and_the_next_one_applies_it_all(IndexRead failing)
    {
        var (sector, regulator, slots) = await Published();
        Withdraw(slots[1]);
        api.Hooks.Fail(failing, times: 2); // the search and the one retry a read gets (StorageRetry)

        await (await regulator.GetAsync($"/v1/slots?sector={sector}")).ExpectProblem(HttpStatusCode.ServiceUnavailable, "storage_unavailable");

        Assert.Equal([slots[0], slots[2]], await Found(regulator, sector));
        Assert.Equal([slots[0], slots[2]], await Found(regulator, sector));
    }

    /// <summary>
    /// The GPs' text, read under the turn when a search finds a GP the node has not read yet, fails as the feed's reads
    /// do: 503 once its retry failed too, never 500 (found by the chaos run); the next search reads it.
    /// </summary>
    [Fact]
    public async Task A_failed_read_of_a_new_GPs_text_answers_503_and_the_next_search_reads_it()
    {
        var (sector, regulator, slots) = await Published();
        var newcomer = await world.Practitioner([sector]);
        var sooner = await world.PublishedSlot(newcomer, TimeSpan.FromHours(1), sector);
        api.Hooks.Fail(IndexRead.Sites, times: 2); // the search and its retry

        await (await regulator.GetAsync($"/v1/slots?sector={sector}")).ExpectProblem(HttpStatusCode.ServiceUnavailable, "storage_unavailable");

        Assert.Equal([sooner, .. slots], await Found(regulator, sector));
    }

    /// <summary>A read that fails once is run once more (StorageRetry): the search answers, and right.</summary>
    [Fact]
    public async Task A_search_whose_read_fails_once_is_answered_by_its_retry()
    {
        var (sector, regulator, slots) = await Published();
        Withdraw(slots[2]);
        api.Hooks.Fail(IndexRead.Changes);
        Assert.Equal([slots[0], slots[1]], await Found(regulator, sector));
    }

    [Fact]
    public async Task A_change_pruned_before_this_node_read_it_is_seen_all_the_same()
    {
        var (sector, regulator, slots) = await Published();
        var reloads = Index.Reloads;
        Withdraw(slots[0]);
        using (var c = api.OpenDb()) // the database's clock steps forward: the change's row is already older than the hour kept
            c.Execute($"UPDATE slot_changes SET changed_at = {(TestEngine.IsPostgres ? "now() - interval '2 hours'" : "strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 hours')")}");
        await api.PruneUntilGone("SELECT COUNT(*) FROM slot_changes WHERE slot_id = @slot", new { slot = slots[0] });

        Assert.Equal([slots[1], slots[2]], await Found(regulator, sector));
        Assert.Equal(reloads + 1, Index.Reloads);
        Assert.Equal("pruned", Index.LastReloadReason);
    }

#if !SAS_TEST_POSTGRES
    /// <summary>
    /// The file put back from an older copy (or a sequence reset): the feed's numbers are handed out again below where the
    /// node stands, and it would never read them.
    /// </summary>
    [Fact]
    public async Task A_feed_that_went_back_is_read_again_whole()
    {
        var (sector, regulator, slots) = await Published();
        using (var c = api.OpenDb())
        {
            c.Execute("DELETE FROM slot_changes");
            c.Execute("UPDATE sqlite_sequence SET seq = 0 WHERE name = 'slot_changes'");
        }
        Withdraw(slots[2]);

        Assert.Equal([slots[0], slots[1]], await Found(regulator, sector));
        Assert.Equal("went back", Index.LastReloadReason);
    }

    /// <summary>Whatever happens, the whole index is read again and compared on a schedule: here a write the feed never saw.</summary>
    [Fact]
    public async Task The_periodic_verification_finds_and_mends_what_the_feed_never_said()
    {
        var (sector, regulator, slots) = await Published(fromNow: 30);
        using (var c = api.OpenDb())
        {
            c.Execute("DROP TRIGGER slot_changes_slot_updated");
            c.Execute("UPDATE slots SET status = 'withdrawn' WHERE id = @slot", new { slot = slots[1] });
            c.Execute("CREATE TRIGGER slot_changes_slot_updated AFTER UPDATE ON slots BEGIN INSERT INTO slot_changes (slot_id) VALUES (NEW.id); END;");
        }
        Assert.Equal(slots, await Found(regulator, sector)); // the feed never said
        var mismatches = Index.Mismatches;

        api.Clock.Advance(TimeSpan.FromMinutes(1441));
        await Found(regulator, sector); // starts the verification beside the searches
        await Index.Verification;
        Assert.Equal([slots[0], slots[2]], await Found(regulator, sector));
        Assert.True(Index.Mismatches > mismatches);
    }
#endif

    /// <summary>
    /// The verification's whole read takes as long as the index is big (seconds at a million slots): it is made beside the
    /// searches, which go on being answered and up to date meanwhile, and the verified index is swapped in after it.
    /// </summary>
    [Fact]
    public async Task A_verification_reads_the_whole_index_without_holding_the_searches_back()
    {
        var (sector, regulator, slots) = await Published(fromNow: 30);
        var mismatches = Index.Mismatches;
        var held = new TaskCompletionSource();
        api.Hooks.Gates[IndexRead.Position] = held.Task; // only a whole read asks where the feed stands
        try
        {
            api.Clock.Advance(TimeSpan.FromMinutes(1441));
            Assert.Equal(slots, await Found(regulator, sector).WaitAsync(TimeSpan.FromSeconds(30)));
            Withdraw(slots[0]);
            Assert.Equal(slots[1..], await Found(regulator, sector).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.False(Index.Verification.IsCompleted, "the verification's read is still held open");
        }
        finally
        {
            api.Hooks.Gates.TryRemove(IndexRead.Position, out _);
            held.SetResult();
        }
        await Index.Verification;
        Assert.Equal("verification", Index.LastReloadReason);
        Assert.Equal(mismatches, Index.Mismatches); // what changed while it read is not a mismatch
        Withdraw(slots[1]); // the verified index, swapped in, follows the feed from where it was read
        Assert.Equal(slots[2..], await Found(regulator, sector));
    }

    [Fact]
    public async Task A_reload_builds_the_new_index_beside_the_one_searches_read_and_keeps_the_range_it_covered()
    {
        var (sector, regulator, slots) = await Published(fromNow: 30);
        var query = new SearchQuery([new SectorBound(sector, api.Clock.GetUtcNow().UtcDateTime.AddDays(7))], api.Clock.GetUtcNow().UtcDateTime,
            api.Clock.GetUtcNow().UtcDateTime, "someone", null, null, 50);
        var seenDuring = new List<int>();
        api.Hooks.BeforeSwap = () =>
        {
            seenDuring.Add(Index.FindNow(query).Count); // what a search already past its turn reads meanwhile
            return Task.CompletedTask;
        };
        try
        {
            api.Clock.Advance(TimeSpan.FromMinutes(1441)); // the periodic verification reads the whole index again
            Assert.Equal(slots, await Found(regulator, sector));
            await Index.Verification;
        }
        finally { api.Hooks.BeforeSwap = null; }
        Assert.NotEmpty(seenDuring);
        Assert.All(seenDuring, n => Assert.True(n >= slots.Length, "a search between two steps of a reload found the sector empty"));
        Assert.Equal("verification", Index.LastReloadReason);
    }

    /// <summary>
    /// Searches arriving while a read is under way wait together for the next read, which covers every range they asked
    /// for: each one's answer holds its own range's slots, and two searches cost one read, not one each.
    /// </summary>
    [Fact]
    public async Task Searches_arriving_during_a_read_share_the_next_one_over_all_their_ranges()
    {
        var (sector, regulator, slots) = await Published(count: 1);
        string rpps;
        using (var c = api.OpenDb()) rpps = c.QuerySingle<string>("SELECT rpps FROM slots WHERE id = @id", new { id = slots[0] });
        // Past what the index covers (the week's horizon and its read-ahead), and past the first's read-ahead.
        var far = await world.PublishedSlot(rpps, TimeSpan.FromHours(200), sector);
        var farther = await world.PublishedSlot(rpps, TimeSpan.FromHours(260), sector);
        var now = api.Clock.GetUtcNow().UtcDateTime;
        var (held, first) = await HeldRead.StartAsync(api.Hooks, () => Found(regulator, sector));
        using (held)
        {
            var nearer = Index.FreeSlotsAsync([rpps], now, now.AddHours(210), now, default);
            var farthest = Index.FreeSlotsAsync([rpps], now, now.AddHours(270), now, default);
            held.Release();
            Assert.Equal(slots, await first);
            Assert.Equal([slots[0], far], (await nearer).Slots.Select(s => s.Id));
            Assert.Equal([slots[0], far, farther], (await farthest).Slots.Select(s => s.Id));
            Assert.Equal(2, api.Hooks.Reads[IndexRead.Changes] - held.ReadsBefore); // the held read, then one for both
        }
    }

    /// <summary>
    /// What waits for the index's turn itself (a check, a verification, a new GP's text) gives up after
    /// <c>Search:TurnWaitSeconds</c> by the node's clock, as the searches waiting for a read do: the semaphore's own
    /// timeout ran on the real clock.
    /// </summary>
    [Fact]
    public async Task A_check_waiting_for_the_turn_gives_up_by_the_nodes_clock()
    {
        var (sector, regulator, slots) = await Published();
        var (held, hung) = await HeldRead.StartAsync(api.Hooks, () => regulator.GetAsync($"/v1/slots?sector={sector}")); // takes the turn
        using (held)
        {
            var now = api.Clock.GetUtcNow().UtcDateTime;
            var query = new SearchQuery([new SectorBound(sector, now.AddHours(24))], now, now, "check", null, null, 10);
            var store = api.Services.GetRequiredService<SearchStore>();
            var check = Index.CheckAsync(query, (c, q) => store.StatementAsync(c, q, CancellationToken.None), CancellationToken.None);
            // The clock moved again and again until the check gives up: a loaded machine may arm its wait only after a
            // first move. (A real-time guard only, shorter than the turn wait: on the real clock the check waited that long.)
            await MoveClockPastTheTurnWaitUntil(() => check.IsCompleted, TimeSpan.FromSeconds(10));
            var failed = await Assert.ThrowsAsync<Sas.Api.Infrastructure.Data.StorageUnavailableException>(() => check.WaitAsync(TimeSpan.FromSeconds(1)));
            Assert.IsType<TimeoutException>(failed.InnerException);
            held.Release();
            await hung;
        }
        Assert.Equal(slots, await Found(regulator, sector)); // the turn given up was not kept
    }

    /// <summary>
    /// A read that never ends (a database that hangs): the searches waiting for it answer 503 once they have waited
    /// <c>Search:TurnWaitSeconds</c>, not for as long as it hangs; and the index reads again once it is back.
    /// </summary>
    [Fact]
    public async Task Searches_waiting_for_a_read_that_hangs_give_up_after_the_turn_wait()
    {
        var (sector, regulator, slots) = await Published();
        var (held, waiting) = await HeldRead.StartAsync(api.Hooks, () => Enumerable.Range(0, 3).Select(_ => regulator.GetAsync($"/v1/slots?sector={sector}")).ToList());
        using (held)
        {
            Assert.DoesNotContain(waiting, w => w.IsCompleted);
            api.Clock.Advance(TimeSpan.FromSeconds(new SearchOptions().TurnWaitSeconds + 1));
            // StorageRetry tries each once more: it waits for the same hung read, and gives up at the next wait.
            await MoveClockPastTheTurnWaitUntil(() => waiting.All(w => w.IsCompleted), TimeSpan.FromSeconds(25));
            // (A real-time guard only: without the bound they would wait for the hung read for ever.)
            Assert.All(await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(30)), a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.StatusCode));
        }
        Assert.Equal(slots, await Found(regulator, sector));
    }

    /// <summary>
    /// A database that does not answer: every search that waited for the read fails with it (503), not each after taking
    /// its own turn at the same wait.
    /// </summary>
    [Fact]
    public async Task Searches_waiting_for_a_read_that_fails_fail_with_it()
    {
        var (sector, regulator, _) = await Published();
        var reads = api.Hooks.Reads.GetValueOrDefault(IndexRead.Changes);
        api.Hooks.Delays[IndexRead.Changes] = TimeSpan.FromSeconds(2);
        api.Hooks.Fail(IndexRead.Changes, times: 100);
        try
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => regulator.GetAsync($"/v1/slots?sector={sector}")));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.StatusCode));
            // The searches, then their one retry each (StorageRetry): a read or two per round, not one per search.
            Assert.True(api.Hooks.Reads[IndexRead.Changes] - reads <= 4, $"{api.Hooks.Reads[IndexRead.Changes] - reads} reads for 20 searches");
        }
        finally
        {
            api.Hooks.Delays.Clear();
            api.Hooks.Heal();
        }
        await Found(regulator, sector); // and the next search reads again
    }
}
#endif
