using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sas.Api.Notifications;

/// <summary>
/// Before a URL receives events, it proves it is a webhook receiver of the client that registers it: it gets a signed
/// <c>webhook.verification</c> event and must answer 2xx with the hex HMAC-SHA256, keyed with the webhook's secret, of
/// the event's <c>data.challenge</c> (for instance <c>{"answer":"…"}</c>). Echoing the challenge is not enough: any public
/// echo service would pass. A URL that points at some other service (an internal one, a third party's) cannot answer it.
/// One deadline (<see cref="WebhookOptions.AttemptTimeout"/>) covers the whole exchange, and at most
/// <see cref="MaxAnswerBytes"/> of the answer are read.
/// </summary>
public sealed class WebhookVerifier(IHttpClientFactory http, WebhookOptions options, TimeProvider clock)
{
    public const string EventType = "webhook.verification";

    /// <summary>How much of the receiver's answer is read: the answer is 64 hex characters in a small JSON object.</summary>
    public const int MaxAnswerBytes = 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What a receiver must answer to <paramref name="challenge"/>: lower-case hex HMAC-SHA256 keyed with the secret.</summary>
    public static string Answer(string secret, string challenge) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(challenge)));

    /// <summary>Null when the receiver answered the challenge; else what went wrong, for the 422.</summary>
    public async Task<string?> VerifyAsync(string url, string secret, CancellationToken ct)
    {
        var challenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var eventId = Guid.NewGuid().ToString();
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = eventId, type = EventType, occurredAt = Domain.Time.Instants.Format(clock.GetUtcNow().UtcDateTime), data = new { challenge },
        }, Json);
        using var deadline = new CancellationTokenSource(options.AttemptTimeout, clock);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            using var request = WebhookSender.Request(url, eventId, EventType, body, secret, clock);
            using var response = await http.CreateClient(WebhookSender.VerificationClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, both.Token);
            if (!response.IsSuccessStatusCode) return $"the verification event was answered HTTP {(int)response.StatusCode}, not 2xx";
            var text = await ReadStartAsync(response, both.Token);
            return text.Contains(Answer(secret, challenge), StringComparison.OrdinalIgnoreCase)
                ? null
                : $"the 2xx answer to the verification event did not contain the hex HMAC-SHA256 of its data.challenge (in its first {MaxAnswerBytes} bytes)";
        }
        catch (HttpRequestException e) { return "the verification event could not be delivered: " + (WebhookTargets.RefusalIn(e) ?? e.HttpRequestError.ToString()); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"the verification event got no whole answer within {options.AttemptTimeout.TotalSeconds:0.#} s";
        }
    }

    /// <summary>The answer's first <see cref="MaxAnswerBytes"/> bytes as text: a receiver may send more, or never end.</summary>
    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxAnswerBytes];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) break;
            read += n;
        }
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
