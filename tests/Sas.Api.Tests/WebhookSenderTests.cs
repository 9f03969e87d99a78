using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class WebhookSenderTests
{
    /// <summary>The sender with the API's own HttpClient registration, quick retries without delay.</summary>
    private static WebhookSender Sender(bool allowLoopback = true)
    {
        var services = new ServiceCollection()
            .AddSingleton(new WebhookOptions { RetryDelay = TimeSpan.Zero, RetriesPerRun = 2, AllowedPrivateHosts = allowLoopback ? ["127.0.0.1"] : [] })
            .AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero)))
            .AddSingleton<DeliveryClient>()
            .AddSingleton<WebhookSender>();
        WebhookSender.AddHttpClients(services);
        return services.BuildServiceProvider().GetRequiredService<WebhookSender>();
    }

    [Fact]
    public async Task Each_delivery_is_signed_over_its_timestamp_and_body()
    {
        await using var receiver = await WebhookReceiver.StartAsync("secret-secret-secret");
        var result = await Sender().SendAsync(new DueDelivery(1, "e1", "booking.created", "c", "b", 0, receiver.Url, receiver.Secret, """{"type":"booking.created","data":{}}"""), default);
        Assert.True(result.Delivered, result.Error);
        var signature = Assert.Single(receiver.Signatures);
        Assert.StartsWith($"t={new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()},v1=", signature);
        Assert.Equal(WebhookSender.Sign(System.Text.Encoding.UTF8.GetBytes("""{"type":"booking.created","data":{}}"""), receiver.Secret, 1795417200), signature);
        // The same body signed at another time has another signature: a captured delivery cannot be passed off as a fresh one.
        Assert.NotEqual(signature, WebhookSender.Sign(System.Text.Encoding.UTF8.GetBytes("""{"type":"booking.created","data":{}}"""), receiver.Secret, 1795417200 + 600));
    }

    [Fact]
    public async Task A_receiver_whose_address_is_not_public_is_never_dialled_unless_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync("secret-secret-secret");
        var result = await Sender(allowLoopback: false).SendAsync(new DueDelivery(1, "e1", "booking.created", "c", "b", 0, receiver.Url, receiver.Secret, "{}"), default);
        Assert.False(result.Delivered);
        Assert.Contains("not public", result.Error);
        Assert.Empty(receiver.SeenEventIds);
        Assert.Empty(receiver.Signatures);
    }

    [Fact]
    public async Task A_refused_delivery_is_retried_in_the_same_run_and_a_signed_body_arrives()
    {
        var sender = Sender();
        await using var receiver = await WebhookReceiver.StartAsync("secret-secret-secret", failFirst: 1);
        var result = await sender.SendAsync(new DueDelivery(1, "e1", "booking.created", "c", "b", 0, receiver.Url, receiver.Secret, """{"type":"booking.created","data":{}}"""), default);
        Assert.Equal(1, receiver.Refused);
        Assert.True(result.Delivered, result.Error);
        Assert.Equal(["e1", "e1"], receiver.SeenEventIds);
        Assert.Single(receiver.Accepted);
    }

    [Fact]
    public async Task A_delivery_refused_on_every_try_is_not_delivered()
    {
        var sender = Sender();
        await using var receiver = await WebhookReceiver.StartAsync("secret-secret-secret", failFirst: 10);
        var result = await sender.SendAsync(new DueDelivery(1, "e1", "booking.created", "c", "b", 0, receiver.Url, receiver.Secret, """{"type":"booking.created","data":{}}"""), default);
        Assert.False(result.Delivered);
        Assert.Equal("HTTP 500", result.Error);
        Assert.Equal(3, receiver.Refused);
    }
}
