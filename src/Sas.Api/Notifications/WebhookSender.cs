using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Sas.Api.Notifications;

/// <summary>
/// Sends one signed delivery through a Polly pipeline of its receiving endpoint: per-attempt timeout,
/// a few quick retries with exponential backoff and jitter, and a circuit breaker per endpoint so a
/// receiver that is down is not hammered (and costs nothing to the others). Time comes from the
/// injected clock, so tests drive timeouts and the breaker without waiting.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory http, WebhookOptions options, TimeProvider clock)
{
    public const string HttpClientName = "webhooks";
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> pipelines = new();

    public sealed record Result(bool Delivered, string? Error);

    public async Task<Result> SendAsync(DueDelivery d, CancellationToken ct)
    {
        if (d.Url is null || d.Secret is null) return new Result(false, "the client has no webhook any more");
        var body = Encoding.UTF8.GetBytes(d.Payload);
        var pipeline = pipelines.GetOrAdd(EndpointKey(d.Url), _ => Build());
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, d.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("Sas-Event-Id", d.EventId);
                request.Headers.Add("Sas-Event-Type", d.EventType);
                request.Headers.Add("Sas-Signature", Sign(body, d.Secret));
                return await http.CreateClient(HttpClientName).SendAsync(request, token);
            }, ct);
            return response.IsSuccessStatusCode ? new Result(true, null) : new Result(false, $"HTTP {(int)response.StatusCode}");
        }
        catch (BrokenCircuitException) { return new Result(false, "circuit open: the endpoint failed repeatedly"); }
        catch (TimeoutRejectedException) { return new Result(false, $"no answer within {options.AttemptTimeout.TotalSeconds:0.#} s"); }
        catch (HttpRequestException e) { return new Result(false, "connection failed: " + e.HttpRequestError); }
    }

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of the exact body bytes with the client's secret.</summary>
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static string EndpointKey(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.GetLeftPart(UriPartial.Authority) : url;

    private ResiliencePipeline<HttpResponseMessage> Build()
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == System.Net.HttpStatusCode.TooManyRequests);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock };
        if (options.RetriesPerRun > 0)
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.RetriesPerRun,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args => { args.Outcome.Result?.Dispose(); return default; }, // the refused answer is not read again
            });
        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromMinutes(1),
                BreakDuration = options.BreakDuration,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }
}
