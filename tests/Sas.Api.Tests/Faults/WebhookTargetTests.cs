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

    /// <summary>IPv6 addresses that lead to an IPv4 one through a translator or a relay are judged by where they lead.</summary>
    [Theory]
    [InlineData("64:ff9b::7f00:1", true)]            // NAT64 to 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe", true)]         // NAT64 to 169.254.169.254, the cloud metadata address
    [InlineData("64:ff9b::a00:1", true)]             // NAT64 to 10.0.0.1
    [InlineData("64:ff9b:1::a00:1", true)]           // the local-use NAT64 prefix
    [InlineData("2002:a00:1::1", true)]              // 6to4 through 10.0.0.1
    [InlineData("2002:7f00:1::", true)]              // 6to4 through 127.0.0.1
    [InlineData("2001:0:a00:1::1", true)]            // Teredo, server 10.0.0.1
    [InlineData("2001:0:808:808::80ff:fefe", true)]  // Teredo, client 127.0.1.1 (inverted)
    [InlineData("::a9fe:a9fe", true)]                // IPv4-compatible 169.254.169.254
    [InlineData("::ffff:10.0.0.1", true)]            // IPv4-mapped
    [InlineData("64:ff9b::808:808", false)]          // NAT64 to 8.8.8.8: public
    [InlineData("2002:808:808::1", false)]           // 6to4 through 8.8.8.8
    [InlineData("2a01:e0a:1::1", false)]             // a plain public IPv6 address
    public void An_ipv6_address_carrying_an_ipv4_one_is_judged_by_it(string address, bool refused) =>
        Assert.Equal(refused, WebhookTargets.IsNonPublic(IPAddress.Parse(address)));

    /// <summary>
    /// The connection-time check sees the addresses it dials; through a proxy (HTTPS_PROXY in the host's environment) it
    /// would see the proxy's. The webhooks' handlers use none.
    /// </summary>
    [Fact]
    public void The_webhook_clients_never_go_through_a_proxy()
    {
        var factory = open.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        foreach (var name in new[] { WebhookSender.HttpClientName, WebhookSender.VerificationClientName })
        {
            HttpMessageHandler? handler = factory.CreateHandler(name);
            while (handler is DelegatingHandler outer) handler = outer.InnerHandler;
            var sockets = Assert.IsType<SocketsHttpHandler>(handler);
            Assert.False(sockets.UseProxy, name);
            Assert.NotNull(sockets.ConnectCallback);
        }
    }

    /// <summary>Any public echo service would send the challenge back: the answer must show the webhook's secret.</summary>
    [Fact]
    public async Task A_url_that_echoes_the_verification_event_is_not_verified()
    {
        var client = await Practice(open);
        var (echo, address) = await LoopbackHost.StartAsync(a => a.Run(async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Request.Body.CopyToAsync(ctx.Response.Body);
        }));
        try
        {
            await (await client.PutJson("/v1/webhooks", new { url = address + "/echo", secret = Secret, events = new[] { "booking.created" } }))
                .ExpectProblem(HttpStatusCode.UnprocessableEntity, "webhook_not_verified", "url");
        }
        finally { await LoopbackHost.StopAsync(echo); }
    }

    /// <summary>The verification reads the answer's first kilobyte, within one deadline over the whole exchange.</summary>
    [Fact]
    public async Task A_verification_answer_that_never_ends_or_never_comes_is_refused()
    {
        var client = await Practice(open);
        await using var receiver = await ScriptedReceiver.StartAsync(answerChallenges: false);
        var endless = receiver.On("/endless", async ctx =>
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            while (!ctx.RequestAborted.IsCancellationRequested) await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
        });
        await (await client.PutJson("/v1/webhooks", new { url = endless, secret = Secret, events = new[] { "booking.created" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "webhook_not_verified", "url");

        var silent = receiver.On("/headers-only", async ctx =>
        {
            ctx.Response.ContentLength = 100;
            await ctx.Response.Body.FlushAsync(); // the headers leave now
            open.Clock.Advance(TimeSpan.FromSeconds(11)); // past the deadline, on the service's clock
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
        });
        var refused = await (await client.PutJson("/v1/webhooks", new { url = silent, secret = Secret, events = new[] { "booking.created" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "webhook_not_verified", "url");
        Assert.Contains("no whole answer within", refused.GetProperty("errors").GetProperty("url")[0].GetString());
    }
}
