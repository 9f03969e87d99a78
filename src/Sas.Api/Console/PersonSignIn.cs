using Sas.Api.Infrastructure;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Sas.Api.Clients;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;

namespace Sas.Api.Console;

/// <summary>
/// Section <c>Console:Oidc</c>: the deployment's OpenID Connect provider for people (Pro Santé Connect for health
/// professionals, or a regional provider). Off when no authority is set; then only the demo identities (Development) sign in.
/// </summary>
public sealed class PersonSignInOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>The button's name on the sign-in page.</summary>
    public string DisplayName { get; set; } = "Pro Santé Connect";
    public string[] Scopes { get; set; } = ["openid", "scope_all"];
    /// <summary>Pro Santé Connect gives the person's national id in its user info, not in the ID token.</summary>
    public bool GetClaimsFromUserInfoEndpoint { get; set; } = true;
    /// <summary>Pro Santé Connect's level of assurance (eIDAS substantial), asked for with <c>acr_values</c>.</summary>
    public string? AcrValues { get; set; } = "eidas1";
    /// <summary>The claim with the person's national health professional id: <c>8</c> and the RPPS for a GP.</summary>
    public string NationalIdClaim { get; set; } = "SubjectNameID";

    /// <summary>
    /// The issuers (<c>iss</c>) whose own <c>role</c> and <c>sas_scope</c> claims give a role here: providers the deployment
    /// set up for the SAS. Any other provider's claims of those names are ignored. None by default.
    /// </summary>
    public string[] SasClaimIssuers { get; set; } = [];

    /// <summary>People given a role by the deployment, by their provider subject: CPTS staff, regulators, administrators.</summary>
    public Dictionary<string, PersonRole> People { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

public sealed class PersonRole
{
    public string Role { get; set; } = "";
    public string[] Scope { get; set; } = [];
}

/// <summary>
/// People signing in to the console with the deployment's OpenID Connect provider (ASP.NET Core's handler: code flow
/// with PKCE, nonce and state checked, signature from the provider's keys), mapped to the same roles and scopes an API
/// caller has, in this order: the provider's own <c>role</c> and <c>sas_scope</c> claims (a provider set up for the
/// SAS); a GP whose national id names a registered GP (practitioner of their own RPPS); the deployment's list of people
/// (<c>Console:Oidc:People</c>). Anyone else is refused: a sign-in gives no access the deployment did not grant.
/// </summary>
public static partial class PersonSignIn
{
    public const string Scheme = "oidc";
    public const string CallbackPath = ConsoleSetup.Path + "/signin-oidc";
    /// <summary>Where a refused person lands: the sign-in page, saying why.</summary>
    public const string RefusedPath = ConsoleSetup.Path + "/connexion?refus=oui";

    /// <summary>Where a person the SAS platform sent lands when no active regulator account is theirs (403).</summary>
    public const string RegulatorRefusal = "regulateur";
    public const string RegulatorRefusedPath = ConsoleSetup.Path + "/connexion?refus=" + RegulatorRefusal;

    /// <summary>
    /// The sign-in's property saying it started from the SAS platform's link (<c>origin=sas…</c>): only such a sign-in may
    /// make the person the platform's regulator (<see cref="PersonAccess.PlatformRegulatorAsync"/>).
    /// </summary>
    public const string PlatformOrigin = "sas_origin";

    public static void Add(WebApplicationBuilder builder, AuthenticationBuilder authentication)
    {
        var section = builder.Configuration.GetSection("Console:Oidc");
        builder.Services.AddValidatedOptions<PersonSignInOptions>(section.Path)
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.ClientId), "Console:Oidc:ClientId is required with an authority.")
            .Validate(o => !o.Enabled || Uri.TryCreate(o.Authority, UriKind.Absolute, out var a) && a.Scheme == Uri.UriSchemeHttps,
                "Console:Oidc:Authority must be an https address.")
            .Validate(o => o.People.Values.All(p => Roles.IsKnown(p.Role)), "Console:Oidc:People: every person needs a known role.");
        if (section.Get<PersonSignInOptions>() is not { Enabled: true }) return;

        authentication.AddOpenIdConnect(Scheme, o => { });
        builder.Services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<PersonSignInOptions>>((o, people) =>
        {
            var settings = people.Value;
            o.Authority = settings.Authority;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = "code";
            o.UsePkce = true;
            o.Scope.Clear();
            foreach (var scope in settings.Scopes) o.Scope.Add(scope);
            o.GetClaimsFromUserInfoEndpoint = settings.GetClaimsFromUserInfoEndpoint;
            // User info claims are kept only when named: the national id, and a SAS-aware provider's role and scope.
            o.ClaimActions.MapUniqueJsonKey(settings.NationalIdClaim, settings.NationalIdClaim);
            o.ClaimActions.MapUniqueJsonKey(SasClaims.Role, SasClaims.Role);
            o.ClaimActions.MapJsonKey(SasClaims.Scope, SasClaims.Scope);
            o.MapInboundClaims = false;
            o.SaveTokens = false; // the console calls no API with the person's token: nothing to keep in the cookie
            o.CallbackPath = CallbackPath;
            o.SignInScheme = ConsoleSetup.Scheme;
            o.Events = new OpenIdConnectEvents
            {
                OnRedirectToIdentityProvider = ctx =>
                {
                    if (!string.IsNullOrWhiteSpace(settings.AcrValues)) ctx.ProtocolMessage.AcrValues = settings.AcrValues;
                    return Task.CompletedTask;
                },
                // The level of assurance asked for (eIDAS substantial) is the one the provider says it gave: a provider
                // that signed a person in some weaker way says so in acr, and that sign-in gives no access here.
                OnTokenValidated = ctx =>
                {
                    if (!string.IsNullOrWhiteSpace(settings.AcrValues) && ctx.Principal?.FindFirstValue("acr") != settings.AcrValues)
                        ctx.Fail($"the provider signed the person in at acr '{ctx.Principal?.FindFirstValue("acr")}', not the '{settings.AcrValues}' asked for");
                    return Task.CompletedTask;
                },
                OnTicketReceived = async ctx =>
                {
                    var access = ctx.HttpContext.RequestServices.GetRequiredService<PersonAccess>();
                    var fromPlatform = ctx.Properties?.Items.ContainsKey(PlatformOrigin) == true;
                    var facts = FactsOf(ctx.Principal!, settings);
                    var principal = fromPlatform
                        ? await access.PlatformRegulatorAsync(facts, ctx.HttpContext.RequestAborted)
                        : await access.ResolveAsync(facts, ctx.HttpContext.RequestAborted);
                    var logger = ctx.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PersonSignIn));
                    if (principal is null)
                    {
                        logger.LogWarning(fromPlatform
                            ? "A person the SAS platform sent signed in with the provider but is no active regulator account here; refused"
                            : "A person signed in with the provider but has no role here; refused");
                        ctx.HandleResponse();
                        ctx.Response.Redirect(fromPlatform ? RegulatorRefusedPath : RefusedPath);
                        return;
                    }
                    logger.LogInformation("Person {ClientId} signed in to the console as {Role}", principal.FindFirstValue(SasClaims.ClientId), principal.FindFirstValue(SasClaims.Role));
                    ctx.Principal = principal;
                },
                OnRemoteFailure = ctx =>
                {
                    // A refused or abandoned sign-in at the provider: back to the sign-in page, not an error page.
                    ctx.HandleResponse();
                    ctx.Response.Redirect(RefusedPath);
                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>What the provider's answer says of the person, as far as access goes (<see cref="PersonAccess"/> decides).</summary>
    public static PersonFacts FactsOf(ClaimsPrincipal external, PersonSignInOptions settings)
    {
        var subject = external.FindFirstValue("sub") ?? "";
        var fullName = string.Join(' ', new[] { external.FindFirstValue("given_name"), external.FindFirstValue("family_name") }.Where(n => !string.IsNullOrWhiteSpace(n)));
        var name = external.FindFirstValue("name") ?? (fullName.Length > 0 ? fullName : subject);
        // The id token's issuer, on each of its claims (the handler drops the iss claim itself).
        return new PersonFacts(subject, name, external.FindFirstValue(settings.NationalIdClaim), external.FindFirst("sub")?.Issuer,
            external.FindFirstValue(SasClaims.Role), ScopeOf(external));
    }

    private static string[] ScopeOf(ClaimsPrincipal external) =>
        external.FindAll(SasClaims.Scope).SelectMany(AuthSetup.ScopeItems).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>A professional's identifier here from a national id (IDNPS): <c>8</c> + RPPS, or <c>0</c> + ADELI.</summary>
    public static string? RppsOf(string nationalId) => Sas.Domain.Identifiers.ProfessionalId.FromIdnps(nationalId);
}
