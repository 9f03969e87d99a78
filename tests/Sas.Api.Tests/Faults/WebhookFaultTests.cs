using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

/// <summary>Hostile or broken receivers, on real loopback sockets: no event is marked delivered unless a receiver took it.</summary>
public class WebhookFaultTests(WebhookTests.Api api) : IClassFixture<WebhookTests.Api>
{
    private const string Secret = "a-long-enough-webhook-secret";
    private readonly World world = new(api);

    private Task<int> Dispatch() => api.Services.GetRequiredService<NotificationDispatchJob>().RunAsync(CancellationToken.None);

    /// <summary>A GP whose practice software receives at <paramref name="url"/>, and a regulator who books its slots.</summary>
    private async Task<(string Sector, string Rpps, HttpClient Gp, HttpClient Regulator)> Subscribed(string url)
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);
        await (await gp.PutJson("/v1/webhooks", new { url, secret = Secret, events = WebhookEndpoints.Events })).Expect(HttpStatusCode.Created);
        return (sector, rpps, gp, await world.ClientFor("regulator", sector));
    }

    private async Task Book(HttpClient regulator, string rpps, string sector, int count = 1)
    {
        for (var i = 0; i < count; i++)
            await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(1) + TimeSpan.FromMinutes(30 * i), sector)))).Expect(HttpStatusCode.Created);
    }

    private static async Task<JsonElement> OnlyDelivery(HttpClient gp) =>
        Assert.Single((await (await gp.GetAsync("/v1/webhooks/deliveries")).Expect(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_a_failed_attempt_naming_the_status_and_location_and_is_never_followed(int status)
    {
        await using var receiver = await ScriptedReceiver.StartAsync();
        var elsewhere = receiver.Status("/elsewhere", 200);
        var url = receiver.Redirect($"/moved-{status}", status, elsewhere);
        var (sector, rpps, gp, regulator) = await Subscribed(url);
        await Book(regulator, rpps, sector);

        Assert.Equal(0, await Dispatch());

        Assert.Empty(receiver.To("/elsewhere"));
        Assert.Single(receiver.To($"/moved-{status}")); // a redirect is not a transient failure: no quick retry
        var delivery = await OnlyDelivery(gp);
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        var error = delivery.GetProperty("lastError").GetString()!;
        Assert.Contains($"HTTP {status}", error);
        Assert.Contains(elsewhere, error);
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("deliveredAt").ValueKind);
    }

    [Fact]
    public async Task Gone_fails_the_delivery_at_once_and_it_is_not_tried_again()
    {
        await using var receiver = await ScriptedReceiver.StartAsync();
        var (sector, rpps, gp, regulator) = await Subscribed(receiver.Status("/gone", 410));
        await Book(regulator, rpps, sector);

        await Dispatch();
        api.Clock.Advance(TimeSpan.FromHours(1));
        await Dispatch();

        Assert.Single(receiver.To("/gone"));
        var delivery = await OnlyDelivery(gp);
        Assert.Equal("failed", delivery.GetProperty("status").GetString());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Contains("410", delivery.GetProperty("lastError").GetString());
        Assert.Contains("gone", delivery.GetProperty("lastError").GetString());
        var failed = await (await gp.GetAsync("/v1/webhooks/deliveries?status=failed")).Expect(HttpStatusCode.OK);
        Assert.Single(failed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_reset_connection_is_retried_and_stays_pending()
    {
        await using var receiver = await ScriptedReceiver.StartAsync();
        var (sector, rpps, gp, regulator) = await Subscribed(receiver.Reset("/reset"));
        await Book(regulator, rpps, sector);

        await Dispatch();

        Assert.Equal(3, receiver.To("/reset").Count); // the first try and both quick retries
        var delivery = await OnlyDelivery(gp);
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        Assert.Contains("connection failed", delivery.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_and_stays_pending()
    {
        await using var receiver = await ScriptedReceiver.StartAsync();
        var (sector, rpps, gp, regulator) = await Subscribed(receiver.Hang("/silent", () => api.Clock.Advance(TimeSpan.FromSeconds(11))));
        await Book(regulator, rpps, sector);

        await Dispatch();

        Assert.NotEmpty(receiver.To("/silent"));
        var delivery = await OnlyDelivery(gp);
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        Assert.Contains("no answer", delivery.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task A_healthy_receiver_sharing_host_and_port_with_a_failing_one_gets_every_event_in_the_first_run()
    {
        await using var receiver = await ScriptedReceiver.StartAsync();
        var broken = await Subscribed(receiver.Status("/broken", 500));
        var healthy = await Subscribed(receiver.Status("/healthy", 204));
        await Book(broken.Regulator, broken.Rpps, broken.Sector, count: 6);
        await Book(healthy.Regulator, healthy.Rpps, healthy.Sector, count: 6);

        await Dispatch(); // the broken endpoint opens its circuit during this run

        Assert.True(receiver.To("/broken").Count >= 4, $"{receiver.To("/broken").Count} requests to /broken, {receiver.To("/healthy").Count} to /healthy");
        var deliveries = (await (await healthy.Gp.GetAsync("/v1/webhooks/deliveries")).Expect(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(6, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
        Assert.Equal(6, receiver.To("/healthy").Count);
    }

    /// <summary>
    /// A receiver announcing a body it never sends (200, Content-Length 10, then nothing) used to hold the dispatch, and
    /// its Hangfire worker, for good: the answer's body was read outside every timeout. Ten minutes of the service's
    /// clock, as Hangfire would run the jobs: each minute the other client's event and the expiry of a slot that has
    /// started both happen in that minute's runs. The guard on each run only turns a hang into a failure.
    /// </summary>
    [Fact]
    public async Task A_receiver_that_never_sends_its_body_freezes_neither_the_other_clients_nor_the_expiry()
    {
        await using var receiver = await ScriptedReceiver.StartAsync();
        var liar = await Subscribed(receiver.On("/liar", async ctx =>
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentLength = 10;
            await ctx.Response.Body.FlushAsync(); // the headers leave now
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
        }));
        var healthy = await Subscribed(receiver.Status("/healthy", 204));
        var expiry = api.Services.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>();

        for (var minute = 1; minute <= 10; minute++)
        {
            foreach (var (regulator, rpps, sector) in new[] { (liar.Regulator, liar.Rpps, liar.Sector), (healthy.Regulator, healthy.Rpps, healthy.Sector) })
                await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(2 + minute), sector)))).Expect(HttpStatusCode.Created);
            var startsNow = await world.PublishedSlot(await world.Practitioner([healthy.Sector]), TimeSpan.FromSeconds(59), healthy.Sector);

            await Dispatch().WaitAsync(TimeSpan.FromSeconds(30));
            api.Clock.Advance(TimeSpan.FromMinutes(1));
            await expiry.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(minute, receiver.To("/healthy").Count(r => r.Body.Contains("booking.created")));
            Assert.Equal("expired", (string)api.Rows("SELECT status FROM slots WHERE id = @startsNow", new { startsNow }).Single().status);
        }
        // It answered 2xx: its events are delivered, whatever its body was to be.
        var lied = (await (await liar.Gp.GetAsync("/v1/webhooks/deliveries?status=delivered")).Expect(HttpStatusCode.OK)).GetProperty("items").GetArrayLength();
        Assert.True(lied >= 10, $"{lied} deliveries to the lying receiver marked delivered");
    }

    /// <summary>A receiver that answers each event slowly, in time: a run starts sends for a minute of the clock, then stops.</summary>
    [Fact]
    public async Task A_run_stops_starting_sends_past_its_budget_and_the_next_run_goes_on()
    {
        await using var receiver = await ScriptedReceiver.StartAsync();
        var slow = await Subscribed(receiver.On("/slow", ctx =>
        {
            api.Clock.Advance(TimeSpan.FromSeconds(9)); // each answer takes 9 s of the service's clock, within the attempt's 10
            ctx.Response.StatusCode = 204;
            return Task.CompletedTask;
        }));
        await Book(slow.Regulator, slow.Rpps, slow.Sector, count: 8);

        await Dispatch();
        Assert.Equal(7, receiver.To("/slow").Count); // started at 0, 9, ... 54 s; at 63 s the minute is spent
        var pending = (await (await slow.Gp.GetAsync("/v1/webhooks/deliveries?status=pending")).Expect(HttpStatusCode.OK)).GetProperty("items").GetArrayLength();
        Assert.Equal(1, pending);

        await Dispatch();
        Assert.Equal(8, receiver.To("/slow").Count);
    }
}
