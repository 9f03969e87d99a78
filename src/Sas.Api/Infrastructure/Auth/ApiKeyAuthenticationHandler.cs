using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Sas.Api.Clients;

namespace Sas.Api.Infrastructure.Auth;

/// <summary>Authenticates <c>X-Api-Key</c> against the stored key hashes; a revoked key fails at once.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientStore clients,
    FailedKeyLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values)) return AuthenticateResult.NoResult();
        var key = values.ToString();
        if (key.Length is 0 or > 200)
        {
            failures.Failed(Context);
            return AuthenticateResult.Fail("malformed API key");
        }

        var client = await clients.FindByKeyHashAsync(ApiKeys.Hash(key), Context.RequestAborted);
        if (client is null)
        {
            failures.Failed(Context);
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(Principals.GetValue(client, Principal), SchemeName));
    }

    /// <summary>
    /// One principal per client identity as the key cache holds it (a changed client is a new identity): a regulator's
    /// scope of a hundred départements made a hundred claims on every request. Nothing in the pipeline changes a principal.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClientIdentity, ClaimsPrincipal> Principals = [];

    private static ClaimsPrincipal Principal(ClientIdentity client) =>
        new ClientPrincipal(new ClaimsIdentity(ClaimsOf(client), SchemeName, SasClaims.ClientId, SasClaims.Role), client.Role);

    /// <summary>
    /// A client's principal, which knows its one role: the policies ask <see cref="ClaimsPrincipal.IsInRole"/> for each
    /// role they allow, and the base walks the claims through an enumerator allocated for each question.
    /// </summary>
    private sealed class ClientPrincipal(ClaimsIdentity identity, string role) : ClaimsPrincipal(identity)
    {
        public override bool IsInRole(string role) => string.Equals(role, this.role, StringComparison.Ordinal);

        private readonly string role = role;
    }

    /// <summary>A client's identity as claims: its id, its role, one claim per scope item (what <see cref="Caller"/> reads back).</summary>
    public static List<Claim> ClaimsOf(ClientIdentity client)
    {
        var claims = new List<Claim>(client.Scope.Length + 3)
        {
            new(SasClaims.ClientId, client.Id),
            new(SasClaims.Role, client.Role),
        };
        claims.AddRange(client.Scope.Select(s => new Claim(SasClaims.Scope, s)));
        return claims;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return base.HandleChallengeAsync(properties);
    }
}
