using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Sas.Api.Notifications;

/// <summary>Sends one signed webhook delivery through the shared <see cref="DeliveryClient"/>, the circuit breaker keyed by the webhook's URL.</summary>
public sealed class WebhookSender(DeliveryClient delivery)
{
    public const string HttpClientName = "webhooks";

    /// <summary>The webhooks' HttpClient: redirects are not followed.</summary>
    public static IHttpClientBuilder AddHttpClient(IServiceCollection services) =>
        DeliveryClient.AddDeliveryClient(services, HttpClientName, _ => new SocketsHttpHandler { AllowAutoRedirect = false });

    public Task<DeliveryClient.Result> SendAsync(DueDelivery d, CancellationToken ct)
    {
        if (d.Url is null || d.Secret is null) return Task.FromResult(new DeliveryClient.Result(false, "the client has no webhook any more"));
        var body = Encoding.UTF8.GetBytes(d.Payload);
        return delivery.SendAsync(d.Url, HttpClientName, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, d.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("Sas-Event-Id", d.EventId);
            request.Headers.Add("Sas-Event-Type", d.EventType);
            request.Headers.Add("Sas-Signature", Sign(body, d.Secret));
            return request;
        }, ct);
    }

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of the exact body bytes with the client's secret.</summary>
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
