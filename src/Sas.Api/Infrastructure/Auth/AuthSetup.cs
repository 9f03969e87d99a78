using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;
using Sas.Api.Infrastructure.Errors;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>Section <c>Auth:Jwt</c>. JWT is on when an authority or at least one signing key is set.</summary>
public sealed class JwtOptions
{
    public const string Section = "Auth:Jwt";

    /// <summary>Declares that JWT must be on: Production refuses to start if neither an authority nor a key is set.</summary>
    public bool Enabled { get; set; }

    public string? Authority { get; set; }
    public string? Issuer { get; set; }
    public string Audience { get; set; } = "sas-booking-api";
    /// <summary>Base64 symmetric keys (HS256), for deployments and tests without an OIDC authority.</summary>
    public string[] SigningKeys { get; set; } = [];

    /// <summary>
    /// The signature algorithms accepted; by default the asymmetric ones with an authority, HS256 with signing keys.
    /// Pinned, so that a token cannot pick its own (a weaker one, or a symmetric one signed with a public key).
    /// </summary>
    public string[]? Algorithms { get; set; }

    public string[] ValidAlgorithms => Algorithms is { Length: > 0 } pinned ? pinned
        : !string.IsNullOrWhiteSpace(Authority) ? ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
        : [SecurityAlgorithms.HmacSha256];

    /// <summary>Whether tokens are accepted: an authority or at least one signing key is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) || SigningKeys.Length > 0;
}

public static class Policies
{
    public const string Admin = "admin";
    public const string Practitioner = "practitioner";
    public const string Regulator = "regulator";
    public const string Cpts = "cpts";
    public const string AnyRole = "any_role";
}

public static class AuthSetup
{
    private static bool IsBase64Key(string key)
    {
        var bytes = new byte[key.Length];
        return Convert.TryFromBase64String(key, bytes, out var length) && length >= 32;
    }

    public const string Selector = "sas";

    public static IServiceCollection AddSasAuth(this IServiceCollection services)
    {
        services.AddValidatedOptions<JwtOptions>(JwtOptions.Section)
            .Validate(o => o.SigningKeys.Length == 0 || !string.IsNullOrWhiteSpace(o.Authority) || !string.IsNullOrWhiteSpace(o.Issuer),
                "Auth:Jwt:SigningKeys is set without Auth:Jwt:Issuer; tokens are checked for their issuer.")
            .Validate(o => o.SigningKeys.All(IsBase64Key), "Auth:Jwt:SigningKeys: every key must be base64, of 32 bytes at least (HS256).")
            .ValidateInProduction(o => !o.Enabled || o.IsConfigured, "Auth:Jwt:Enabled is true but neither Auth:Jwt:Authority nor Auth:Jwt:SigningKeys is set.");
        services.AddSingleton<FailedKeyLimiter>();

        services.AddAuthentication(Selector)
            // One entry point: an API key when the header is there, else a bearer token when JWT is configured.
            .AddPolicyScheme(Selector, "API key or JWT", o => o.ForwardDefaultSelector = ctx =>
                ctx.RequestServices.GetRequiredService<JwtOptions>().IsConfigured
                    && !ctx.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    && ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer();

        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<JwtOptions>((o, jwt) =>
        {
            o.MapInboundClaims = false;
            if (!string.IsNullOrWhiteSpace(jwt.Authority)) o.Authority = jwt.Authority;
            o.Audience = jwt.Audience;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateAudience = true,
                ValidAudience = jwt.Audience,
                // Always: with an authority and no Auth:Jwt:Issuer, the issuer comes from the authority's metadata.
                ValidateIssuer = true,
                ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? null : jwt.Issuer,
                ValidAlgorithms = jwt.ValidAlgorithms,
                NameClaimType = SasClaims.ClientId,
                RoleClaimType = SasClaims.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
                IssuerSigningKeys = jwt.SigningKeys.Select(k => (SecurityKey)new SymmetricSecurityKey(Convert.FromBase64String(k))).ToList(),
            };
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = ctx =>
                {
                    if (!NormaliseJwtClaims(ctx.Principal!)) ctx.Fail("The token names no client: it needs client_id, azp or sub.");
                    else if (!HasOneKnownRole(ctx.Principal!)) ctx.Fail("The token must carry exactly one role this API knows.");
                    return Task.CompletedTask;
                },
            };
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Practitioner, p => p.RequireRole(Roles.Practitioner, Roles.Admin))
            .AddPolicy(Policies.Regulator, p => p.RequireRole(Roles.Regulator, Roles.Admin))
            .AddPolicy(Policies.Cpts, p => p.RequireRole(Roles.Cpts, Roles.Admin))
            // The /v1 group requires this; no fallback policy, so an unknown route stays a 404 for everyone.
            .AddPolicy(Policies.AnyRole, p => p.RequireRole(Roles.All))
            .AddPolicy(ActsForRouteGp.Policy, p => p.AddRequirements(new ActsForRouteGp()))
            .AddPolicy(ActsForRouteCpts.Policy, p => p.AddRequirements(new ActsForRouteCpts()));

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return services;
    }

