using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class WebhookSenderTests
{
    /// <summary>The sender with the API's own HttpClient registration, quick retries without delay.</summary>
    private static WebhookSender Sender()
    {
        var services = new ServiceCollection()
            .AddSingleton(new WebhookOptions { RetryDelay = TimeSpan.Zero, RetriesPerRun = 2 })
            .AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider())
            .AddSingleton<DeliveryClient>()
            .AddSingleton<WebhookSender>();
        WebhookSender.AddHttpClient(services);
        return services.BuildServiceProvider().GetRequiredService<WebhookSender>();
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
