using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class WebhookSenderTests
{
    [Fact]
    public async Task A_refused_delivery_is_retried_in_the_same_run_and_a_signed_body_arrives()
    {
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var sender = new WebhookSender(new DeliveryPipelines(services.GetRequiredService<IHttpClientFactory>(), new WebhookOptions { RetryDelay = TimeSpan.Zero, RetriesPerRun = 2 }, clock));
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
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var sender = new WebhookSender(new DeliveryPipelines(services.GetRequiredService<IHttpClientFactory>(), new WebhookOptions { RetryDelay = TimeSpan.Zero, RetriesPerRun = 2 }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider()));
        await using var receiver = await WebhookReceiver.StartAsync("secret-secret-secret", failFirst: 10);
        var result = await sender.SendAsync(new DueDelivery(1, "e1", "booking.created", "c", "b", 0, receiver.Url, receiver.Secret, """{"type":"booking.created","data":{}}"""), default);
        Assert.False(result.Delivered);
        Assert.Equal("HTTP 500", result.Error);
        Assert.Equal(3, receiver.Refused);
    }
}
