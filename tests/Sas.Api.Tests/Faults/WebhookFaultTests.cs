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
}
