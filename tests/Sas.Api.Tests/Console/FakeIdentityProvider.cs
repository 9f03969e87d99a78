using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sas.Api.Tests.Console;

/// <summary>
/// An OpenID Connect provider answering the API's back channel (discovery, keys, token, user info) as Pro Santé Connect
/// does, with an RSA key of its own. A test plays the person at the provider: it reads the authorization request the
/// console sent the browser to, and <see cref="Authorize"/> returns the code the provider would post back.
/// </summary>
public sealed class FakeIdentityProvider : HttpMessageHandler
{
    public const string Issuer = "https://idp.test/realms/sas";
    public const string ClientId = "sas-console";
    public const string ClientSecret = "console-secret";

    private readonly RsaSecurityKey key = new(RSA.Create(2048)) { KeyId = "k1" };
    private readonly ConcurrentDictionary<string, Grant> grants = new();
    private readonly ConcurrentDictionary<string, Dictionary<string, object>> userInfo = new();

    private sealed record Grant(string Nonce, string CodeChallenge, string RedirectUri, Dictionary<string, object> IdTokenClaims);

    /// <summary>Whether the provider is unreachable (its connections refused).</summary>
    public bool Down { get; set; }

    /// <summary>What the token endpoint was asked, for the tests to check the client's side of the exchange.</summary>
    public ConcurrentQueue<Dictionary<string, string>> TokenRequests { get; } = new();

    /// <summary>The person signs in: the code for the console's authorization request (its query string).</summary>
    public string Authorize(Uri authorizationRequest, string subject, IDictionary<string, object>? idTokenClaims = null, IDictionary<string, object>? info = null, string? nonce = null)
    {
        var query = System.Web.HttpUtility.ParseQueryString(authorizationRequest.Query);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        var claims = new Dictionary<string, object>(idTokenClaims ?? new Dictionary<string, object>()) { ["sub"] = subject };
        // The level asked for is the level given, unless the test's person signed in some other way.
        if (query["acr_values"] is { } acr) claims.TryAdd("acr", acr);
        var code = Guid.NewGuid().ToString("N");
        grants[code] = new Grant(nonce ?? query["nonce"]!, query["code_challenge"]!, query["redirect_uri"]!, claims);
        userInfo[code] = new Dictionary<string, object>(info ?? new Dictionary<string, object>()) { ["sub"] = subject };
        return code;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (Down) throw new HttpRequestException("Connection refused (idp.test:443)");
        var path = request.RequestUri!.AbsolutePath;
        return path switch
        {
            "/realms/sas/.well-known/openid-configuration" => Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["authorization_endpoint"] = Issuer + "/protocol/openid-connect/auth",
                ["token_endpoint"] = Issuer + "/protocol/openid-connect/token",
                ["userinfo_endpoint"] = Issuer + "/protocol/openid-connect/userinfo",
                ["jwks_uri"] = Issuer + "/protocol/openid-connect/certs",
                ["response_types_supported"] = new[] { "code" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["subject_types_supported"] = new[] { "public" },
            }),
            "/realms/sas/protocol/openid-connect/certs" => Json(new { keys = new[] { JsonWebKeyConverter.ConvertFromRSASecurityKey(PublicKey()) } }),
            "/realms/sas/protocol/openid-connect/token" => await Token(request, ct),
            "/realms/sas/protocol/openid-connect/userinfo" => UserInfo(request),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
    }

    private RsaSecurityKey PublicKey() => new(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId };

    private async Task<HttpResponseMessage> Token(HttpRequestMessage request, CancellationToken ct)
    {
        var form = System.Web.HttpUtility.ParseQueryString(await request.Content!.ReadAsStringAsync(ct));
        var fields = form.AllKeys.ToDictionary(k => k!, k => form[k]!);
        TokenRequests.Enqueue(fields);
        if (fields.GetValueOrDefault("client_secret") != ClientSecret || !grants.TryRemove(fields.GetValueOrDefault("code") ?? "", out var grant))
            return Json(new { error = "invalid_grant" }, HttpStatusCode.BadRequest);
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(fields.GetValueOrDefault("code_verifier") ?? "")));
        if (challenge != grant.CodeChallenge || fields.GetValueOrDefault("redirect_uri") != grant.RedirectUri)
            return Json(new { error = "invalid_grant" }, HttpStatusCode.BadRequest);
        var accessToken = "at-" + fields["code"];
        userInfo.TryRemove(fields["code"], out var info);
        issued[accessToken] = info!;
        var claims = new Dictionary<string, object>(grant.IdTokenClaims) { ["nonce"] = grant.Nonce };
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer, Audience = ClientId, Claims = claims,
            IssuedAt = DateTime.UtcNow, NotBefore = DateTime.UtcNow.AddMinutes(-1), Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        return Json(new { access_token = accessToken, token_type = "Bearer", expires_in = 300, id_token = idToken });
    }

    private readonly ConcurrentDictionary<string, Dictionary<string, object>> issued = new();

    private HttpResponseMessage UserInfo(HttpRequestMessage request) =>
        request.Headers.Authorization?.Parameter is { } token && issued.TryGetValue(token, out var info)
            ? Json(info)
            : new HttpResponseMessage(HttpStatusCode.Unauthorized);

    private static HttpResponseMessage Json(object body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = JsonContent.Create(body) };
}
