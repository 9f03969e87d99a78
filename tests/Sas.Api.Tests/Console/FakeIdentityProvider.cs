using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sas.Api.Tests.Console;

/// <summary>
/// An OpenID Connect provider answering the API's back channel (discovery, keys, token, user info) as Pro Santé Connect
/// does, with an RSA key of its own. A test plays the person at the provider: it reads the authorization request the
/// console sent the browser to, and <see cref="Authorize"/> returns the code the provider would post back. For a real
/// browser, <see cref="ServeAsync"/> also serves the provider's own pages over HTTPS: its sign-in page (one button per
/// person the test registered), the session it then keeps (a second sign-in with it asks nothing) and its sign-out.
/// </summary>
public sealed class FakeIdentityProvider : HttpMessageHandler, IAsyncDisposable
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
                ["authorization_endpoint"] = (BrowserAddress ?? Issuer) + AuthorizationPath,
                ["end_session_endpoint"] = (BrowserAddress ?? Issuer) + EndSessionPath,
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

    public const string AuthorizationPath = "/protocol/openid-connect/auth";
    public const string EndSessionPath = "/protocol/openid-connect/logout";

    /// <summary>Where a browser reaches the provider's pages (<see cref="ServeAsync"/>), with the realm's path; null when not served.</summary>
    public string? BrowserAddress { get; private set; }

    /// <summary>A person the provider's sign-in page offers, with what the provider says of them.</summary>
    public sealed record Person(string Subject, string Label, Dictionary<string, object>? IdTokenClaims = null, Dictionary<string, object>? Info = null);

    private readonly ConcurrentDictionary<string, Person> people = new();
    private readonly ConcurrentDictionary<string, string> sessions = new(); // provider session cookie → subject
    private Microsoft.AspNetCore.Builder.WebApplication? site;

    /// <summary>Offers <paramref name="person"/> on the provider's sign-in page.</summary>
    public void Register(Person person) => people[person.Subject] = person;

    /// <summary>How many times the provider showed its sign-in page (asked a person to sign in).</summary>
    public int SignInPagesShown => Volatile.Read(ref signInPagesShown);
    private int signInPagesShown;

    /// <summary>
    /// Serves the provider's browser pages over HTTPS on 127.0.0.1 (another site than the console's localhost, as Pro Santé
    /// Connect is), with <paramref name="certificate"/>; the back channel stays this handler.
    /// </summary>
    public async Task ServeAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/realms/sas" + AuthorizationPath, AuthorizePage);
        app.MapPost("/realms/sas" + AuthorizationPath, SignInAt);
        app.MapGet("/realms/sas" + EndSessionPath, EndSession);
        await app.StartAsync();
        site = app;
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        BrowserAddress = address + "/realms/sas";
    }

    private const string SessionCookie = "idp-session";

    /// <summary>With a session at the provider: straight back with a code. Without: the sign-in page, a button per person.</summary>
    /// <summary>The last authorization request a browser brought to the provider's pages.</summary>
    public string? LastAuthorizationRequest { get; private set; }

    private async Task AuthorizePage(Microsoft.AspNetCore.Http.HttpContext http)
    {
        var request = new Uri(BrowserAddress + AuthorizationPath + http.Request.QueryString);
        LastAuthorizationRequest = request.ToString();
        if (http.Request.Cookies.TryGetValue(SessionCookie, out var session) && sessions.TryGetValue(session, out var subject) && people.TryGetValue(subject, out var known))
        {
            await PostBack(http, request, known);
            return;
        }
        Interlocked.Increment(ref signInPagesShown);
        // Pro Santé Connect's page names its ministry: the ANS kit's check (sso_while_unidentified) looks for that text.
        var buttons = string.Concat(people.Values.OrderBy(p => p.Label, StringComparer.Ordinal).Select(p =>
            $"<button type=\"submit\" name=\"subject\" value=\"{System.Net.WebUtility.HtmlEncode(p.Subject)}\">{System.Net.WebUtility.HtmlEncode(p.Label)}</button>"));
        var fields = string.Concat(http.Request.Query.Select(q => $"<input type=\"hidden\" name=\"{System.Net.WebUtility.HtmlEncode(q.Key)}\" value=\"{System.Net.WebUtility.HtmlEncode(q.Value.ToString())}\">"));
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync($"<!doctype html><html lang=\"fr\"><title>Fournisseur de test</title><p>Ministère de la Santé et de la prévention</p><h1>Fournisseur d'identité de test</h1><form method=\"post\">{fields}{buttons}</form></html>");
    }

    /// <summary>The person chosen signs in: the provider opens its session, then posts the code back.</summary>
    private async Task SignInAt(Microsoft.AspNetCore.Http.HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        if (!people.TryGetValue(form["subject"].ToString(), out var person)) { http.Response.StatusCode = 400; return; }
        var session = Guid.NewGuid().ToString("N");
        sessions[session] = person.Subject;
        http.Response.Cookies.Append(SessionCookie, session, new Microsoft.AspNetCore.Http.CookieOptions { Secure = true, HttpOnly = true, SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax });
        var query = string.Join('&', form.Where(f => f.Key != "subject").Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value.ToString())}"));
        await PostBack(http, new Uri(BrowserAddress + AuthorizationPath + "?" + query), person);
    }

    /// <summary>The code to the client's redirect URI, as the form post Pro Santé Connect answers with.</summary>
    private async Task PostBack(Microsoft.AspNetCore.Http.HttpContext http, Uri authorizationRequest, Person person)
    {
        var query = System.Web.HttpUtility.ParseQueryString(authorizationRequest.Query);
        var code = Authorize(authorizationRequest, person.Subject, person.IdTokenClaims, person.Info);
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync($"<!doctype html><html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{System.Net.WebUtility.HtmlEncode(query["redirect_uri"])}\">" +
            $"<input type=\"hidden\" name=\"code\" value=\"{code}\"><input type=\"hidden\" name=\"state\" value=\"{System.Net.WebUtility.HtmlEncode(query["state"])}\"></form></body></html>");
    }

    /// <summary>Sign-out at the provider: its session ends, and the browser goes back where the client asked.</summary>
    private Task EndSession(Microsoft.AspNetCore.Http.HttpContext http)
    {
        if (http.Request.Cookies.TryGetValue(SessionCookie, out var session)) sessions.TryRemove(session, out _);
        http.Response.Cookies.Delete(SessionCookie);
        var back = http.Request.Query["post_logout_redirect_uri"].ToString();
        var state = http.Request.Query["state"].ToString();
        if (back.Length > 0) http.Response.Redirect(state.Length > 0 ? $"{back}?state={Uri.EscapeDataString(state)}" : back);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (site is not null) await site.DisposeAsync();
    }

    private static HttpResponseMessage Json(object body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = JsonContent.Create(body) };
}
