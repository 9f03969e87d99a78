using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Dapper;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Search;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class SearchTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    /// <summary>The slot ids of a search's page, in order.</summary>
    internal static List<long> Ids(System.Text.Json.JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();

    [Fact]
    public async Task Search_answers_bookable_slots_inside_cut_off_and_horizon_soonest_first()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var tooSoon = await world.PublishedSlot(rpps, TimeSpan.FromMinutes(5), sector, minutes: 5);
        var later = await world.PublishedSlot(rpps, TimeSpan.FromHours(20), sector);
        var soon = await world.PublishedSlot(rpps, TimeSpan.FromMinutes(15), sector);
        var beyond = await world.PublishedSlot(rpps, TimeSpan.FromHours(25), sector);
        var withdrawn = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await api.Admin().DeleteAsync($"/v1/slots/{withdrawn}")).Expect(HttpStatusCode.NoContent);
        var booked = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        api.SetSlotState(booked, "booked");

        var page = await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.Equal([soon, later], Ids(page));
        var item = page.GetProperty("items")[0];
        // Start and end as the slot itself answers them: UTC to the second with a Z (written without a string each).
        var slot = await (await api.Admin().GetAsync($"/v1/slots/{soon}")).Expect(HttpStatusCode.OK);
        Assert.Equal(slot.GetProperty("start").GetString(), item.GetProperty("start").GetString());
        Assert.Equal(slot.GetProperty("end").GetString(), item.GetProperty("end").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", item.GetProperty("start").GetString());
        Assert.Equal(rpps, item.GetProperty("practitioner").GetProperty("rpps").GetString());
        Assert.StartsWith("Docteur", item.GetProperty("practitioner").GetProperty("lastName").GetString());
        Assert.Equal("Nantes", item.GetProperty("site").GetProperty("commune").GetProperty("name").GetString());
        Assert.Equal("Europe/Paris", item.GetProperty("timeZone").GetString());
        Assert.DoesNotContain(tooSoon, Ids(page));
        Assert.DoesNotContain(beyond, Ids(page));

        api.Clock.Advance(TimeSpan.FromHours(2)); // the 25 h slot enters the horizon, the 15 min one has passed
        page = await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.Equal([later, beyond], Ids(page));
    }

    /// <summary>
    /// The node keeps a GP's name and site text between searches (SiteDirectory): a change to the GP's record shows in
    /// the very next search, with the clock standing still (a version drawn per write, not a time, tells them apart).
    /// </summary>
    [Fact]
    public async Task A_gps_new_name_and_site_address_show_in_the_next_search()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var regulator = await world.ClientFor("regulator", sector);
        async Task<System.Text.Json.JsonElement> First() =>
            (await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)).GetProperty("items")[0];
        Assert.StartsWith("Docteur", (await First()).GetProperty("practitioner").GetProperty("lastName").GetString());
        var held = api.Services.GetRequiredService<SearchStore>().SitesKept;

        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", new
        {
            firstName = "Jeanne", lastName = "Mariée", sectors = new[] { sector }, overflowPerDay = 0,
            sites = new[] { new { id = "cab", name = "Cabinet cab", address = "2 place Royale", commune = "44109", postalCode = "44000", siret = World.Siret } },
        })).Expect(HttpStatusCode.OK);
        var item = await First();
        Assert.Equal("Mariée", item.GetProperty("practitioner").GetProperty("lastName").GetString());
        Assert.Equal("2 place Royale", item.GetProperty("site").GetProperty("address").GetString());
        Assert.True(held > 0, "the first search kept the GP's text");
    }

    [Fact]
    public async Task A_sector_with_a_48_hour_horizon_shows_the_day_after()
    {
        var sector = await world.Sector(horizon: 48);
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(40), sector);
        var page = await (await api.Admin().GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Ids(page));
    }

    [Fact]
    public async Task From_to_and_modality_narrow_the_search()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var a = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var b = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector, modality: "teleconsultation");
        var c = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var now = api.Clock.GetUtcNow();
        var page = await (await api.Admin().GetAsync($"/v1/slots?sector={sector}&from={World.Instant(now.AddHours(1.5))}&to={World.Instant(now.AddHours(3))}")).Expect(HttpStatusCode.OK);
        Assert.Equal([b], Ids(page)); // to is exclusive
        Assert.Equal("teleconsultation", page.GetProperty("items")[0].GetProperty("modality").GetString()); // read back from its code
        page = await (await api.Admin().GetAsync($"/v1/slots?sector={sector}&modality=in_person")).Expect(HttpStatusCode.OK);
        Assert.Equal([a, c], Ids(page));
        var home = await world.PublishedSlot(rpps, TimeSpan.FromHours(4), sector, modality: "home_visit");
        page = await (await api.Admin().GetAsync($"/v1/slots?sector={sector}&modality=home_visit")).Expect(HttpStatusCode.OK);
        Assert.Equal([home], Ids(page));
        Assert.Equal("home_visit", page.GetProperty("items")[0].GetProperty("modality").GetString());
    }

    /// <summary>Follows <c>next</c> from the first page to the last, checking each page keeps to the limit.</summary>
    private async Task<List<long>> AllPages(string url, int limit)
    {
        var seen = new List<long>();
        string? next = null;
        do
        {
            var page = await (await api.Admin().GetAsync($"{url}&limit={limit}" + (next is null ? "" : "&after=" + next))).Expect(HttpStatusCode.OK);
            Assert.True(Ids(page).Count <= limit);
            seen.AddRange(Ids(page));
            next = page.GetProperty("next").GetString();
        } while (next is not null);
        return seen;
    }

    [Fact]
    public async Task The_cursor_pages_through_every_slot_once()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add(await world.PublishedSlot(rpps, TimeSpan.FromHours(1 + i), sector));

        Assert.Equal(ids, await AllPages($"/v1/slots?sector={sector}", limit: 3));
    }

    [Fact]
    public async Task Sectors_sharing_a_commune_are_merged_soonest_first_and_paged_once()
    {
        // Two sectors cover Rennes, with different horizons: each bounds its own slots, and the pages
        // interleave both sectors' slots by start time.
        var day = await world.Sector(communes: ["35238"], department: "35", horizon: 24);
        var twoDays = await world.Sector(communes: ["35238"], department: "35", horizon: 48);
        var a = await world.Practitioner([day]);
        var b = await world.Practitioner([twoDays]);
        var expected = new List<long>
        {
            await world.PublishedSlot(a, TimeSpan.FromHours(1), day),
            await world.PublishedSlot(b, TimeSpan.FromHours(2), twoDays),
            await world.PublishedSlot(a, TimeSpan.FromHours(3), day),
            await world.PublishedSlot(b, TimeSpan.FromHours(4), twoDays),
            await world.PublishedSlot(b, TimeSpan.FromHours(5), twoDays),
            await world.PublishedSlot(a, TimeSpan.FromHours(6), day),
            await world.PublishedSlot(b, TimeSpan.FromHours(30), twoDays),
        };
        await world.PublishedSlot(a, TimeSpan.FromHours(30), day); // past the 24-hour sector's horizon

        Assert.Equal(expected, await AllPages("/v1/slots?commune=35238", limit: 2));
    }

    [Fact]
    public async Task A_sector_changed_through_this_node_is_searched_at_once_and_one_changed_elsewhere_within_the_copys_lifetime()
    {
        var sector = await world.Sector(communes: ["49007"], department: "49"); // Angers
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        Assert.Empty(Ids(await (await api.Admin().GetAsync("/v1/slots?commune=49015")).Expect(HttpStatusCode.OK))); // Avrillé: not covered yet

        // Through the API: the next search sees the new commune.
        await (await api.Admin().PutJson($"/v1/sectors/{sector}", new { name = "Angers", department = "49", communes = new[] { "49007", "49015" } })).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Ids(await (await api.Admin().GetAsync("/v1/slots?commune=49015")).Expect(HttpStatusCode.OK)));

        // Straight in the database, as another node would: seen once this node's copy expires.
        using (var c = api.OpenDb())
            Dapper.SqlMapper.Execute(c, "DELETE FROM sector_communes WHERE sector_code = @sector AND insee_code = '49015'", new { sector });
        Assert.Equal([id], Ids(await (await api.Admin().GetAsync("/v1/slots?commune=49015")).Expect(HttpStatusCode.OK)));
        api.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(Ids(await (await api.Admin().GetAsync("/v1/slots?commune=49015")).Expect(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task A_copy_that_expires_under_load_is_read_again_once_for_every_request_waiting_on_it()
    {
        var sector = await world.Sector(communes: ["49099"], department: "49"); // Cholet
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var store = api.Services.GetRequiredService<Sas.Api.Territory.TerritoryStore>();
        await (await api.Admin().GetAsync("/v1/slots?commune=49099")).Expect(HttpStatusCode.OK);

        api.Clock.Advance(TimeSpan.FromSeconds(31));
        await store.CopyRead; // a read ahead another test's search started: not this test's
        var before = store.CopyLoads;
        // Every search at once finds the copy expired: one of them reads the territory again, the others wait for it.
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() => api.Admin().GetAsync("/v1/slots?commune=49099"))));

        Assert.Equal(before + 1, store.CopyLoads);
        foreach (var answer in answers) Assert.Equal([id], Ids(await answer.Expect(HttpStatusCode.OK)));
    }

    /// <summary>
    /// In its last sixth of life the copy is read again in the background, the search answering with the copy it has;
    /// the new copy then carries the searches past the old one's end without any of them reading.
    /// </summary>
    [Fact]
    public async Task A_copy_about_to_expire_is_read_again_ahead_so_no_search_waits_for_it()
    {
        var sector = await world.Sector(communes: ["49328"], department: "49"); // Saumur; writing a sector drops the copy
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var store = api.Services.GetRequiredService<Sas.Api.Territory.TerritoryStore>();
        async Task Search() => Assert.Equal([id], Ids(await (await api.Admin().GetAsync("/v1/slots?commune=49328")).Expect(HttpStatusCode.OK)));
        await Search(); // the copy is read now, for 30 seconds
        await store.CopyRead;
        var read = store.CopyLoads;

        api.Clock.Advance(TimeSpan.FromSeconds(20));
        await Search();
        Assert.Equal(read, store.CopyLoads); // two thirds of its life: nothing read

        api.Clock.Advance(TimeSpan.FromSeconds(6)); // 26 s: the last sixth
        await Search();
        await store.CopyRead;
        Assert.Equal(read + 1, store.CopyLoads);

        api.Clock.Advance(TimeSpan.FromSeconds(5)); // 31 s: the first copy's end is past, the one read at 26 s holds
        await Search();
        Assert.Equal(read + 1, store.CopyLoads);
    }

    [Fact]
    public async Task A_postal_code_or_commune_searches_the_sectors_covering_it()
    {
        var sector = await world.Sector(communes: ["2B033"], department: "2B"); // Bastia, postal code 20200 / 20600
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var regulator = await world.ClientFor("regulator", "2B");

        var byPostalCode = await (await regulator.GetAsync("/v1/slots?postalCode=20200")).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Ids(byPostalCode));
        var byCommune = await (await regulator.GetAsync("/v1/slots?commune=2B033")).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Ids(byCommune));
        var elsewhere = await (await regulator.GetAsync("/v1/slots?commune=2B002")).Expect(HttpStatusCode.OK);
        Assert.Empty(Ids(elsewhere));
    }

    [Fact]
    public async Task A_slot_held_by_another_regulator_is_hidden_until_the_hold_lapses()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        api.SetSlotState(id, "held", "another-client", api.Clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        Assert.Empty(Ids(await (await api.Admin().GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        api.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal([id], Ids(await (await api.Admin().GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
    }

    /// <summary>The regulator holding a slot still finds it, marked held; free ones are marked available (read from the status code).</summary>
    [Fact]
    public async Task A_slot_the_regulator_holds_is_found_marked_held()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var held = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var free = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.PostAsync($"/v1/slots/{held}/hold", null)).Expect(HttpStatusCode.Created);

        var items = (await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)).GetProperty("items");
        Assert.Equal([held, free], items.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(["held", "available"], items.EnumerateArray().Select(i => i.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("", "sector")]
    [InlineData("sector=S&commune=44109", "sector")]
    [InlineData("commune=4410", "commune")]
    [InlineData("commune=20004", "commune")]
    [InlineData("postalCode=abc", "postalCode")]
    [InlineData("sector=S&from=2026-11-23T10:00:00", "from")]
    [InlineData("sector=S&to=yesterday", "to")]
    [InlineData("sector=S&modality=video", "modality")]
    [InlineData("sector=S&limit=0", "limit")]
    [InlineData("sector=S&after=bm9wZQ", "after")]
    public async Task Search_validation_names_the_field(string query, string field) =>
        await (await api.Admin().GetAsync($"/v1/slots?{query}")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);

    [Fact]
    public async Task An_unknown_sector_is_404()
    {
        await (await api.Admin().GetAsync("/v1/slots?sector=nope")).ExpectProblem(HttpStatusCode.NotFound, "sector_not_found");
    }

#if !SAS_TEST_POSTGRES
    [Fact]
    public async Task Sqlite_serves_the_search_from_the_partial_index_in_order_one_sector_at_a_time()
    {
        _ = api.Admin(); // start the app, so the schema exists
        using var c = api.OpenDb();
        var sql = new SearchStore.Sql(SqlDialect.Sqlite).Search(sectors: 2, modality: true, after: true);
        var plan = (await c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, new
        {
            sector0 = "S1", until0 = DateTime.UtcNow, sector1 = "S2", until1 = DateTime.UtcNow, from = DateTime.UtcNow, now = DateTime.UtcNow,
            caller = "c", modality = "in_person", afterStart = DateTime.UtcNow, afterId = 1L, limit = 50,
        })).ToList();
        var slotReads = plan.Where(r => r.Detail.StartsWith("SEARCH slots", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, slotReads.Count);
        Assert.All(slotReads, r => Assert.Contains("USING INDEX ix_slots_search (sector_code=? AND start_utc>? AND start_utc<?)", r.Detail));
        Assert.DoesNotContain(plan, r => r.Detail.StartsWith("SCAN slots", StringComparison.Ordinal));
        // Each sector's rows come in index order, so its branch stops at the limit: no sort inside a branch.
        var parents = plan.ToDictionary(r => r.Id, r => r.Parent);
        Assert.All(slotReads, read => Assert.DoesNotContain(plan, r => r.Detail.StartsWith("USE TEMP B-TREE", StringComparison.Ordinal) && parents.GetValueOrDefault(r.Id) == read.Parent));
    }
#endif
}
