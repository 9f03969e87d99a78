using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Sas.Api.Clients;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;

namespace Sas.Api.Console;

/// <summary>The claims a console session keeps about where its person's access came from, to check it again.</summary>
public static class PersonClaims
{
    /// <summary>The provider's subject (<c>sub</c>), or the demo identity's role.</summary>
    public const string Subject = "sas_person";
    /// <summary>Which rule gave the access: <see cref="Sources"/>.</summary>
    public const string Source = "sas_source";
    public const string NationalId = "sas_national_id";
    /// <summary>The provider that signed the person in (its <c>iss</c>).</summary>
    public const string Issuer = "sas_issuer";
    /// <summary>The SAS platform's regulator account this person is (<see cref="Sources.Platform"/> only).</summary>
    public const string RegulatorAccount = "sas_regulator";

    public static class Sources
    {
        /// <summary>The provider's own <c>role</c> and <c>sas_scope</c> claims, from an issuer set up for the SAS.</summary>
        public const string Provider = "provider";
        /// <summary>A GP whose national id names a registered GP: that GP's practice.</summary>
        public const string Gp = "gp";
        /// <summary>The deployment's list of people (<c>Console:Oidc:People</c>).</summary>
        public const string People = "people";
        /// <summary>A demo identity (Development with the demo data).</summary>
        public const string Demo = "demo";
        /// <summary>
        /// A regulator the SAS platform sent here (<c>origin=sas</c>), signed in by Pro Santé Connect: the account the platform
        /// created (INT_R02). The only way to that habilitation: the guide keeps it to sessions that came from the platform.
        /// </summary>
        public const string Platform = "platform";
    }
}

/// <summary>What the provider said of a person, as far as access goes.</summary>
public sealed record PersonFacts(string Subject, string Name, string? NationalId, string? Issuer, string? ProviderRole, string[] ProviderScope);

