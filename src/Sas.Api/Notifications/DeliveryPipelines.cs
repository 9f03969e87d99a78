using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Sas.Api.Notifications;

/// <summary>
/// The Polly delivery shared by every outbound channel (webhooks, appointments to the SAS platform):
/// per-attempt timeout, a few quick retries with exponential backoff and jitter, and a circuit breaker
/// per receiving endpoint so a receiver that is down is not hammered (and costs nothing to the others).
/// Time comes from the injected clock, so tests drive timeouts and the breaker without waiting.
/// </summary>
public sealed class DeliveryPipelines(IHttpClientFactory http, WebhookOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> pipelines = new();

    public sealed record Result(bool Delivered, string? Error);

    /// <summary>Sends the request <paramref name="build"/> makes (a new one per attempt) through the endpoint's pipeline.</summary>
    public async Task<Result> SendAsync(string url, string httpClientName, Func<HttpRequestMessage> build, CancellationToken ct)
    {
        var pipeline = pipelines.GetOrAdd(EndpointKey(url), _ => Build());
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                using var request = build();
                return await http.CreateClient(httpClientName).SendAsync(request, token);
            }, ct);
            return response.IsSuccessStatusCode ? new Result(true, null) : new Result(false, $"HTTP {(int)response.StatusCode}");
        }
        catch (BrokenCircuitException) { return new Result(false, "circuit open: the endpoint failed repeatedly"); }
        catch (TimeoutRejectedException) { return new Result(false, $"no answer within {options.AttemptTimeout.TotalSeconds:0.#} s"); }
        catch (HttpRequestException e) { return new Result(false, "connection failed: " + e.HttpRequestError); }
    }

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
