using System.Globalization;
using System.Threading.RateLimiting;
using Sas.Api.Infrastructure.Errors;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>
/// Unknown API keys, counted per client address before authentication: the per-client rate limit only starts once a
/// key is known, so a flood of guessed keys was a flood of database lookups. Past <c>RateLimit:FailedKeysPerMinute</c>
/// failures, the address's requests with a key answer 429 at once, with no lookup, until the bucket refills.
/// </summary>
public sealed class FailedKeyLimiter(IConfiguration config)
{
    private readonly int perMinute = Math.Max(1, config.GetValue("RateLimit:FailedKeysPerMinute", 30));
    private PartitionedRateLimiter<string>? limiter;

    private PartitionedRateLimiter<string> Limiter => limiter ??= PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>
    /// Whether this address has used up its failures. Read from the bucket's statistics: a partitioned token bucket
    /// answered "acquired" to a zero-permit probe a second after it ran dry, though no token had come back.
    /// </summary>
    public bool IsBlocked(HttpContext http) => Limiter.GetStatistics(AddressOf(http))?.CurrentAvailablePermits <= 0;

    public void Failed(HttpContext http) => Limiter.AttemptAcquire(AddressOf(http), 1).Dispose();
}

public static class FailedKeyLimitMiddleware
{
    /// <summary>Before authentication: an address that failed too often is refused without looking its key up.</summary>
    public static WebApplication UseFailedKeyLimit(this WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<FailedKeyLimiter>();
        app.Use(async (http, next) =>
        {
            if (http.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) && limiter.IsBlocked(http))
            {
                http.Response.Headers.RetryAfter = 60.ToString(CultureInfo.InvariantCulture);
                await http.WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many failed API keys", "rate_limited",
                    "Too many unknown API keys came from this address; wait for Retry-After seconds.");
                return;
            }
            await next(http);
        });
        return app;
    }
}