/// <summary>
/// Who a person signed in to the console may be, by one set of rules used at sign-in and again every few minutes of
/// the session (<see cref="ConsoleSessionOptions.RecheckMinutes"/>): a person whose access was withdrawn (a GP no longer
/// registered, a person taken off the deployment's list, a provider no longer trusted for its roles, a revoked demo
/// key) is signed out at the next check, and one whose role or scope changed gets the new one.
/// </summary>
public sealed class PersonAccess(IOptionsMonitor<PersonSignInOptions> settings, PractitionerStore practitioners, ClientStore clients, SasOptions sas,
    Regulators.RegulatorStore regulators, Fhir.FhirOptions fhir)
{
    /// <summary>
    /// The SAS platform's regulator this person is: the active account the platform created here, matched by the national
    /// id the provider gives (IDNPS, Pro Santé Connect's <c>SubjectNameID</c>), or by the SAS technical id for a regulator
    /// without one. The regulator books in <c>Fhir:SasPlatform:RegulatorScope</c> (départements or sectors) and every
    /// booking names the account as its operator. Null when no active account matches: the habilitation was withdrawn.
    /// </summary>
    public async Task<ClaimsPrincipal?> PlatformRegulatorAsync(PersonFacts person, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(person.Subject) || string.IsNullOrWhiteSpace(person.NationalId)) return null;
        var account = await regulators.FindAsync(idnps: true, person.NationalId, ct) is { Active: 1 } byIdnps ? byIdnps
            : await regulators.FindAsync(idnps: false, person.NationalId, ct) is { Active: 1 } bySasId ? bySasId : null;
        if (account is null) return null;
        var client = new ClientIdentity(ClientIds.ForPerson(person.Subject), Roles.Regulator, fhir.SasPlatform.RegulatorScope);
        var principal = Principal(client, person with { Name = $"{account.Given} {account.Family}" }, PersonClaims.Sources.Platform);
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(PersonClaims.RegulatorAccount, account.Id));
        // The operator every booking of this session names: the national id when the account has one, else the SAS id.
        if (account.Idnps is { } idnps) identity.AddClaim(new Claim(SasClaims.OperatorId, idnps));
        else if (account.SasId is { } sasId) identity.AddClaim(new Claim(SasClaims.OperatorAccount, sasId));
        return principal;
    }

    /// <summary>The console's principal for <paramref name="person"/>, or null when the deployment gives them no role.</summary>
    public async Task<ClaimsPrincipal?> ResolveAsync(PersonFacts person, CancellationToken ct)
    {
        var options = settings.CurrentValue;
        if (string.IsNullOrWhiteSpace(person.Subject)) return null;
        var id = ClientIds.ForPerson(person.Subject);
        // A provider's own role claims count only from an issuer the deployment set up for the SAS: any other provider
        // (Pro Santé Connect itself) could carry a claim named "role" meaning something else entirely.
        if (person.ProviderRole is { } role && Roles.IsKnown(role) && person.Issuer is { } issuer && options.SasClaimIssuers.Contains(issuer, StringComparer.Ordinal))
            return Principal(new ClientIdentity(id, role, person.ProviderScope), person, PersonClaims.Sources.Provider);

        if (person.NationalId is { } nationalId && PersonSignIn.RppsOf(nationalId) is { } rpps && await practitioners.GetAsync(rpps, ct) is not null)
            return Principal(new ClientIdentity(id, Roles.Practitioner, [rpps]), person, PersonClaims.Sources.Gp);

        if (options.People.TryGetValue(person.Subject, out var listed))
            return Principal(new ClientIdentity(id, listed.Role, listed.Scope), person, PersonClaims.Sources.People);

        return null;
    }

    /// <summary>A demo identity: the demo client of that role, as long as its key is valid and the demo data on.</summary>
    public async Task<ClaimsPrincipal?> DemoAsync(string role, string label, CancellationToken ct)
    {
        if (!sas.DemoData || !Demo.DemoData.Keys.TryGetValue(role, out var key)) return null;
        var client = await clients.FindByKeyHashAsync(ApiKeys.Hash(key), ct);
        return client is null ? null : Principal(client, new PersonFacts(role, label, null, null, null, []), PersonClaims.Sources.Demo);
    }

    /// <summary>The same person's access now, or null when they no longer have any.</summary>
    public Task<ClaimsPrincipal?> RecheckAsync(ClaimsPrincipal current, CancellationToken ct)
    {
        var subject = current.FindFirstValue(PersonClaims.Subject);
        var name = current.FindFirstValue(ClaimTypes.Name) ?? "";
        if (subject is null) return Task.FromResult<ClaimsPrincipal?>(null);
        if (current.FindFirstValue(PersonClaims.Source) == PersonClaims.Sources.Demo) return DemoAsync(subject, name, ct);
        if (current.FindFirstValue(PersonClaims.Source) == PersonClaims.Sources.Platform)
            return PlatformRegulatorAsync(new PersonFacts(subject, name, current.FindFirstValue(PersonClaims.NationalId), current.FindFirstValue(PersonClaims.Issuer), null, []), ct);
        var facts = new PersonFacts(subject, name, current.FindFirstValue(PersonClaims.NationalId), current.FindFirstValue(PersonClaims.Issuer),
            current.FindFirstValue(PersonClaims.Source) == PersonClaims.Sources.Provider ? current.FindFirstValue(SasClaims.Role) : null,
            current.FindAll(SasClaims.Scope).Select(c => c.Value).ToArray());
        return ResolveAsync(facts, ct);
    }

    private static ClaimsPrincipal Principal(ClientIdentity client, PersonFacts person, string source)
    {
        var principal = ConsoleSetup.PrincipalOf(client, person.Name);
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(PersonClaims.Subject, person.Subject));
        identity.AddClaim(new Claim(PersonClaims.Source, source));
        if (person.NationalId is { } nationalId) identity.AddClaim(new Claim(PersonClaims.NationalId, nationalId));
        if (person.Issuer is { } issuer) identity.AddClaim(new Claim(PersonClaims.Issuer, issuer));
        return principal;
    }

    private const string CheckedAt = "sas.checked";

    /// <summary>
    /// The cookie handler's check of each request's session: every <see cref="ConsoleSessionOptions.RecheckMinutes"/>, the
    /// person's access is worked out again; gone, the session ends (on every node: it is in the database).
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var clock = services.GetRequiredService<TimeProvider>();
        // A platform regulator's habilitation is checked on every request: the platform withdraws it at once (INT_R02),
        // and the guide wants it refused at the next request, not minutes later.
        var every = context.Principal?.FindFirstValue(PersonClaims.Source) == PersonClaims.Sources.Platform
            ? TimeSpan.Zero
            : TimeSpan.FromMinutes(services.GetRequiredService<IOptions<ConsoleSessionOptions>>().Value.RecheckMinutes);
        var now = clock.GetUtcNow();
        var checkedAt = context.Properties.GetString(CheckedAt) is { } text && long.TryParse(text, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : context.Properties.IssuedUtc ?? DateTimeOffset.MinValue;
        if ((every > TimeSpan.Zero && now - checkedAt < every) || context.Principal is null) return;

        var fresh = await services.GetRequiredService<PersonAccess>().RecheckAsync(context.Principal, context.HttpContext.RequestAborted);
        if (fresh is null)
        {
            services.GetRequiredService<ILogger<PersonAccess>>().LogInformation("A console session ended at its check: its person no longer has access");
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(ConsoleSetup.Scheme);
            return;
        }
        context.ReplacePrincipal(fresh);
        context.Properties.SetString(CheckedAt, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        context.ShouldRenew = true;
    }
}
