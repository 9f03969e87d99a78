using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Sas.Api.Notifications;

/// <summary>
/// Sends one signed webhook delivery through the shared <see cref="DeliveryClient"/>, the circuit breaker keyed by the
/// webhook's URL. The signature covers a timestamp with the body (<c>t=…,v1=…</c>, as Stripe's), so a captured delivery
/// cannot be replayed later: receivers refuse a timestamp further than <see cref="WebhookOptions.SignatureTolerance"/> from
/// their clock, compare in constant time, and deduplicate on <c>Sas-Event-Id</c>.
/// </summary>
public sealed class WebhookSender(DeliveryClient delivery, TimeProvider clock)
{
    public const string HttpClientName = "webhooks";
    public const string VerificationClientName = "webhook-verification";

    /// <summary>The webhooks' HttpClients: redirects are not followed, and only allowed addresses are dialled.</summary>
    public static void AddHttpClients(IServiceCollection services)
    {
        services.AddSingleton<WebhookTargets>();
        // No proxy: the connect-time address check must see the receiver's addresses, not a proxy's (HTTPS_PROXY would
        // otherwise carry every delivery, the inward ones too, through a host the check approves).
        SocketsHttpHandler Handler(IServiceProvider sp) =>
            new() { AllowAutoRedirect = false, UseProxy = false, ConnectCallback = sp.GetRequiredService<WebhookTargets>().ConnectAsync };
        DeliveryClient.AddDeliveryClient(services, HttpClientName, Handler);
        // The verifier puts its own deadline on the whole exchange, the answer's first kilobyte included.
        services.AddHttpClient(VerificationClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).ConfigurePrimaryHttpMessageHandler(Handler);
    }

    public Task<DeliveryClient.Result> SendAsync(DueDelivery d, CancellationToken ct)
    {
        if (d.Url is null || d.Secret is null) return Task.FromResult(new DeliveryClient.Result(false, "the client has no webhook any more"));
        var body = Encoding.UTF8.GetBytes(d.Payload);
        return delivery.SendAsync(d.Url, HttpClientName, () => Request(d.Url, d.EventId, d.EventType, body, d.Secret, clock), ct);
    }

    /// <summary>A signed POST of <paramref name="body"/>, stamped now (each attempt is stamped anew).</summary>
    public static HttpRequestMessage Request(string url, string eventId, string eventType, byte[] body, string secret, TimeProvider clock)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Sas-Event-Id", eventId);
        request.Headers.Add("Sas-Event-Type", eventType);
        request.Headers.Add("Sas-Signature", Sign(body, secret, clock.GetUtcNow().ToUnixTimeSeconds()));
        return request;
    }

    /// <summary><c>t=</c> the Unix time, <c>,v1=</c> the hex HMAC-SHA256, with the client's secret, of the time, a dot and the exact body bytes.</summary>
    public static string Sign(byte[] body, string secret, long unixSeconds)
    {
        var stamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(stamp + ".").Concat(body).ToArray();
        return $"t={stamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
