using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sas.Api.Notifications;

/// <summary>
/// Before a URL receives events, it proves it is a webhook receiver of the client that registers it: it gets a signed
/// <c>webhook.verification</c> event whose <c>data.challenge</c> it must send back in a 2xx answer's body (for instance
/// <c>{"challenge":"…"}</c>). A URL that points at some other service (an internal one, a third party's) cannot answer it.
/// </summary>
public sealed class WebhookVerifier(IHttpClientFactory http, TimeProvider clock)
{
    public const string EventType = "webhook.verification";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Null when the receiver echoed the challenge; else what went wrong, for the 422.</summary>
    public async Task<string?> VerifyAsync(string url, string secret, CancellationToken ct)
    {
        var challenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var eventId = Guid.NewGuid().ToString();
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = eventId, type = EventType, occurredAt = Domain.Time.Instants.Format(clock.GetUtcNow().UtcDateTime), data = new { challenge },
        }, Json);
        try
        {
            using var request = WebhookSender.Request(url, eventId, EventType, body, secret, clock);
            using var response = await http.CreateClient(WebhookSender.VerificationClientName).SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) return $"the verification event was answered HTTP {(int)response.StatusCode}, not 2xx";
            return text.Contains(challenge, StringComparison.Ordinal) ? null : "the 2xx answer to the verification event did not contain its data.challenge";
        }
        catch (HttpRequestException e) { return "the verification event could not be delivered: " + (WebhookTargets.RefusalIn(e) ?? e.HttpRequestError.ToString()); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return "the verification event got no answer within 10 s"; }
    }
}
