using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.RateLimiting;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;

namespace Sas.Api.Infrastructure.Security;

/// <summary>Sections <c>RateLimit</c> and <c>Limits</c>.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Burst a client may send at once.</summary>
    public int TokenLimit { get; set; } = 200;
    public int TokensPerPeriod { get; set; } = 100;
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Where this service's pages' forms may lead (the CSP's <c>form-action</c>); <c>'self'</c> unless a feature says more.</summary>
public interface IFormTargets
{
    ValueTask<string> SourcesAsync();
}

public static class SecuritySetup
{
    public const string CorsPolicy = "configured-origins";

    /// <summary>The longest request target (path and query) the API reads; longer ones answer 414.</summary>
    public const int MaxUrlLength = 8 * 1024;

    public static IServiceCollection AddSasSecurity(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions());
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
                await http.WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many requests", "rate_limited",
                    "This client sends more requests than its rate allows; wait for Retry-After seconds.");
            };
        });

        // Kestrel answers an empty 414 itself past its request-line limit: let lines through up to 64 kB so that the
        // API refuses them with a problem (below), and Kestrel only what is beyond any reason.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestLineSize = 64 * 1024);

        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IConfiguration>((o, config) =>
        {
            var origins = config.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
            o.AddPolicy(CorsPolicy, p =>
            {
                // Closed unless configured: no origin, no CORS headers, browsers refuse cross-site calls.
                if (origins.Length > 0) p.WithOrigins(origins).WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "X-Api-Key").WithMethods("GET", "POST", "PUT", "DELETE");
            });
        });
        services.AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = true; });
        services.AddOptions<HttpsRedirectionOptions>().Configure<IConfiguration>((o, config) => o.HttpsPort = config.GetValue<int?>("Https:Port") ?? 443);
        return services;
    }

    /// <summary>Refuses the configurations that would expose patient data or open the service in Production.</summary>
    public static void GuardProduction(WebApplication app)
    {
        var config = app.Configuration;
        // Every options section's own rules (ValidateOnStart) first, all their failures in the one line.
        try { app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate(); }
        catch (Microsoft.Extensions.Options.OptionsValidationException invalid)
        {
            throw new StartupRefusedException("Refusing to start: " + string.Join(" ", invalid.Failures));
        }
        // Demo data creates publicly known API keys: only on a developer's machine, whatever the environment is called.
        if (config.GetValue("Sas:DemoData", false) && !app.Environment.IsDevelopment())
            throw new StartupRefusedException($"Refusing to start: Sas:DemoData is on in {app.Environment.EnvironmentName}. Demo data creates publicly known API keys and is for Development only; set Sas:DemoData=false.");
        // Renamed: a deployment still naming its proxies under the old key would silently lose its certificate forwarding.
        if (config.GetSection("Fhir:Mtls:TrustedProxies").Exists())
            throw new StartupRefusedException("Refusing to start: Fhir:Mtls:TrustedProxies is replaced by ForwardedHeaders:KnownProxies (or KnownNetworks): move the proxies' addresses there.");
        var jwt = app.Services.GetRequiredService<JwtOptions>();
        if (jwt.SigningKeys.Length > 0 && string.IsNullOrWhiteSpace(jwt.Authority) && string.IsNullOrWhiteSpace(jwt.Issuer))
            throw new StartupRefusedException("Refusing to start: Auth:Jwt:SigningKeys is set without Auth:Jwt:Issuer; tokens are checked for their issuer.");
        if (!app.Environment.IsProduction()) return;
        var problems = new List<string>();
        if (config.GetValue("Auth:Jwt:Enabled", false) && !jwt.Enabled)
            problems.Add("Auth:Jwt:Enabled is true but neither Auth:Jwt:Authority nor Auth:Jwt:SigningKeys is set.");
        if (config.GetValue("Jobs:Dashboard:AllowNonAdmins", false))
            problems.Add("Jobs:Dashboard:AllowNonAdmins is true: the jobs dashboard must stay admin-only in Production.");
        var fhir = app.Services.GetRequiredService<Fhir.FhirOptions>();
        var mtls = fhir.Mtls;
        // The identifier systems name us to the national platform: a placeholder would mix our ids with any other editor's.
        if (fhir.SasPlatform.Enabled && fhir.SasPlatform.AppointmentIdentifierSystem.StartsWith(Fhir.FhirOptions.PlaceholderSystemPrefix, StringComparison.Ordinal))
            problems.Add("Fhir:SasPlatform:AppointmentIdentifierSystem is the placeholder: set the editor's OID or URL registered with the ANS.");
        if (mtls.Enabled && fhir.SiteIdentifierSystem.StartsWith(Fhir.FhirOptions.PlaceholderSystemPrefix, StringComparison.Ordinal))
            problems.Add("Fhir:SiteIdentifierSystem is the placeholder: set the editor's OID or URL registered with the ANS.");
        if (mtls.Enabled && (mtls.AllowedCommonNames.Length == 0 || mtls.AllowedOrganizationalUnits.Length == 0))
            problems.Add("Fhir:Mtls:TrustedCaFiles is set but AllowedCommonNames or AllowedOrganizationalUnits is empty: the SAS platform could never connect.");
        if (!string.IsNullOrWhiteSpace(mtls.ForwardedCertificateHeader) && !app.Services.GetRequiredService<ProxyOptions>().Any)
            problems.Add("Fhir:Mtls:ForwardedCertificateHeader is set but ForwardedHeaders:KnownProxies and KnownNetworks are empty: anyone could send the platform's certificate in that header.");
        if (string.IsNullOrWhiteSpace(config["DataProtection:CertificateFile"]))
            problems.Add("DataProtection:CertificateFile is not set: the key ring behind the console's sessions would be stored in clear in the database.");
        if (config.GetValue(Proxies.HostForwardingSetting, false))
            problems.Add("ASPNETCORE_FORWARDEDHEADERS_ENABLED is true: it reads X-Forwarded-For from anyone. Name the proxies in ForwardedHeaders:KnownProxies (or KnownNetworks) instead.");
        foreach (var file in mtls.TrustedCaFiles.Where(f => !File.Exists(f)))
            problems.Add($"Fhir:Mtls:TrustedCaFiles names '{file}', which does not exist.");
        if (problems.Count > 0) throw new StartupRefusedException("Refusing to start: " + string.Join(" ", problems));
    }

    /// <summary>
    /// The security headers, on every answer: set when the answer starts, so that answers written by the error
    /// handler (which clears the headers of the failed attempt), by Kestrel's limits or by middleware that
    /// answers early (413, 429) carry them as well. First in the pipeline.
    /// </summary>
    public static WebApplication UseSasSecurityHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Response.OnStarting(static async state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                // Hangfire's dashboard moves its mount point into PathBase while it answers: look at both.
                var path = http.Request.PathBase.HasValue ? http.Request.PathBase.Add(http.Request.Path) : http.Request.Path;
                if (path.StartsWithSegments(Jobs.JobsSetup.ConsoleDashboardPath))
                {
                    // Hangfire's dashboard for people: its own scripts (files from this origin, no inline script) and polling.
                    headers.CacheControl = "no-store";
                    headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
                }
                else if (path.StartsWithSegments(Console.ConsoleSetup.Path))
                {
                    // Pages for people: no script at all, styles inline, forms only to this origin; never cached.
                    var forms = http.RequestServices.GetService<IFormTargets>() is { } targets ? await targets.SourcesAsync() : "'self'";
                    headers.CacheControl = "no-store";
                    headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action {forms}; frame-ancestors 'none'; base-uri 'none'";
                }
                else if (path.StartsWithSegments("/v1") || path.StartsWithSegments("/fhir") || path.StartsWithSegments("/health") || http.Response.StatusCode >= 400)
                {
                    // Answers may hold health data: never cached, never framed, no active content.
                    headers.CacheControl = "no-store";
                    headers.Remove("Pragma");
                    headers.Remove("Expires");
                    headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
                }
            }, http);
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
        var maxBody = app.Configuration.GetValue("Limits:MaxBodyBytes", 2L * 1024 * 1024);
        app.Use(async (http, next) =>
        {
            if ((http.Request.Path.Value?.Length ?? 0) + (http.Request.QueryString.Value?.Length ?? 0) > MaxUrlLength)
            {
                await http.WriteProblemAsync(StatusCodes.Status414UriTooLong, "URL too long", "uri_too_long", $"Paths with their query are limited to {MaxUrlLength} characters.");
                return;
            }
            if (http.Request.ContentLength > maxBody)
            {
                await http.WriteProblemAsync(StatusCodes.Status413PayloadTooLarge, "Request body too large", "payload_too_large", $"Bodies are limited to {maxBody} bytes.");
                return;
            }
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBody;
            await next(http);
        });
        app.UseCors(CorsPolicy);
        return app;
    }
}
