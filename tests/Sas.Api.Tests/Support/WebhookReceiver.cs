using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sas.Api.Tests.Support;

/// <summary>
/// A real HTTP receiver on loopback (Kestrel, a free port), as a practice's software would run one.
/// It checks every signature, can refuse its first k deliveries, be down (connections dropped), or be
/// slow (it moves the test's fake clock past the sender's timeout instead of sleeping).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int failuresLeft;

    public record Received(string EventId, string Type, string? BookingId, string Body, DateTime At);

    public ConcurrentQueue<Received> Accepted { get; } = new();
    public ConcurrentQueue<string> SeenEventIds { get; } = new();
    public int BadSignatures;
    public int Refused;
    public bool Down { get; set; }
    public Func<Task>? WhileSlow { get; set; }
    public string Secret { get; }
    public string Url { get; }

    private WebhookReceiver(WebApplication app, string secret, string url) { this.app = app; Secret = secret; Url = url; }

    public static async Task<WebhookReceiver> StartAsync(string secret, int failFirst = 0)
    {
        WebhookReceiver? self = null;
        // A lambda of HttpContext alone is a RequestDelegate: Handle sets the status itself.
        var (app, address) = await LoopbackHost.StartAsync(a => a.MapPost("/hook", (HttpContext ctx) => self!.Handle(ctx)));
        self = new WebhookReceiver(app, secret, address + "/hook") { failuresLeft = failFirst };
        return self;
    }

    /// <summary>Signatures seen, as sent (<c>t=…,v1=…</c>).</summary>
    public ConcurrentQueue<string> Signatures { get; } = new();

    private async Task Handle(HttpContext ctx)
    {
        using var ms = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(ms);
        var body = ms.ToArray();
        var signature = ctx.Request.Headers["Sas-Signature"].ToString();
        Signatures.Enqueue(signature);
        if (!SignatureHolds(signature, body, Secret)) { Interlocked.Increment(ref BadSignatures); ctx.Response.StatusCode = 401; return; }
        if (await WebhookChallenge.AnswerAsync(ctx, body, Secret)) return;
        if (Down) { ctx.Abort(); return; }
        var eventId = ctx.Request.Headers["Sas-Event-Id"].ToString();
        SeenEventIds.Enqueue(eventId);
        if (WhileSlow is { } slow)
        {
            await slow();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
            ctx.Response.StatusCode = 504;
            return;
        }
        if (Interlocked.Decrement(ref failuresLeft) >= 0) { Interlocked.Increment(ref Refused); ctx.Response.StatusCode = 500; return; }
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        Accepted.Enqueue(new Received(eventId, json.RootElement.GetProperty("type").GetString()!,
            data.TryGetProperty("bookingId", out var b) ? b.GetString() : null, Encoding.UTF8.GetString(body), DateTime.UtcNow));
        ctx.Response.StatusCode = 200;
    }

    public IReadOnlyList<string> DistinctAccepted => Accepted.Select(a => a.EventId).Distinct().ToList();

    /// <summary>
    /// What the README tells receivers to do: recompute <c>v1</c> over the timestamp, a dot and the body, and compare in
    /// constant time. (A real receiver also refuses a <c>t</c> more than 5 minutes from its own clock; the tests' clock is fake.)
    /// </summary>
    public static bool SignatureHolds(string header, byte[] body, string secret)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1)) return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + ".").Concat(body).ToArray());
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1.Length == 64 ? v1 : new string('0', 64)));
    }

    public ValueTask DisposeAsync() => LoopbackHost.StopAsync(app);
}
