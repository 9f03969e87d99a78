using System.Globalization;
using System.Threading.RateLimiting;
using Sas.Api.Clients;
using Sas.Api.Infrastructure.Errors;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>
/// Unknown API keys, counted per client address: the per-client rate limit only starts once a key is known, so a flood
/// of guessed keys was a flood of database lookups. Past <c>RateLimit:FailedKeysPerMinute</c> failures the address is
/// blocked, and only the lookups of keys this node does not know are throttled: a key it knows valid passes as ever (the
/// address may be a NAT, or an integration server one of whose workers has a stale key); a key it knows unknown answers
/// 429 at once; any other key waits its turn among at most <see cref="BlockedLookupsAtOnce"/> lookups for all blocked
/// addresses together, and answers 429 if it turns out unknown, or when too many wait.
/// </summary>
public sealed class FailedKeyLimiter(Security.RateLimitOptions limits)
{
    /// <summary>Lookups of blocked addresses' keys running at once, all addresses together.</summary>
    public const int BlockedLookupsAtOnce = 1;

    private readonly int perMinute = limits.FailedKeysPerMinute;
    private PartitionedRateLimiter<string>? limiter;
    private readonly ConcurrencyLimiter blockedLookups = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = BlockedLookupsAtOnce,
        QueueLimit = 32,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });
    private int lookupsNow;
    private int mostLookupsAtOnce;

    /// <summary>The most lookups of blocked addresses' keys that ran at once: for the tests.</summary>
    public int MostLookupsAtOnce => Volatile.Read(ref mostLookupsAtOnce);

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

    /// <summary>
    /// Whether a blocked address's key may go on to authentication: known valid, or looked up now (in turn) and found.
    /// A key found unknown counts as one more failure.
    /// </summary>
    public async Task<bool> MayPassAsync(HttpContext http, string key, ClientStore clients)
    {
        var hash = ApiKeys.Hash(key);
        if (clients.IsKnownValid(hash)) return true;
        if (clients.IsKnownMiss(hash)) return false;
        using var turn = await blockedLookups.AcquireAsync(1, http.RequestAborted);
        if (!turn.IsAcquired) return false;
        var now = Interlocked.Increment(ref lookupsNow);
        try
        {
            for (var most = MostLookupsAtOnce; now > most; most = MostLookupsAtOnce)
                if (Interlocked.CompareExchange(ref mostLookupsAtOnce, now, most) == most) break;
            if (await clients.FindByKeyHashAsync(hash, http.RequestAborted) is not null) return true;
        }
        finally { Interlocked.Decrement(ref lookupsNow); }
        Failed(http);
        return false;
    }
}

public static class FailedKeyLimitMiddleware
{
    /// <summary>Before authentication: a blocked address's unknown keys are refused without a lookup of their own.</summary>
    public static WebApplication UseFailedKeyLimit(this WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<FailedKeyLimiter>();
        var clients = app.Services.GetRequiredService<ClientStore>();
        app.Use(async (http, next) =>
        {
            if (http.Request.Headers.TryGetValue(ApiKeyAuthenticationHandler.HeaderName, out var key) && limiter.IsBlocked(http)
                && !await limiter.MayPassAsync(http, key.ToString(), clients))
            {
                http.Response.Headers.RetryAfter = 60.ToString(CultureInfo.InvariantCulture);
                await http.WriteProblemAsync(Errors.ErrorCodes.RateLimited, "Too many failed API keys",
                    "Too many unknown API keys came from this address; wait for Retry-After seconds.");
                return;
            }
            await next(http);
        });
        return app;
    }
}