    /// <summary>
    /// Tokens name the client in <c>client_id</c>, <c>azp</c> or <c>sub</c>, and may carry the scope as a JSON
    /// array, repeated claims or one space-separated string; the rest of the API reads one shape. The client id is
    /// made <see cref="ClientIds.ForJwt"/>: apart from API-key clients' ids, and short enough for every column. A token
    /// naming no client is refused: every such caller would share one id (and each other's bookings and keys).
    /// </summary>
    private static bool NormaliseJwtClaims(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity identity) return false;
        var named = new[] { SasClaims.ClientId, "azp", "sub" }.Select(t => identity.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        if (named is null) return false;
        foreach (var claim in identity.FindAll(SasClaims.ClientId).ToList()) identity.RemoveClaim(claim);
        identity.AddClaim(new Claim(SasClaims.ClientId, ClientIds.ForJwt(named)));
        foreach (var claim in identity.FindAll(SasClaims.Scope).ToList())
        {
            var items = ScopeItems(claim);
            if (items.Length == 1 && items[0] == claim.Value) continue;
            identity.RemoveClaim(claim);
            foreach (var item in items) identity.AddClaim(new Claim(SasClaims.Scope, item));
        }
        return true;
    }

    /// <summary>
    /// Exactly one role, and one of <see cref="Roles.All"/>: <see cref="Caller"/> reads one role, and a policy would
    /// accept any of several; a role the API does not know (the platform's, which only its certificate gives) opens nothing.
    /// </summary>
    private static bool HasOneKnownRole(ClaimsPrincipal principal)
    {
        var roles = principal.FindAll(SasClaims.Role).SelectMany(ScopeItems).ToList();
        return roles.Count == 1 && Roles.IsKnown(roles[0]);
    }

    /// <summary>A scope claim's items: one item, a space-separated string or a JSON array (tokens carry all three).</summary>
    public static string[] ScopeItems(Claim claim) => claim.ValueType == "JSON_ARRAY" || claim.Value.StartsWith('[')
        ? JsonSerializer.Deserialize<string[]>(claim.Value) ?? []
        : claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// How a refusal is written under one path, registered by the feature that owns it: the console sends a person to
/// sign in, FHIR answers an OperationOutcome. <c>false</c> leaves the refusal to the framework's own handling.
/// </summary>
public interface IRefusalWriter
{
    PathString Path { get; }

    Task<bool> WriteAsync(HttpContext context, PolicyAuthorizationResult result);
}

/// <summary>401 and 403 as problem+json with the contract's codes, instead of empty bodies, unless the path's feature writes its own.</summary>
public sealed class ProblemAuthorizationResultHandler(IEnumerable<IRefusalWriter> writers) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();
    private readonly IRefusalWriter[] writers = [.. writers.OrderByDescending(w => w.Path.Value!.Length)];

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Challenged || result.Forbidden)
        {
            foreach (var writer in writers)
            {
                if (!context.Request.Path.StartsWithSegments(writer.Path)) continue;
                if (!await writer.WriteAsync(context, result)) await fallback.HandleAsync(next, context, policy, result);
                return;
            }
        }
        if (result.Challenged)
        {
            await context.ChallengeAsync();
            await context.WriteProblemAsync(Errors.ErrorCodes.Unauthenticated, "Authentication required",
                "Send an API key in X-Api-Key, or a bearer token in Authorization.");
            return;
        }
        if (result.Forbidden)
        {
            await context.WriteProblemAsync(Errors.ErrorCodes.ForbiddenScope, "Forbidden", "This caller's role does not allow this operation.");
            return;
        }
        await fallback.HandleAsync(next, context, policy, result);
    }
}
