using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

/// <summary>A host with no on-premise receiver allowed: as a deployment starts.</summary>
public sealed class PublicWebhooksOnlyApi : WebhookTests.Api
{
    protected override bool AllowLoopbackWebhooks => false;
}

/// <summary>Webhooks as a way into the hosting network (SSRF), and URLs that are not receivers at all.</summary>
public class WebhookTargetTests(PublicWebhooksOnlyApi closed, WebhookTests.Api open) : IClassFixture<PublicWebhooksOnlyApi>, IClassFixture<WebhookTests.Api>
{
    private const string Secret = "a-long-enough-webhook-secret";

    private static async Task<HttpClient> Practice(SasApiFactory api) => await new World(api).ClientFor("practitioner", World.NewRpps());

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://192.168.0.10/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://224.0.0.1/hook")]
    [InlineData("https://localhost/hook")]
    public async Task A_webhook_inside_the_network_is_refused_at_registration(string url)
    {
        var client = await Practice(closed);
        await (await client.PutJson("/v1/webhooks", new { url, secret = Secret, events = new[] { "booking.created" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "webhook_target_refused", "url");
        await (await client.GetAsync("/v1/webhooks")).ExpectProblem(HttpStatusCode.NotFound, "webhook_not_found");
    }

    [Fact]
    public async Task A_real_loopback_receiver_is_refused_by_default_and_allowed_by_the_setting()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var refused = await (await (await Practice(closed)).PutJson("/v1/webhooks", new { url = receiver.Url, secret = Secret, events = new[] { "booking.created" } })).Expect(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Webhooks:AllowedPrivateHosts", refused.GetProperty("errors").GetProperty("url")[0].GetString()); // its http on loopback: only for an allowed host
        Assert.Empty(receiver.Signatures); // not even the verification event was sent
        await (await (await Practice(open)).PutJson("/v1/webhooks", new { url = receiver.Url, secret = Secret, events = new[] { "booking.created" } })).Expect(HttpStatusCode.Created);
        Assert.Single(receiver.Signatures); // its verification
    }

    [Fact]
    public async Task A_webhook_that_turns_inward_after_registration_is_not_dialled()
    {
        // As after a DNS change: the stored URL now leads inside. The check at connection time still refuses it.
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var world = new World(closed);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var created = await (await closed.Admin().PostJson("/v1/clients", new { name = "practice", role = "practitioner", scope = new[] { rpps } })).Expect(HttpStatusCode.Created);
        var clientId = created.GetProperty("id").GetString();
        var gp = closed.WithKey(created.GetProperty("apiKey").GetString()!);
        using (var c = closed.OpenDb())
            Dapper.SqlMapper.Execute(c, "INSERT INTO webhooks (client_id, url, secret, events, updated_at) VALUES (@clientId, @url, @secret, '[\"booking.created\"]', @now)",
                new { clientId, url = receiver.Url, secret = Secret, now = closed.Clock.GetUtcNow().UtcDateTime });
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector)))).Expect(HttpStatusCode.Created);

        await closed.Services.GetRequiredService<NotificationDispatchJob>().RunAsync(CancellationToken.None);

        Assert.Empty(receiver.Signatures);
        var delivery = Assert.Single((await (await gp.GetAsync("/v1/webhooks/deliveries")).Expect(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        Assert.Contains("not public", delivery.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task A_url_that_does_not_answer_the_verification_challenge_is_refused()
    {
        var client = await Practice(open);
        // Some other service: it answers 200 to anything, but not with the challenge.
        var (other, address) = await LoopbackHost.StartAsync(a => a.Run(ctx => ctx.Response.WriteAsync("ok")));
        try
        {
            await (await client.PutJson("/v1/webhooks", new { url = address + "/anything", secret = Secret, events = new[] { "booking.created" } }))
                .ExpectProblem(HttpStatusCode.UnprocessableEntity, "webhook_not_verified", "url");
        }
        finally { await LoopbackHost.StopAsync(other); }

        // A receiver holding another secret refuses the signature: not verified either.
        await using var stranger = await WebhookReceiver.StartAsync("another-secret-entirely-xyz");
        await (await client.PutJson("/v1/webhooks", new { url = stranger.Url, secret = Secret, events = new[] { "booking.created" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "webhook_not_verified", "url");
        Assert.Equal(1, stranger.BadSignatures);
        await (await client.GetAsync("/v1/webhooks")).ExpectProblem(HttpStatusCode.NotFound, "webhook_not_found");
    }
}
