#if !SAS_TEST_SQLSERVER // SQL Server answers searches by the statement: it has no change feed
using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Search;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// A node nobody searches keeps its slot index following the feed (<see cref="SlotIndexFollower"/>): its next search
/// finds the changes read already, instead of reading all of a quiet spell's changes while the regulator waits.
/// </summary>
public class SlotIndexFollowerTests(SlotIndexFollowerTests.Host api) : IClassFixture<SlotIndexFollowerTests.Host>
{
    public sealed class Host : HookedIndexFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [.. base.Settings, new("Search:FollowSeconds", "1")];
    }

    private readonly World world = new(api);

    [Fact]
    public async Task A_quiet_node_reads_its_feed_itself_and_a_failed_read_does_not_stop_it()
    {
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        long[] slots = [await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector), await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector)];
        Assert.Equal(slots, await Found(regulator, sector));

        // Withdrawn behind the API's back, with no search after it: only the feed says so.
        using (var c = api.OpenDb()) c.Execute("UPDATE slots SET status = 'withdrawn' WHERE id = @slot", new { slot = slots[0] });

        // The first read the follower makes fails (a connection reset: nobody else reads here); a later period reads
        // again. (Whether the failed one applied nothing is SlotIndexFaultTests' concern: here ticks may run together.)
        var changesRead = api.Hooks.Reads.GetValueOrDefault(IndexRead.Changes);
        var slotsRead = api.Hooks.Reads.GetValueOrDefault(IndexRead.Slots);
        api.Hooks.Fail(IndexRead.Changes);
        await AdvanceUntil(() => api.Hooks.Reads.GetValueOrDefault(IndexRead.Slots) > slotsRead);
        Assert.True(api.Hooks.Reads.GetValueOrDefault(IndexRead.Changes) >= changesRead + 2, "the failed read, then the one that read the slot");

        // The withdrawn slot was read by the follower: the search finds nothing new to read, and does not show it.
        var index = api.Services.GetRequiredService<IndexedSearch>();
        await Until(() => index.SinceLastRead == TimeSpan.Zero); // that read ended (the clock stands still now)
        var readBeforeSearch = api.Hooks.Reads.GetValueOrDefault(IndexRead.Slots);
        Assert.Equal([slots[1]], await Found(regulator, sector));
        Assert.Equal(readBeforeSearch, api.Hooks.Reads.GetValueOrDefault(IndexRead.Slots));
    }

    /// <summary>Moves the clock a period at a time, paced by real time (the follower runs on the thread pool), until <paramref name="done"/>.</summary>
    private Task AdvanceUntil(Func<bool> done) => Until(done, () => api.Clock.Advance(TimeSpan.FromSeconds(1)));

    /// <summary>Waits for the follower's work on the thread pool, a real-time guard only: the clock moves by <paramref name="step"/>, if given.</summary>
    private static async Task Until(Func<bool> done, Action? step = null)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(guard.Elapsed < TimeSpan.FromSeconds(30), "the follower did not read the feed");
            step?.Invoke();
            await Task.Delay(50);
        }
    }

    private static async Task<List<long>> Found(HttpClient regulator, string sector) =>
        SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}&limit=50")).Expect(HttpStatusCode.OK));
}
#endif
