#if !SAS_TEST_SQLSERVER // SQL Server answers searches by the statement: it has no change feed (docs/benchmarks.md)
using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Search;
using Sas.Api.Tests.Support;
using Sas.Domain.Slots;

namespace Sas.Api.Tests;

/// <summary>
/// The node's slot index answers searches; these show it stays equal to the database whoever writes there, and that it
/// answers what the search statement answers. Its own host: the tests move the clock by days.
/// </summary>
public class SlotIndexTests(SlotIndexTests.Host api) : IClassFixture<SlotIndexTests.Host>
{
    public sealed class Host : SasApiFactory
    {
        // The periodic verification reads the index again: these tests count the reads the feed itself asks for.
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Search:VerifyMinutes", "10080")];
    }

    private readonly World world = new(api);

    private static List<long> Ids(System.Text.Json.JsonElement page) => SearchTests.Ids(page);

    private IndexedSearch Index => api.Services.GetRequiredService<IndexedSearch>();

    [Fact]
    public async Task Slots_written_in_the_database_by_another_writer_show_in_the_next_search()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var kept = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var withdrawn = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var moved = await world.PublishedSlot(rpps, TimeSpan.FromHours(4), sector);
        Assert.Equal([kept, withdrawn, moved], Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));

        // Another process (a second node on the file, a maintenance script) writes: no request of this node saw it.
        using (var c = api.OpenDb())
        {
            var now = api.Clock.GetUtcNow().UtcDateTime;
            c.Execute("UPDATE slots SET status = 'withdrawn' WHERE id = @withdrawn", new { withdrawn });
            c.Execute("UPDATE slots SET start_utc = @start, end_utc = @end WHERE id = @moved", new { moved, start = now.AddHours(1), end = now.AddHours(1).AddMinutes(20) });
            c.Execute("""
                INSERT INTO slots (rpps, sector_code, site_id, start_utc, end_utc, modality, status, created_at, updated_at)
                VALUES (@rpps, @sector, 'cab', @start, @end, 'in_person', 'available', @now, @now)
                """, new { rpps, sector, start = now.AddHours(5), end = now.AddHours(5).AddMinutes(20), now });
        }
        var added = api.Count("SELECT MAX(id) FROM slots");
        Assert.Equal([moved, kept, added], Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task Parallel_searches_never_show_a_slot_booked_before_they_began()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slots = new List<long>();
        for (var i = 0; i < 24; i++) slots.Add(await world.PublishedSlot(rpps, TimeSpan.FromMinutes(60 + 25 * i), sector));
        var regulators = new[] { await world.ClientFor("regulator", sector), await world.ClientFor("regulator", sector), await world.ClientFor("regulator", sector) };

        // Six regulators at once, each booking a slot then searching: its own booking, and every one answered before,
        // is gone from its search, while the others' searches run through the same index.
        var booked = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Parallel.ForEachAsync(slots.Select((id, i) => (id, i)), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (x, ct) =>
        {
            var client = regulators[x.i % 3];
            await (await client.Book(BookingRequests.Body(x.id))).Expect(HttpStatusCode.Created);
            var before = booked.ToArray();
            booked.Add(x.id);
            var found = Ids(await (await client.GetAsync($"/v1/slots?sector={sector}&limit=100")).Expect(HttpStatusCode.OK));
            Assert.DoesNotContain(x.id, found);
            Assert.Empty(found.Intersect(before));
        });
        Assert.Empty(Ids(await (await regulators[0].GetAsync($"/v1/slots?sector={sector}&limit=100")).Expect(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task A_search_past_the_range_read_reads_the_next_start_times_and_finds_slots_published_there_meanwhile()
    {
        var sector = await world.Sector(horizon: 24);
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var near = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        Assert.Equal([near], Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));

        // Published far past what the index covers (24 h and 12 read ahead): the feed names it, the index leaves it out...
        var far = await world.PublishedSlot(rpps, TimeSpan.FromHours(60), sector);
        Assert.Equal([near], Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        // ...and reads it with its start time, once a search reaches it. The clock moves by less than the quiet that
        // reads the whole index again, with a search each time, as on a node in use.
        var found = new List<long>();
        var reloads = Index.Reloads;
        for (var step = 0; step < 40 * 3 && !found.Contains(far); step++)
        {
            api.Clock.Advance(TimeSpan.FromMinutes(20));
            found = Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK));
        }
        Assert.Equal([far], found);
        Assert.Equal(reloads, Index.Reloads); // read by growing the range, not by reading all again
    }

    /// <summary>
    /// A node quiet for hours reads only the changes it had not read: the feed says when rows it needed were pruned
    /// (SlotIndexFaultTests), so time alone is no reason to read everything again.
    /// </summary>
    [Fact]
    public async Task A_quiet_node_reads_the_changes_it_missed_without_reading_everything_again()
    {
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(30), sector);
        Assert.Equal([slot], Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        var reloads = Index.Reloads;

        api.Clock.Advance(TimeSpan.FromHours(3));
        using (var c = api.OpenDb()) c.Execute("UPDATE slots SET status = 'withdrawn' WHERE id = @slot", new { slot });
        Assert.Empty(Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        Assert.Equal(reloads, Index.Reloads);
    }

    [Fact]
    public async Task The_expiry_job_prunes_the_feed_rows_older_than_an_hour_only()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var (oldest, newest) = (api.Count("SELECT MIN(seq) FROM slot_changes"), api.Count("SELECT MAX(seq) FROM slot_changes"));
        using (var c = api.OpenDb())
            c.Execute($"UPDATE slot_changes SET changed_at = {(TestEngine.IsPostgres ? "now() - interval '61 minutes'" : "strftime('%Y-%m-%d %H:%M:%f', 'now', '-61 minutes')")} WHERE seq = @oldest", new { oldest });
        var younger = api.Count("SELECT COUNT(*) FROM slot_changes WHERE seq > @oldest AND seq <= @newest", new { oldest, newest });
        Assert.True(younger > 0);

        await api.PruneUntilGone("SELECT COUNT(*) FROM slot_changes WHERE seq = @oldest", new { oldest });
        Assert.Equal(younger, api.Count("SELECT COUNT(*) FROM slot_changes WHERE seq > @oldest AND seq <= @newest", new { oldest, newest }));
    }

    /// <summary>
    /// The index answers what the search statement answers, on random slots, holds (lapsed, live, the caller's, without
    /// an expiry), modalities, sectors with different horizons, cursors and limits.
    /// </summary>
    [Fact]
    public async Task The_index_answers_what_the_search_statement_answers()
    {
        var sectors = new[] { await world.Sector(horizon: 24), await world.Sector(horizon: 48), await world.Sector(horizon: 8) };
        var gps = new[] { await world.Practitioner(sectors), await world.Practitioner(sectors) };
        var random = new Random(20261202);
        var modalities = new[] { "in_person", "teleconsultation", "home_visit" };
        var ids = new List<long>();
        for (var i = 0; i < 120; i++)
            ids.Add(await world.PublishedSlot(gps[i % 2], TimeSpan.FromMinutes(5 + 20 * (i / 2) + random.Next(0, 2) * 10), sectors[random.Next(3)],
                minutes: 5, modality: modalities[random.Next(3)]));
        var now = api.Clock.GetUtcNow().UtcDateTime;
        foreach (var id in ids.Where(_ => random.Next(4) == 0))
            api.SetSlotState(id, random.Next(5) == 0 ? "booked" : "held", heldBy: random.Next(2) == 0 ? "caller-a" : "caller-b",
                holdExpiresAt: random.Next(3) switch { 0 => now.AddMinutes(-1), 1 => now.AddMinutes(5), _ => null });

        var db = api.Services.GetRequiredService<Db>();
        var statement = new SearchStore(db);
        var indexed = new SearchStore(db, Index);
        for (var q = 0; q < 200; q++)
        {
            var searched = sectors.Where(_ => random.Next(2) == 0).DefaultIfEmpty(sectors[0])
                .Select(s => new SectorBound(s, now.AddHours(random.Next(1, 50)))).ToList();
            var from = now.AddMinutes(random.Next(0, 600));
            (DateTime, long)? after = random.Next(3) == 0 ? (from.AddMinutes(random.Next(0, 300)), ids[random.Next(ids.Count)]) : null;
            Modality? modality = random.Next(3) == 0 ? (Modality)random.Next(3) : null;
            var query = new SearchQuery(searched, from, now.AddMinutes(random.Next(-2, 3)), random.Next(2) == 0 ? "caller-a" : "caller-c",
                modality, after, random.Next(1, 30));

            var expected = await statement.SearchAsync(query, CancellationToken.None);
            var actual = await indexed.SearchAsync(query, CancellationToken.None);
            Assert.Equal(Describe(expected), Describe(actual));
        }
        Assert.Contains(ids, id => api.Count("SELECT COUNT(*) FROM slots WHERE id = @id AND status = 'held'", new { id }) == 1);

        static List<string> Describe(IReadOnlyList<SearchRow> rows) =>
            [.. rows.Select(r => $"{r.Id} {r.SectorCode} {r.StartUtc:O} {r.EndUtc:O} {r.Modality} {r.Status} {r.HoldExpiresAt:O} {r.GpSite.Rpps} {r.GpSite.SiteId} {r.GpSite.LastName} {r.GpSite.SiteAddress}")];
    }
}
#endif
