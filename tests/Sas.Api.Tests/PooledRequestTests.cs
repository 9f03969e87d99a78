using System.Net;
using Sas.Api.Requests;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// Issue #32, requests a pool can accept: a regulator posts the need once, the professionals of the territory who take
/// pooled requests are offered it, the first to accept gets it as an overflow booking; nobody does, it expires.
/// </summary>
public class PooledRequestTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    /// <summary>A sector with nurses in the pool (two places a day each), a regulator, and each nurse's practice client.</summary>
    private async Task<(string Sector, HttpClient Regulator, string[] Nurses, HttpClient[] Practices)> Territory(int nurses = 2, int overflowPerDay = 2)
    {
        var sector = await world.Sector(horizon: 48);
        var rpps = new string[nurses];
        var practices = new HttpClient[nurses];
        for (var i = 0; i < nurses; i++)
        {
            rpps[i] = await world.Professional([sector], "nurse", overflowPerDay: overflowPerDay);
            await api.JoinPool(rpps[i]);
            practices[i] = await world.ClientFor("practitioner", rpps[i]);
        }
        return (sector, await world.ClientFor("regulator", sector), rpps, practices);
    }

    private static string Id(System.Text.Json.JsonElement request) => request.GetProperty("id").GetString()!;

    [Fact]
    public async Task A_request_is_offered_to_the_pools_professionals_of_its_profession_and_territory_only()
    {
        var (sector, regulator, nurses, practices) = await Territory();
        var outOfPool = await world.Professional([sector], "nurse", overflowPerDay: 2);
        var gpInPool = await world.Practitioner([sector], overflowPerDay: 2);
        await api.JoinPool(gpInPool);
        var elsewhere = await world.Professional([await world.Sector()], "nurse", overflowPerDay: 2);
        await api.JoinPool(elsewhere);

        var request = await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created);
        Assert.Equal(("open", 2), (request.GetProperty("status").GetString(), request.GetProperty("offered").GetInt32()));

        var offered = await (await practices[0].GetAsync($"/v1/practitioners/{nurses[0]}/requests")).Expect(HttpStatusCode.OK);
        var seen = Assert.Single(offered.EnumerateArray());
        Assert.Equal((Id(request), BookingRequests.Reason), (Id(seen), seen.GetProperty("reason").GetString()));
        var offeredTo = api.Rows("SELECT rpps FROM pooled_request_offers WHERE request_id = @id", new { id = Id(request) }).Select(r => (string)r.rpps).ToList();
        Assert.Equal(nurses.Order(), offeredTo.Order());
        Assert.DoesNotContain(new[] { outOfPool, gpInPool, elsewhere }, offeredTo.Contains);
        // One event, fanned out to the practices of those offered it (WebhookTests), never the patient nor the reason.
        var evt = Assert.Single(api.Rows("SELECT event_type, payload FROM outbox WHERE request_id = @id", new { id = Id(request) }));
        Assert.Equal("request.offered", (string)evt.event_type);
        Assert.DoesNotContain(BookingRequests.PatientLastName, (string)evt.payload);
        Assert.DoesNotContain("zx-reason", (string)evt.payload);
    }

    /// <summary>
    /// A place two sectors cover (where two CPTS meet): the request is offered to the pools of both, and the booking of the
    /// professional who accepts counts in their own sector (its fill rate, its CPTS's indicators), whichever comes first.
    /// </summary>
    [Fact]
    public async Task A_request_for_a_place_two_sectors_cover_is_booked_in_the_sector_of_whoever_accepts()
    {
        const string commune = "44184"; // Saint-Nazaire: no other test's sector covers it
        var sectors = new[] { await world.Sector(communes: [commune], horizon: 48), await world.Sector(communes: [commune], horizon: 48) };
        var regulator = await world.ClientFor("regulator", sectors);
        foreach (var sector in sectors)
        {
            var nurse = await world.Professional([sector], "nurse", overflowPerDay: 2);
            await api.JoinPool(nurse);
            var request = Id(await (await regulator.Post(PooledRequests.ForCommune(commune))).Expect(HttpStatusCode.Created));

            var booking = await (await (await world.ClientFor("practitioner", nurse)).Accept(request, nurse)).Expect(HttpStatusCode.Created);

            Assert.Equal(sector, booking.GetProperty("sector").GetString());
        }
    }

    [Fact]
    public async Task With_nobody_in_the_pool_nothing_is_posted_and_the_regulator_is_told_at_once()
    {
        var sector = await world.Sector(horizon: 48);
        await world.Professional([sector], "nurse", overflowPerDay: 2); // not in the pool
        var regulator = await world.ClientFor("regulator", sector);
        var before = api.Count("SELECT COUNT(*) FROM pooled_requests");
        await (await regulator.Post(PooledRequests.Body(sector))).ExpectProblem(HttpStatusCode.Conflict, "nobody_in_pool");
        Assert.Equal(before, api.Count("SELECT COUNT(*) FROM pooled_requests"));
    }

    [Fact]
    public async Task The_first_to_accept_gets_it_as_an_overflow_booking_the_other_is_refused_and_the_regulator_told()
    {
        var (sector, regulator, nurses, practices) = await Territory();
        var request = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));

        var booking = await (await practices[0].Accept(request, nurses[0])).Expect(HttpStatusCode.Created);
        Assert.Equal((nurses[0], true, "2026-11-23T09:30:00Z"),
            (booking.GetProperty("practitionerRpps").GetString(), booking.GetProperty("overflow").GetBoolean(), booking.GetProperty("start").GetString()));
        await (await practices[1].Accept(request, nurses[1])).ExpectProblem(HttpStatusCode.Conflict, "request_closed");

        // The patient moved to the booking, whole; the request keeps none of them.
        var stored = await (await regulator.GetAsync($"/v1/bookings/{booking.GetProperty("id").GetString()}")).Expect(HttpStatusCode.OK);
        Assert.Equal(BookingRequests.PatientLastName, stored.GetProperty("patient").GetProperty("lastName").GetString());
        var row = api.Rows("SELECT status, draft, reason, accepted_by FROM pooled_requests WHERE id = @request", new { request }).Single();
        Assert.Equal(("accepted", null, null, nurses[0]), ((string)row.status, (string?)row.draft, (string?)row.reason, (string)row.accepted_by));
        var seen = await (await regulator.GetAsync($"/v1/requests/{request}")).Expect(HttpStatusCode.OK);
        Assert.Equal(("accepted", booking.GetProperty("id").GetString()), (seen.GetProperty("status").GetString(), seen.GetProperty("bookingId").GetString()));

        // One event, in the same transaction, for the regulator and every practice it was offered to: taken, and by whom.
        var accepted = Assert.Single(Events(request, "request.accepted"));
        Assert.NotNull((string?)accepted.client_id);
        Assert.Contains($"\"acceptedBy\":\"{nurses[0]}\"", (string)accepted.payload);
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'booking.created' AND booking_id = @id", new { id = booking.GetProperty("id").GetString() }));
    }

    /// <summary>Fifty professionals offered one request accept it at once: one booking, forty-nine refusals, on each engine.</summary>
    [Fact]
    public async Task Fifty_acceptors_racing_get_one_booking()
    {
        var (sector, regulator, nurses, _) = await Territory(nurses: 50);
        var practice = await world.ClientFor("practitioner", nurses);
        var request = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));

        var answers = await Races.AllAtOnce(50, i => practice.Accept(request, nurses[i]));
        Assert.DoesNotContain(answers, a => (int)a.Status >= 500);
        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Contains("\"code\":\"request_closed\"", a.Body));
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM bookings WHERE id = (SELECT booking_id FROM pooled_requests WHERE id = @request)", new { request }));
        Assert.Equal(1, api.Count($"SELECT COUNT(*) FROM bookings WHERE {TestEngine.Dialect.InList("rpps", "@nurses")}", new { nurses = Sas.Api.Infrastructure.Data.ValueList.Of(nurses) }));
    }

    [Fact]
    public async Task A_professional_with_no_overflow_place_left_is_refused_and_the_request_stays_open_for_the_others()
    {
        var (sector, regulator, nurses, practices) = await Territory(overflowPerDay: 1);
        var first = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        var second = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        await (await practices[0].Accept(first, nurses[0])).Expect(HttpStatusCode.Created);

        await (await practices[0].Accept(second, nurses[0])).ExpectProblem(HttpStatusCode.Conflict, "overflow_full");
        Assert.Equal("open", (string)api.Rows("SELECT status FROM pooled_requests WHERE id = @second", new { second }).Single().status);
        await (await practices[1].Accept(second, nurses[1])).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_request_nobody_accepts_expires_at_the_end_of_its_window_and_its_regulator_is_told()
    {
        using var own = new SasApiFactory();
        var w = new World(own);
        var sector = await w.Sector(horizon: 48);
        var nurse = await w.Professional([sector], "nurse", overflowPerDay: 2);
        await own.JoinPool(nurse);
        var regulator = await w.ClientFor("regulator", sector);
        var request = Id(await (await regulator.Post(PooledRequests.Body(sector, notAfter: "2026-11-23T08:00:00Z"))).Expect(HttpStatusCode.Created));
        var job = own.Services.GetRequiredService<RequestExpiryJob>();

        Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // its window is not over
        own.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await job.RunAsync(CancellationToken.None));
        Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // once

        var row = own.Rows("SELECT status, draft, reason FROM pooled_requests WHERE id = @request", new { request }).Single();
        Assert.Equal(("expired", null, null), ((string)row.status, (string?)row.draft, (string?)row.reason));
        // One event, for its regulator and the practice it was offered to (WebhookTests follows it to them).
        Assert.NotNull((string?)Assert.Single(Events(own, request, "request.expired")).client_id);
        var practice = await w.ClientFor("practitioner", nurse);
        await (await practice.Accept(request, nurse, start: "2026-11-23T08:30:00Z")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "start");
        Assert.Empty((await (await practice.GetAsync($"/v1/practitioners/{nurse}/requests")).Expect(HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task The_regulator_withdraws_its_open_request_and_nobody_can_take_it_after()
    {
        var (sector, regulator, nurses, practices) = await Territory();
        var request = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        var other = await world.ClientFor("regulator", sector);
        await (await other.PostAsync($"/v1/requests/{request}/withdrawal", null)).ExpectProblem(HttpStatusCode.NotFound, "request_not_found");

        var withdrawn = await (await regulator.PostAsync($"/v1/requests/{request}/withdrawal", null)).Expect(HttpStatusCode.OK);
        Assert.Equal("withdrawn", withdrawn.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, withdrawn.GetProperty("reason").ValueKind);
        await (await practices[0].Accept(request, nurses[0])).ExpectProblem(HttpStatusCode.Conflict, "request_closed");
        await (await regulator.PostAsync($"/v1/requests/{request}/withdrawal", null)).ExpectProblem(HttpStatusCode.Conflict, "request_closed");
        Assert.Null((string?)Assert.Single(Events(request, "request.withdrawn")).client_id); // for the practices it was offered to only
    }

    /// <summary>
    /// A regulator's software (or console) lists what its client posted in the last day: the open requests and how the
    /// others ended, newest first; never another client's, nor one older than a day; each read is audited.
    /// </summary>
    [Fact]
    public async Task The_regulator_lists_its_requests_of_the_last_day_and_how_each_ended()
    {
        var (sector, regulator, nurses, practices) = await Territory();
        var accepted = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        await (await practices[0].Accept(accepted, nurses[0])).Expect(HttpStatusCode.Created);
        var withdrawn = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        await (await regulator.PostAsync($"/v1/requests/{withdrawn}/withdrawal", null)).Expect(HttpStatusCode.OK);
        var old = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        var open = Id(await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        var others = Id(await (await (await world.ClientFor("regulator", sector)).Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created));
        // Posted 25 hours ago (a request lives a day at most): out of the list. The others, a second apart, newest first.
        var now = api.Clock.GetUtcNow().UtcDateTime;
        using (var c = api.OpenDb())
        {
            Dapper.SqlMapper.Execute(c, "UPDATE pooled_requests SET created_at = @at WHERE id = @old", new { at = now.AddHours(-25), old });
            foreach (var (id, age) in new[] { (accepted, 3), (withdrawn, 2), (open, 1) })
                Dapper.SqlMapper.Execute(c, "UPDATE pooled_requests SET created_at = @at WHERE id = @id", new { at = now.AddSeconds(-age), id });
        }
        var readsBefore = api.Count("SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'request'");

        var list = (await (await regulator.GetAsync("/v1/requests")).Expect(HttpStatusCode.OK)).EnumerateArray().ToList();

        Assert.Equal([open, withdrawn, accepted], list.Select(Id));
        Assert.Equal(["open", "withdrawn", "accepted"], list.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(nurses[0], list[2].GetProperty("acceptedBy").GetString());
        Assert.Equal(BookingRequests.Reason, list[0].GetProperty("reason").GetString());
        Assert.DoesNotContain(others, list.Select(Id));
        Assert.Equal(readsBefore + 3, api.Count("SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'request'"));
        await (await practices[0].GetAsync("/v1/requests")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
    }

    /// <summary>The outbox rows of the request's events of that type: one per change, naming no professional.</summary>
    private List<dynamic> Events(string request, string type) => Events(api, request, type);

    private static List<dynamic> Events(SasApiFactory factory, string request, string type)
    {
        var rows = factory.Rows("SELECT client_id, rpps, payload FROM outbox WHERE request_id = @request AND event_type = @type", new { request, type });
        Assert.All(rows, r => Assert.Equal("", (string)r.rpps));
        return rows;
    }

    [Fact]
    public async Task Posting_and_accepting_are_idempotent_by_their_key()
    {
        var (sector, regulator, nurses, practices) = await Territory();
        var body = PooledRequests.Body(sector);
        var first = Id(await (await regulator.Post(body, key: "post-once")).Expect(HttpStatusCode.Created));
        Assert.Equal(first, Id(await (await regulator.Post(body, key: "post-once")).Expect(HttpStatusCode.Created)));
        Assert.Single(Events(first, "request.offered"));
        await (await regulator.Post(PooledRequests.Body(sector, notAfter: "2026-11-23T12:00:00Z"), key: "post-once")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");

        var booking = await (await practices[0].Accept(first, nurses[0], key: "accept-once")).Expect(HttpStatusCode.Created);
        var replay = await practices[0].Accept(first, nurses[0], key: "accept-once");
        Assert.Equal(booking.GetProperty("id").GetString(), (await replay.Expect(HttpStatusCode.Created)).GetProperty("id").GetString());
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Theory]
    [InlineData("notAfter", "2026-11-24T12:00:00Z")]  // more than a day ahead
    [InlineData("notAfter", "2026-11-23T07:05:00Z")]  // no time left to accept
    [InlineData("profession", "plumber")]
    public async Task A_request_with_a_window_or_profession_out_of_bounds_is_refused(string field, string value)
    {
        var (sector, regulator, _, _) = await Territory(nurses: 1);
        var body = field == "notAfter" ? PooledRequests.Body(sector, notAfter: value) : PooledRequests.Body(sector, profession: value);
        await (await regulator.Post(body)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
    }

    [Fact]
    public async Task Joining_the_pool_needs_overflow_places_and_hours_within_a_day()
    {
        var sector = await world.Sector();
        var none = await world.Professional([sector], "nurse");
        await (await api.Admin().PutJson($"/v1/practitioners/{none}/pool", new { weekdays = new[] { 1 }, from = "08:00", until = "12:00" }))
            .ExpectProblem(HttpStatusCode.Conflict, "pool_needs_overflow");
        var nurse = await world.Professional([sector], "nurse", overflowPerDay: 1);
        await (await api.Admin().PutJson($"/v1/practitioners/{nurse}/pool", new { weekdays = new[] { 8 }, from = "12:00", until = "08:00" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "weekdays");
        var practice = await world.ClientFor("practitioner", nurse);
        var joined = await (await practice.PutJson($"/v1/practitioners/{nurse}/pool", new { weekdays = new[] { 3, 1 }, from = "08:00", until = "12:00" })).Expect(HttpStatusCode.OK);
        Assert.Equal([1, 3], joined.GetProperty("weekdays").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(HttpStatusCode.NoContent, (await practice.DeleteAsync($"/v1/practitioners/{nurse}/pool")).StatusCode);
        await (await practice.GetAsync($"/v1/practitioners/{nurse}/pool")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>Hours are the professional's, in the sector's time zone: outside them they are not offered.</summary>
    [Fact]
    public async Task A_professional_outside_their_pool_hours_is_not_offered()
    {
        var sector = await world.Sector(horizon: 48);
        var morning = await world.Professional([sector], "nurse", overflowPerDay: 1);
        var evening = await world.Professional([sector], "nurse", overflowPerDay: 1);
        await api.JoinPool(morning, [1], "08:00", "12:00"); // the clock: Monday 08:00 in Paris
        await api.JoinPool(evening, [1], "18:00", "22:00");
        var regulator = await world.ClientFor("regulator", sector);
        var request = await (await regulator.Post(PooledRequests.Body(sector))).Expect(HttpStatusCode.Created);
        Assert.Equal(1, request.GetProperty("offered").GetInt32());
        Assert.Equal([morning], api.Rows("SELECT rpps FROM pooled_request_offers WHERE request_id = @id", new { id = Id(request) }).Select(r => (string)r.rpps));
    }

    /// <summary>
    /// The CPTS's report on pooled requests, against a hand-computed day: nurses 4 posted (2 accepted after 10 and 30
    /// minutes, 1 expired, 1 open), GPs 1 posted and withdrawn; the nurse who accepted, twice.
    /// </summary>
    [Fact]
    public async Task The_requests_report_counts_outcomes_times_to_acceptance_and_who_accepts()
    {
        using var own = new SasApiFactory();
        var w = new World(own);
        var sector = await w.Sector(horizon: 48);
        var cpts = await w.Cpts(sector);
        var nurse = await w.Professional([sector], "nurse", overflowPerDay: 3);
        await own.JoinPool(nurse);
        var gp = await w.Practitioner([sector], overflowPerDay: 1);
        await own.JoinPool(gp);
        var regulator = await w.ClientFor("regulator", sector);
        var practice = await w.ClientFor("practitioner", nurse);
        async Task<string> Post(object body) => Id(await (await regulator.Post(body)).Expect(HttpStatusCode.Created));

        var first = await Post(PooledRequests.Body(sector));                 // 07:00
        own.Clock.Advance(TimeSpan.FromMinutes(10));
        await (await practice.Accept(first, nurse)).Expect(HttpStatusCode.Created); // after 10 minutes
        var second = await Post(PooledRequests.Body(sector));                // 07:10
        own.Clock.Advance(TimeSpan.FromMinutes(30));
        await (await practice.Accept(second, nurse)).Expect(HttpStatusCode.Created); // after 30 minutes
        await Post(PooledRequests.Body(sector, notAfter: "2026-11-23T08:00:00Z")); // 07:40, expires
        var gpRequest = await Post(PooledRequests.Body(sector, profession: "general_practitioner"));
        await (await regulator.PostAsync($"/v1/requests/{gpRequest}/withdrawal", null)).Expect(HttpStatusCode.OK);
        own.Clock.Advance(TimeSpan.FromMinutes(50));                          // 08:30
        Assert.Equal(1, await own.Services.GetRequiredService<RequestExpiryJob>().RunAsync(CancellationToken.None));
        await Post(PooledRequests.Body(sector));                             // still open

        var report = await (await own.Admin().GetAsync($"/v1/reports/requests?cpts={cpts}&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z")).Expect(HttpStatusCode.OK);
        var rows = report.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("profession").GetString()!);
        string Figures(System.Text.Json.JsonElement r) => string.Join(" ", new[] { "posted", "accepted", "expired", "withdrawn", "open", "acceptanceMedianMinutes", "acceptanceP90Minutes" }
            .Select(f => r.GetProperty(f).ValueKind == System.Text.Json.JsonValueKind.Null ? "-" : r.GetProperty(f).GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("4 2 1 0 1 10 30", Figures(rows["nurse"]));
        Assert.Equal("1 0 0 1 0 - -", Figures(rows["general_practitioner"]));
        Assert.Equal("5 2 1 1 1 10 30", Figures(report.GetProperty("totals")));
        var acceptor = Assert.Single(report.GetProperty("acceptors").EnumerateArray());
        Assert.Equal((nurse, "nurse", 2), (acceptor.GetProperty("rpps").GetString(), acceptor.GetProperty("profession").GetString(), acceptor.GetProperty("accepted").GetInt32()));

        // Limited to GPs, by the query or by a CPTS scope: the GPs' request alone, and nobody accepted it.
        var gpsDesk = await w.ClientFor("cpts", cpts, "profession=general_practitioner");
        foreach (var (client, query) in new[] { (own.Admin(), "&profession=general_practitioner"), (gpsDesk, "") })
        {
            var gps = await (await client.GetAsync($"/v1/reports/requests?cpts={cpts}&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z{query}")).Expect(HttpStatusCode.OK);
            Assert.Equal("general_practitioner", Assert.Single(gps.GetProperty("rows").EnumerateArray()).GetProperty("profession").GetString());
            Assert.Equal("1 0 0 1 0 - -", Figures(gps.GetProperty("totals")));
            Assert.Empty(gps.GetProperty("acceptors").EnumerateArray());
        }
    }
}
