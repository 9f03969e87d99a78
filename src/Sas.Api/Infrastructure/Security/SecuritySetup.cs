using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.RateLimiting;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;

namespace Sas.Api.Infrastructure.Security;

/// <summary>Section <c>RateLimit</c>: each integration client's token bucket, and the address's for unknown keys.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Burst a client may send at once.</summary>
    [Range(1, int.MaxValue)]
    public int TokenLimit { get; set; } = 200;

    [Range(1, int.MaxValue)]
    public int TokensPerPeriod { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Unknown API keys an address may try a minute before it waits (FailedKeyLimiter).</summary>
    [Range(1, 10_000)]
    public int FailedKeysPerMinute { get; set; } = 30;
}

/// <summary>Section <c>Limits</c>: what one request may carry.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 2L * 1024 * 1024;
}

/// <summary>Section <c>Https</c>: the public HTTPS port plain-HTTP requests are redirected to in Production.</summary>
public sealed class HttpsOptions
{
    public const string Section = "Https";

    [Range(1, 65535)]
    public int Port { get; set; } = 443;
}

/// <summary>Section <c>Cors</c>: the browser origins allowed to call the API (none by default).</summary>
public sealed class CorsSettings
{
    public const string Section = "Cors";

    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Whole origins only: a path or a wildcard would be compared as text and never match (or match too much).</summary>
    public bool AreOrigins => AllowedOrigins.All(o => Uri.TryCreate(o, UriKind.Absolute, out var u)
        && u.Scheme is "https" or "http" && u.GetLeftPart(UriPartial.Authority) == o.TrimEnd('/'));
}

public static class SecuritySetup
{
    public const string CorsPolicy = "configured-origins";

    /// <summary>The longest request target (path and query) the API reads; longer ones answer 414.</summary>
    public const int MaxUrlLength = 8 * 1024;

    public static IServiceCollection AddSasSecurity(this IServiceCollection services)
    {
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.Section);
        services.AddValidatedOptions<LimitsOptions>(LimitsOptions.Section);
        services.AddValidatedOptions<HttpsOptions>(HttpsOptions.Section);
        services.AddValidatedOptions<CorsSettings>(CorsSettings.Section)
            .Validate(o => o.AreOrigins, "Cors:AllowedOrigins: every entry must be an origin (scheme, host and port, no path), such as https://regulation.example.fr.");
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<RateLimitOptions>((o, limits) =>
        {
            // One token bucket per integration client (per address before authentication); health checks are free.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                !http.Request.Path.StartsWithSegments("/v1")
                    ? RateLimitPartition.GetNoLimiter("free")
                    : RateLimitPartition.GetTokenBucketLimiter(
                        http.User.FindFirst(SasClaims.ClientId)?.Value is { } client ? "client:" + client : "ip:" + http.Connection.RemoteIpAddress,
                        _ => new TokenBucketRateLimiterOptions
                        {
                            TokenLimit = limits.TokenLimit,
                            TokensPerPeriod = limits.TokensPerPeriod,
                            ReplenishmentPeriod = limits.ReplenishmentPeriod,
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        }));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limits.ReplenishmentPeriod;
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await http.WriteProblemAsync(ErrorCodes.RateLimited, "Too many requests",
                    "This client sends more requests than its rate allows; wait for Retry-After seconds.");
            };
        });

        // Kestrel answers an empty 414 itself past its request-line limit: let lines through up to 64 kB so that the
        // API refuses them with a problem (below), and Kestrel only what is beyond any reason.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestLineSize = 64 * 1024);

        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<CorsSettings>((o, cors) =>
        {
            var origins = cors.AllowedOrigins.Select(x => x.TrimEnd('/')).ToArray();
            o.AddPolicy(CorsPolicy, p =>
            {
                // Closed unless configured: no origin, no CORS headers, browsers refuse cross-site calls.
                if (origins.Length > 0) p.WithOrigins(origins).WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "X-Api-Key").WithMethods("GET", "POST", "PUT", "DELETE");
            });
        });
        services.AddSingleton<IHeaderPolicy>(new DataHeaderPolicy("/v1"));
        services.AddSingleton<IHeaderPolicy>(new DataHeaderPolicy("/health"));
        services.AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = true; });
        services.AddOptions<HttpsRedirectionOptions>().Configure<HttpsOptions>((o, https) => o.HttpsPort = https.Port);
        return services;
    }

    /// <summary>
    /// The security headers, on every answer: set when the answer starts, so that answers written by the error
    /// handler (which clears the headers of the failed attempt), by Kestrel's limits or by middleware that
    /// answers early (413, 429) carry them as well. First in the pipeline. Each feature's <see cref="IHeaderPolicy"/>
    /// says what its path's answers carry.
    /// </summary>
    public static WebApplication UseSasSecurityHeaders(this WebApplication app)
    {
        var policies = app.Services.GetServices<IHeaderPolicy>().OrderByDescending(p => p.Path.Value!.Length).ToArray();
        var onStarting = new SecurityHeaders(policies).OnStarting;
        app.Use((http, next) =>
        {
            http.Response.OnStarting(onStarting, http);
            return next(http);
        });
        return app;
    }

    public static WebApplication UseSasSecurity(this WebApplication app)
    {
        if (app.Environment.IsProduction())
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        var maxBody = app.Services.GetRequiredService<LimitsOptions>().MaxBodyBytes;
        app.Use(async (http, next) =>
        {
            if ((http.Request.Path.Value?.Length ?? 0) + (http.Request.QueryString.Value?.Length ?? 0) > MaxUrlLength)
            {
                await http.WriteProblemAsync(ErrorCodes.UriTooLong, "URL too long", $"Paths with their query are limited to {MaxUrlLength} characters.");
                return;
            }
            if (http.Request.ContentLength > maxBody)
            {
                await http.WriteProblemAsync(ErrorCodes.PayloadTooLarge, "Request body too large", $"Bodies are limited to {maxBody} bytes.");
                return;
            }
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBody;
            await next(http);
        });
        app.UseCors(CorsPolicy);
        return app;
    }
}
