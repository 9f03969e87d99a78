using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Jobs;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class WebhookTests(WebhookTests.Api api) : IClassFixture<WebhookTests.Api>
{
    /// <summary>In-run retries without delay: the backoff that matters here is the stored one, driven by the fake clock.</summary>
    public class Api : SasApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [KeyValuePair.Create<string, string?>("Webhooks:RetryDelay", "00:00:00"), KeyValuePair.Create<string, string?>("Webhooks:MaxAttempts", "20")];
    }

    private const string Secret = "a-long-enough-webhook-secret";
    private readonly World world = new(api);

    private Task<int> Dispatch() => api.Services.GetRequiredService<NotificationDispatchJob>().RunAsync(CancellationToken.None);

    /// <summary>Deliveries of this GP's (or this pooled request's) events still to send (other tests' receivers are gone; theirs stay pending).</summary>
    private long Pending(string gpOrRequest) => api.Count(
        "SELECT COUNT(*) FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.status = 'pending' AND (o.rpps = @key OR o.request_id = @key)", new { key = gpOrRequest });

    /// <summary>Runs the dispatch job, moving the clock between runs, until nothing of this GP (or request) is pending.</summary>
    private async Task Drain(string gpOrRequest, int maxRuns = 60)
    {
        for (var i = 0; i < maxRuns; i++)
        {
            await Dispatch();
            if (Pending(gpOrRequest) == 0) return;
            api.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.Fail($"{Pending(gpOrRequest)} deliveries still pending after {maxRuns} runs");
    }

    private async Task<(string Sector, string Rpps, HttpClient Gp, HttpClient Regulator)> Setup(WebhookReceiver gpReceiver, WebhookReceiver? regulatorReceiver = null)
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);
        var regulator = await world.ClientFor("regulator", sector);
        await (await gp.PutJson("/v1/webhooks", new { url = gpReceiver.Url, secret = gpReceiver.Secret, events = WebhookEndpoints.Events })).Expect(HttpStatusCode.Created);
        if (regulatorReceiver is not null)
            await (await regulator.PutJson("/v1/webhooks", new { url = regulatorReceiver.Url, secret = regulatorReceiver.Secret, events = new[] { "booking.created", "booking.cancelled" } })).Expect(HttpStatusCode.Created);
        return (sector, rpps, gp, regulator);
    }

    private List<string> OutboxEventIds(string rpps, params string[] types) =>
        api.Rows("SELECT event_id, event_type FROM outbox WHERE rpps = @rpps ORDER BY id", new { rpps })
            .Where(r => types.Length == 0 || types.Contains((string)r.event_type)).Select(r => (string)r.event_id).ToList();

    [Fact]
    public async Task Every_event_arrives_signed_once_after_dedup_in_order_per_booking_despite_early_failures()
    {
        await using var gpReceiver = await WebhookReceiver.StartAsync(Secret, failFirst: 4);
        await using var regulatorReceiver = await WebhookReceiver.StartAsync(Secret + "-regulator");
        var (sector, rpps, gp, regulator) = await Setup(gpReceiver, regulatorReceiver);

        var bookingIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1 + i), sector);
            bookingIds.Add((await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!);
        }
        await (await regulator.PostJson($"/v1/bookings/{bookingIds[0]}/cancellation", new { by = "patient", reason = "r" })).Expect(HttpStatusCode.OK);
        var unbooked = await world.PublishedSlot(rpps, TimeSpan.FromHours(5), sector);
        api.Clock.Advance(TimeSpan.FromHours(2));
        await (await gp.PutJson($"/v1/bookings/{bookingIds[1]}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);
        api.Clock.Advance(TimeSpan.FromHours(4));
        Assert.True(await api.Services.GetRequiredService<SlotExpiryJob>().RunAsync(CancellationToken.None) >= 1);

        await Drain(rpps);

        Assert.Equal(0, gpReceiver.BadSignatures);
        Assert.Equal(4, gpReceiver.Refused);
        Assert.Equal(OutboxEventIds(rpps).Order(), gpReceiver.DistinctAccepted.Order());
        Assert.Equal(gpReceiver.Accepted.Count, gpReceiver.DistinctAccepted.Count); // exactly once once accepted
        Assert.Contains(gpReceiver.Accepted, a => a.Type == "slot.expired" && a.Body.Contains($"\"slotId\":{unbooked}"));
        Assert.Equal(OutboxEventIds(rpps, "booking.created", "booking.cancelled").Order(), regulatorReceiver.DistinctAccepted.Order());

        // A refused delivery came back with the same event id.
        var seen = gpReceiver.SeenEventIds.ToList();
        Assert.True(seen.Count > seen.Distinct().Count());
        // Per booking, created comes before what follows it.
        foreach (var id in bookingIds)
        {
            var types = gpReceiver.Accepted.Where(a => a.BookingId == id).Select(a => a.Type).ToList();
            Assert.Equal("booking.created", types[0]);
        }
        Assert.Equal(["booking.created", "booking.cancelled"], gpReceiver.Accepted.Where(a => a.BookingId == bookingIds[0]).Select(a => a.Type));
        Assert.DoesNotContain(gpReceiver.Accepted, a => a.Body.Contains(BookingRequests.PatientLastName));
    }

    /// <summary>
    /// Issue #32: a pooled request reaches the practice of each professional offered it (request.offered), then its
    /// regulator hears it was accepted (request.accepted and booking.created), signed, once; never the patient.
    /// </summary>
    [Fact]
    public async Task A_pooled_request_is_offered_to_the_practice_and_its_acceptance_told_to_the_regulator()
    {
        await using var practiceReceiver = await WebhookReceiver.StartAsync(Secret);
        await using var regulatorReceiver = await WebhookReceiver.StartAsync(Secret + "-regulator");
        var sector = await world.Sector(horizon: 48);
        var nurse = await world.Professional([sector], "nurse", overflowPerDay: 1);
        await api.JoinPool(nurse);
        var practice = await world.ClientFor("practitioner", nurse);
        var regulator = await world.ClientFor("regulator", sector);
        await (await practice.PutJson("/v1/webhooks", new { url = practiceReceiver.Url, secret = practiceReceiver.Secret, events = new[] { "request.offered", "request.accepted" } })).Expect(HttpStatusCode.Created);
        await (await regulator.PutJson("/v1/webhooks", new { url = regulatorReceiver.Url, secret = regulatorReceiver.Secret, events = new[] { "request.accepted", "request.expired", "booking.created" } })).Expect(HttpStatusCode.Created);

        var now = api.Clock.GetUtcNow(); // other tests of this class move the clock
        var request = (await (await regulator.Post(PooledRequests.Body(sector, now: now))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await Drain(nurse);
        var offered = Assert.Single(practiceReceiver.Accepted);
        Assert.Equal("request.offered", offered.Type);
        Assert.Contains(request, offered.Body);

        await (await practice.Accept(request, nurse, start: World.Local(now.AddHours(1)))).Expect(HttpStatusCode.Created);
        await Drain(nurse);
        Assert.Equal(["booking.created", "request.accepted"], regulatorReceiver.Accepted.Select(a => a.Type).Order());
        Assert.Equal(["request.accepted", "request.offered"], practiceReceiver.Accepted.Select(a => a.Type).Order());
        Assert.Equal(0, practiceReceiver.BadSignatures + regulatorReceiver.BadSignatures);
        Assert.All(practiceReceiver.Accepted.Concat(regulatorReceiver.Accepted), a => Assert.DoesNotContain(BookingRequests.PatientLastName, a.Body));
    }

    /// <summary>
    /// A pooled request offered to two nurses of one practice and to a third of another: each practice hears of each of its
    /// changes once (not once per professional of theirs), a practice whose nurse was not offered it hears nothing.
    /// </summary>
    [Fact]
    public async Task A_practice_of_several_professionals_offered_a_request_hears_each_of_its_events_once()
    {
        var requestEvents = new[] { "request.offered", "request.accepted", "request.expired", "request.withdrawn" };
        await using var twoReceiver = await WebhookReceiver.StartAsync(Secret);
        await using var oneReceiver = await WebhookReceiver.StartAsync(Secret + "-one");
        await using var noneReceiver = await WebhookReceiver.StartAsync(Secret + "-none");
        var sector = await world.Sector(horizon: 48);
        var nurses = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            nurses.Add(await world.Professional([sector], "nurse", overflowPerDay: 1));
            await api.JoinPool(nurses[i]);
        }
        var notInPool = await world.Professional([sector], "nurse", overflowPerDay: 1);
        var two = await world.ClientFor("practitioner", nurses[0], nurses[1]);
        foreach (var (client, receiver) in new[] { (two, twoReceiver), (await world.ClientFor("practitioner", nurses[2]), oneReceiver), (await world.ClientFor("practitioner", notInPool), noneReceiver) })
            await (await client.PutJson("/v1/webhooks", new { url = receiver.Url, secret = receiver.Secret, events = requestEvents })).Expect(HttpStatusCode.Created);
        var regulator = await world.ClientFor("regulator", sector);
        var now = api.Clock.GetUtcNow(); // other tests of this class move the clock

        var request = (await (await regulator.Post(PooledRequests.Body(sector, now: now))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await Drain(request);
        await (await two.Accept(request, nurses[0], start: World.Local(now.AddHours(1)))).Expect(HttpStatusCode.Created);
        await Drain(request);

        Assert.Equal(["request.accepted", "request.offered"], twoReceiver.Accepted.Select(a => a.Type).Order());
        Assert.Equal(["request.accepted", "request.offered"], oneReceiver.Accepted.Select(a => a.Type).Order());
        Assert.Empty(noneReceiver.Accepted);
        Assert.Contains($"\"acceptedBy\":\"{nurses[0]}\"", oneReceiver.Accepted.Single(a => a.Type == "request.accepted").Body);
    }

    /// <summary>
    /// A regulator moves a booking to another GP's slot: the practice it left hears it (it would otherwise keep an
    /// appointment that is no longer its own), as does the practice it reached; a practice of both GPs hears it once.
    /// </summary>
    [Fact]
    public async Task A_booking_moved_to_another_gp_is_told_to_the_practice_it_left_and_to_the_one_it_reached()
    {
        await using var leftReceiver = await WebhookReceiver.StartAsync(Secret);
        await using var reachedReceiver = await WebhookReceiver.StartAsync(Secret + "-reached");
        await using var bothReceiver = await WebhookReceiver.StartAsync(Secret + "-both");
        var (sector, left, _, regulator) = await Setup(leftReceiver);
        var reached = await world.Practitioner([sector]);
        var both = await world.ClientFor("practitioner", left, reached);
        foreach (var (client, receiver) in new[] { (await world.ClientFor("practitioner", reached), reachedReceiver), (both, bothReceiver) })
            await (await client.PutJson("/v1/webhooks", new { url = receiver.Url, secret = receiver.Secret, events = new[] { "booking.moved" } })).Expect(HttpStatusCode.Created);
        var from = await world.PublishedSlot(left, TimeSpan.FromHours(2), sector);
        var to = await world.PublishedSlot(reached, TimeSpan.FromHours(3), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(from))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        await (await regulator.Move(id, to)).Expect(HttpStatusCode.OK);
        await Drain(left);
        await Drain(reached);

        var told = Assert.Single(leftReceiver.Accepted, a => a.Type == "booking.moved");
        Assert.Equal(id, told.BookingId);
        using var data = System.Text.Json.JsonDocument.Parse(told.Body);
        var moved = data.RootElement.GetProperty("data");
        Assert.Equal((reached, to, left, from), (moved.GetProperty("practitionerRpps").GetString(), moved.GetProperty("slotId").GetInt64(),
            moved.GetProperty("previousPractitionerRpps").GetString(), moved.GetProperty("previousSlotId").GetInt64()));
        Assert.Equal(told.EventId, Assert.Single(reachedReceiver.Accepted).EventId);
        Assert.Equal(told.EventId, Assert.Single(bothReceiver.Accepted).EventId);
        Assert.All(leftReceiver.Accepted, a => Assert.DoesNotContain(BookingRequests.PatientLastName, a.Body));
    }

    [Fact]
    public async Task A_receiver_down_for_an_hour_loses_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var (sector, rpps, _, regulator) = await Setup(receiver);
        receiver.Down = true;
        for (var i = 0; i < 3; i++)
            await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(1 + i), sector)))).Expect(HttpStatusCode.Created);

        for (var minute = 0; minute < 60; minute += 5)
        {
            await Dispatch();
            api.Clock.Advance(TimeSpan.FromMinutes(5));
        }
        Assert.Empty(receiver.Accepted);
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'failed'"));
        Assert.True(api.Count("SELECT MAX(attempts) FROM webhook_deliveries") >= 3);

        receiver.Down = false;
        await Drain(rpps);
        Assert.Equal(OutboxEventIds(rpps).Order(), receiver.DistinctAccepted.Order());
        Assert.Equal(receiver.Accepted.Count, receiver.DistinctAccepted.Count);
    }

    [Fact]
    public async Task A_slow_receiver_does_not_block_the_others_and_no_transaction_is_held_meanwhile()
    {
        await using var slow = await WebhookReceiver.StartAsync(Secret);
        await using var fast = await WebhookReceiver.StartAsync(Secret);
        var (sector, rpps, _, regulator) = await Setup(slow);
        var (otherSector, otherRpps, _, otherRegulator) = await Setup(fast);
        var writesDuringCall = 0;
        slow.WhileSlow = async () =>
        {
            // While this call hangs, the database takes writes: the dispatcher holds no transaction across it.
            await (await api.Admin().PutJson($"/v1/sectors/{World.NewCode()}", new { name = "during", department = "44", communes = new[] { "44109" } })).Expect(HttpStatusCode.Created);
            Interlocked.Increment(ref writesDuringCall);
            api.Clock.Advance(TimeSpan.FromSeconds(11)); // longer than the 10 s attempt timeout
        };
        await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector)))).Expect(HttpStatusCode.Created);
        await (await otherRegulator.Book(BookingRequests.Body(await world.PublishedSlot(otherRpps, TimeSpan.FromHours(1), otherSector)))).Expect(HttpStatusCode.Created);

        await Dispatch();

        Assert.Single(fast.DistinctAccepted); // the fake clock jump may time out a finished call too: a duplicate with the same id, deduplicated
        Assert.Empty(slow.Accepted);
        Assert.True(writesDuringCall >= 1);
        var error = (string)api.Rows("SELECT d.last_error FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.rpps = @rpps", new { rpps }).Single().last_error;
        Assert.Contains("no answer", error);
    }

    [Fact]
    public async Task After_the_last_attempt_a_delivery_is_failed_listed_and_can_be_sent_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var (sector, rpps, gp, regulator) = await Setup(receiver);
        receiver.Down = true;
        await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector)))).Expect(HttpStatusCode.Created);
        for (var i = 0; i < 25; i++)
        {
            await Dispatch();
            api.Clock.Advance(TimeSpan.FromMinutes(20));
        }
        var failed = await (await gp.GetAsync("/v1/webhooks/deliveries?status=failed")).Expect(HttpStatusCode.OK);
        var item = Assert.Single(failed.GetProperty("items").EnumerateArray());
        Assert.Equal(20, item.GetProperty("attempts").GetInt32());
        Assert.Equal("booking.created", item.GetProperty("eventType").GetString());
        var id = item.GetProperty("id").GetInt64();

        var stranger = await world.ClientFor("practitioner", await world.Practitioner([sector]));
        await (await stranger.PostAsync($"/v1/webhooks/deliveries/{id}/retry", null)).ExpectProblem(HttpStatusCode.NotFound, "delivery_not_found");
        receiver.Down = false;
        api.Clock.Advance(TimeSpan.FromMinutes(1)); // the circuit closes again
        await (await gp.PostAsync($"/v1/webhooks/deliveries/{id}/retry", null)).Expect(HttpStatusCode.Accepted);
        await Drain(rpps);
        Assert.Single(receiver.Accepted);
        Assert.Equal(0, (await (await gp.GetAsync("/v1/webhooks/deliveries?status=failed")).Expect(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("http://example.org/hook", "a-long-enough-secret", "booking.created", "url")]
    [InlineData("ftp://127.0.0.1/hook", "a-long-enough-secret", "booking.created", "url")]
    [InlineData("https://practice.example/hook", "short", "booking.created", "secret")]
    [InlineData("https://practice.example/hook", "a-long-enough-secret", "booking.teleported", "events[0]")]
    public async Task Webhook_settings_are_validated(string url, string secret, string eventType, string field)
    {
        var client = await world.ClientFor("practitioner", World.NewRpps());
        await (await client.PutJson("/v1/webhooks", new { url, secret, events = new[] { eventType } })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
        await (await client.GetAsync("/v1/webhooks")).ExpectProblem(HttpStatusCode.NotFound, "webhook_not_found");
    }

    [Fact]
    public async Task A_webhook_reads_back_without_its_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var client = await world.ClientFor("practitioner", World.NewRpps());
        await (await client.PutJson("/v1/webhooks", new { url = receiver.Url, secret = Secret, events = new[] { "booking.created" } })).Expect(HttpStatusCode.Created);
        var read = await (await client.GetAsync("/v1/webhooks")).Expect(HttpStatusCode.OK);
        Assert.Equal(receiver.Url, read.GetProperty("url").GetString());
        Assert.DoesNotContain(Secret, read.ToString());
    }

    [Fact]
    public async Task Jwt_clients_register_webhooks_book_cancel_and_receive_their_events()
    {
        await using var practiceHook = await WebhookReceiver.StartAsync(Secret);
        await using var regulationHook = await WebhookReceiver.StartAsync(Secret + "-regulation");
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var practice = api.WithToken(AuthTests.Token("practitioner", [rpps], sub: "practice-software-" + rpps));
        var regulation = api.WithToken(AuthTests.Token("regulator", [sector], sub: "regulation-software-" + sector));
        await (await practice.PutJson("/v1/webhooks", new { url = practiceHook.Url, secret = practiceHook.Secret, events = WebhookEndpoints.Events })).Expect(HttpStatusCode.Created);
        await (await regulation.PutJson("/v1/webhooks", new { url = regulationHook.Url, secret = regulationHook.Secret, events = new[] { "booking.created", "booking.cancelled" } })).Expect(HttpStatusCode.Created);

        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var booking = (await (await regulation.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await (await regulation.PostJson($"/v1/bookings/{booking}/cancellation", new { by = "regulator", reason = "patient better" })).Expect(HttpStatusCode.OK);
        await Drain(rpps);

        Assert.Equal(["booking.created", "booking.cancelled"], practiceHook.Accepted.Where(a => a.BookingId == booking).Select(a => a.Type));
        Assert.Equal(["booking.created", "booking.cancelled"], regulationHook.Accepted.Where(a => a.BookingId == booking).Select(a => a.Type));
        await (await regulation.GetAsync("/v1/webhooks/deliveries")).Expect(HttpStatusCode.OK);
    }
}
