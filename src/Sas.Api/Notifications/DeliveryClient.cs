using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Sas.Api.Notifications;

/// <summary>
/// Sends one event to a receiver (a practice's webhook, the national SAS platform) and says what came of it.
/// The HttpClients behind it (<see cref="AddDeliveryClient"/>) carry a resilience pipeline per registered
/// endpoint: a per-attempt timeout, a few quick retries with exponential backoff and jitter, and a circuit
/// breaker, so a receiver that is down is not hammered and costs nothing to the others, even one on the same
/// host and port. Redirects are never followed: a 3xx would be re-sent as a GET without the body and the
/// signature, and marked delivered. The answer's body is never read: the per-attempt timeout covers the whole
/// exchange (connect, send, the answer's headers). Time comes from the injected clock, so tests drive timeouts and
/// the breaker without waiting.
/// </summary>
public sealed class DeliveryClient(IHttpClientFactory http, WebhookOptions options)
{
    /// <summary>The registered endpoint a request belongs to: it selects the circuit breaker.</summary>
    public static readonly HttpRequestOptionsKey<string> Endpoint = new("sas.delivery-endpoint");

    /// <summary>What an attempt came to; <paramref name="Permanent"/>: the receiver said never to try again (410 Gone).</summary>
    public sealed record Result(bool Delivered, string? Error, bool Permanent = false);

    /// <summary>Sends the request <paramref name="build"/> makes through the pipeline of <paramref name="endpoint"/>.</summary>
    public async Task<Result> SendAsync(string endpoint, string httpClientName, Func<HttpRequestMessage> build, CancellationToken ct)
    {
        using var request = build();
        request.Options.Set(Endpoint, endpoint);
        try
        {
            // Headers only: the status decides, and a receiver's body is never read. Reading it (the default) ran outside
            // the pipeline's timeout, so a receiver announcing a body it never sent held the job's worker for good.
            using var response = await http.CreateClient(httpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return Judge(response);
        }
        catch (BrokenCircuitException) { return new Result(false, "circuit open: the endpoint failed repeatedly"); }
        catch (TimeoutRejectedException) { return new Result(false, $"no answer within {options.AttemptTimeout.TotalSeconds:0.#} s"); }
        catch (HttpRequestException e) { return new Result(false, WebhookTargets.RefusalIn(e) ?? "connection failed: " + e.HttpRequestError); }
    }

    /// <summary>Only a 2xx is delivered.</summary>
    private static Result Judge(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode) return new Result(true, null);
        if (response.StatusCode == HttpStatusCode.Gone)
            return new Result(false, "HTTP 410 Gone: the receiver is gone for good; not tried again", Permanent: true);
        if (status is >= 300 and < 400)
            return new Result(false, $"HTTP {status} redirect to {response.Headers.Location?.ToString() ?? "(no Location)"}: redirects are not followed; register the final URL");
        return new Result(false, $"HTTP {status}");
    }

    /// <summary>
    /// A named HttpClient for deliveries: <paramref name="primary"/> makes its handler (it must not follow
    /// redirects), and the resilience pipeline is chosen per request by its <see cref="Endpoint"/>.
    /// </summary>
    public static IHttpClientBuilder AddDeliveryClient(IServiceCollection services, string name, Func<IServiceProvider, SocketsHttpHandler> primary)
    {
        var client = services.AddHttpClient(name, c => c.Timeout = Timeout.InfiniteTimeSpan) // the pipeline owns timeouts
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var handler = primary(sp);
                if (handler.AllowAutoRedirect) throw new InvalidOperationException($"The '{name}' delivery client must not follow redirects.");
                return handler;
            });
        client.AddResilienceHandler("delivery", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<WebhookOptions>();
                pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
                var transient = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests);
                if (options.RetriesPerRun > 0)
                    pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                    {
                        ShouldHandle = transient,
                        MaxRetryAttempts = options.RetriesPerRun,
                        Delay = options.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        OnRetry = args => { args.Outcome.Result?.Dispose(); return default; }, // the refused answer is not read again
                    });
                pipeline
                    .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
                    {
                        ShouldHandle = transient,
                        FailureRatio = 0.5,
                        MinimumThroughput = 4,
                        SamplingDuration = TimeSpan.FromMinutes(1),
                        BreakDuration = options.BreakDuration,
                    })
                    .AddTimeout(options.AttemptTimeout);
            })
            .SelectPipelineBy(_ => request => request.Options.TryGetValue(Endpoint, out var endpoint) ? endpoint : request.RequestUri?.GetLeftPart(UriPartial.Path) ?? "");
        return client;
    }
}
