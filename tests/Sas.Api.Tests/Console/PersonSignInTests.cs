using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sas.Api.Console;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Console;

/// <summary>The API with an OpenID Connect provider for people (<see cref="FakeIdentityProvider"/> on its back channel).</summary>
public class OidcConsoleFactory : SasApiFactory
{
    public const string CptsSubject = "f3b1c2d4-cpts-coordinator";
    public static readonly string CptsFiness = "44001234" + Sas.Domain.Identifiers.Luhn.CheckDigit("44001234");

    public FakeIdentityProvider IdentityProvider { get; init; } = new();

    /// <summary>Settings a test changes while the host runs (the deployment's list of people, say).</summary>
    public ChangingConfiguration Changing { get; } = new();

    /// <summary>Whether the provider cannot be reached from the start (its metadata never read).</summary>
    protected virtual bool ProviderDown => false;

    // Cookies the browser keeps expire on the real clock: the host's clock starts now.
    public OidcConsoleFactory()
    {
        Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        IdentityProvider.Down = ProviderDown;
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Console:Oidc:Authority", FakeIdentityProvider.Issuer),
        new("Console:Oidc:ClientId", FakeIdentityProvider.ClientId),
        new("Console:Oidc:ClientSecret", FakeIdentityProvider.ClientSecret),
        new($"Console:Oidc:People:{CptsSubject}:Role", "cpts"),
        new($"Console:Oidc:People:{CptsSubject}:Scope:0", CptsFiness),
        new("Console:Oidc:SasClaimIssuers:0", FakeIdentityProvider.Issuer),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureAppConfiguration(c => c.Add(Changing));
        builder.ConfigureServices(s => s.Configure<OpenIdConnectOptions>(PersonSignIn.Scheme, o => o.Backchannel = new HttpClient(IdentityProvider)));
    }
}

/// <summary>
/// A person signs in to the console with the deployment's provider (code flow with PKCE, through ASP.NET Core's
/// handler) and gets the role and scope the deployment gave them: from its list of people, from the provider's own
/// claims, or as the GP their national id names; anyone else is refused and gets no cookie.
/// </summary>
public sealed class PersonSignInTests(OidcConsoleFactory api) : IClassFixture<OidcConsoleFactory>
{
    private HttpClient Browser() => api.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true,
    });

    /// <summary>The form the provider button posts: its antiforgery token, read from the sign-in page.</summary>
    public static FormUrlEncodedContent SignInButton(string page) => ConsoleForms.With(page);

    /// <summary>The sign-in page's provider button, pressed: the browser is sent to the provider's authorization endpoint.</summary>
    private static async Task<Uri> StartSignIn(HttpClient browser)
    {
        var page = await browser.GetStringAsync("/console/connexion");
        Assert.Contains("Se connecter avec Pro Santé Connect", page);
        var response = await browser.PostAsync("/console/connexion?handler=Externe", SignInButton(page));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        var authorize = response.Headers.Location!;
        Assert.StartsWith(FakeIdentityProvider.Issuer + "/protocol/openid-connect/auth", authorize.ToString());
        return authorize;
    }

    /// <summary>The provider posts the code back to the console's callback (form_post), as the browser would.</summary>
    private static async Task<HttpResponseMessage> Return(HttpClient browser, Uri authorize, string code)
    {
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        return await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));
    }

    private async Task<string> SignedInPage(HttpClient browser, HttpResponseMessage callback, string expectedPath)
    {
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/console/connexion/suite", callback.Headers.Location!.OriginalString);
        var cookie = Assert.Single(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sas-console=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("url=/console", await browser.GetStringAsync("/console/connexion/suite")); // opens the console from our own page
        var home = await browser.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal(expectedPath, home.Headers.Location!.OriginalString);
        var page = await browser.GetAsync(expectedPath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await page.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_cpts_coordinator_the_deployment_lists_signs_in_with_the_provider_and_reads_the_cpts_dashboard()
    {
        var sector = await new World(api).Sector();
        await api.Admin().PutJson($"/v1/cpts/{OidcConsoleFactory.CptsFiness}", new { name = "CPTS du test", sectors = new[] { sector } });
        var browser = Browser();
        var authorize = await StartSignIn(browser);
        Assert.Equal("eidas1", System.Web.HttpUtility.ParseQueryString(authorize.Query)["acr_values"]);
        var code = api.IdentityProvider.Authorize(authorize, OidcConsoleFactory.CptsSubject, info: new Dictionary<string, object> { ["given_name"] = "Claire", ["family_name"] = "Martin" });

        var page = await SignedInPage(browser, await Return(browser, authorize, code), "/console/cpts");

        Assert.Contains("Connecté·e : Claire Martin", page);
        Assert.Contains("CPTS du test", page); // the dashboard of the CPTS in the person's scope
        var exchange = api.IdentityProvider.TokenRequests.Last();
        Assert.Equal("authorization_code", exchange["grant_type"]);
        Assert.False(string.IsNullOrEmpty(exchange["code_verifier"])); // PKCE
    }

    /// <summary>A period out of the API's 2000–2100 range is the person's mistake: a French 400, never a 500.</summary>
    [Theory]
    [InlineData("9999-12-31")]
    [InlineData("0001-01-01")]
    [InlineData("2099-12-28")]
    public async Task A_dashboard_period_out_of_range_is_a_french_400(string from)
    {
        var sector = await new World(api).Sector();
        await api.Admin().PutJson($"/v1/cpts/{OidcConsoleFactory.CptsFiness}", new { name = "CPTS du test", sectors = new[] { sector } });
        var browser = Browser();
        var authorize = await StartSignIn(browser);
        await SignedInPage(browser, await Return(browser, authorize, api.IdentityProvider.Authorize(authorize, OidcConsoleFactory.CptsSubject)), "/console/cpts");

        foreach (var handler in new[] { "", "&handler=Csv" })
        {
            var answer = await browser.GetAsync($"/console/cpts?du={from}{handler}");
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.Contains("La période doit tenir entre le 1er janvier 2000 et le 1er janvier 2100", await answer.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_gp_whose_national_id_names_a_registered_gp_signs_in_as_that_gps_practice()
    {
        var world = new World(api);
        var rpps = await world.Practitioner([await world.Sector()]);
        var browser = Browser();
        var authorize = await StartSignIn(browser);
        var code = api.IdentityProvider.Authorize(authorize, "psc-" + Guid.NewGuid(), info: new Dictionary<string, object>
        {
            ["SubjectNameID"] = "8" + rpps, ["given_name"] = "Jeanne", ["family_name"] = "Docteur",
        });

        var page = await SignedInPage(browser, await Return(browser, authorize, code), "/console/cabinet");

        Assert.Contains("Rendez-vous SAS du cabinet", page);
        Assert.Contains(rpps, page); // the GP's own section, and only theirs
    }

    [Fact]
    public async Task A_provider_set_up_for_the_sas_gives_the_role_and_scope_in_its_claims()
    {
        var browser = Browser();
        var authorize = await StartSignIn(browser);
        var code = api.IdentityProvider.Authorize(authorize, "regional-" + Guid.NewGuid(),
            idTokenClaims: new Dictionary<string, object> { ["role"] = "regulator", ["sas_scope"] = "44 85", ["name"] = "Paul Régulateur" });

        var page = await SignedInPage(browser, await Return(browser, authorize, code), "/console/regulation");

        Assert.Contains("Connecté·e : Paul Régulateur", page);
    }

    [Fact]
    public async Task A_person_the_deployment_gave_no_role_is_refused_and_gets_no_cookie()
    {
        var browser = Browser();
        var authorize = await StartSignIn(browser);
        // A health professional unknown here (their national id names no registered GP), in no list, with no role claim.
        var code = api.IdentityProvider.Authorize(authorize, "stranger-" + Guid.NewGuid(), info: new Dictionary<string, object> { ["SubjectNameID"] = "810000000000" });

        var callback = await Return(browser, authorize, code);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal(PersonSignIn.RefusedPath, callback.Headers.Location!.OriginalString);
        Assert.DoesNotContain(callback.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("sas-console=", StringComparison.Ordinal));
        Assert.Contains("n'a accès à aucune vue", await browser.GetStringAsync(PersonSignIn.RefusedPath));
        var home = await browser.GetAsync("/console/cabinet");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Contains("/console/connexion?ReturnUrl=", home.Headers.Location!.ToString()); // still to sign in
    }

    [Fact]
    public async Task An_id_token_for_another_sign_in_is_refused()
    {
        var browser = Browser();
        var authorize = await StartSignIn(browser);
        // The provider's answer carries a nonce this browser's sign-in did not send (a replayed or injected token).
        var code = api.IdentityProvider.Authorize(authorize, OidcConsoleFactory.CptsSubject, nonce: "another-sign-in");

        var callback = await Return(browser, authorize, code);

        Assert.Equal(PersonSignIn.RefusedPath, callback.Headers.Location!.OriginalString);
        Assert.DoesNotContain(callback.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("sas-console=", StringComparison.Ordinal));
    }
}

/// <summary>
/// A console session is the server's: it ends on every node at sign-out (a copied cookie opens nothing after), at its
/// absolute lifetime however active, and when the person's access is withdrawn or changed, found at the next check.
/// </summary>
public sealed class ConsoleSessionTests(OidcConsoleFactory api) : IClassFixture<OidcConsoleFactory>
{
    private HttpClient Browser() => api.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = false,
    });

    /// <summary>A person of the deployment's list signs in: the session cookie's header value.</summary>
    private async Task<string> SignIn(string subject)
    {
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });
        var page = await browser.GetStringAsync("/console/connexion");
        var start = await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(page));
        var authorize = start.Headers.Location!;
        var code = api.IdentityProvider.Authorize(authorize, subject);
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        var callback = await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));
        var cookie = Assert.Single(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sas-console=", StringComparison.Ordinal));
        return cookie[..cookie.IndexOf(';')];
    }

    private async Task<HttpResponseMessage> Get(string cookie, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await Browser().SendAsync(request);
    }

    private async Task<string> Landing(string cookie)
    {
        var home = await Get(cookie, "/console");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        return home.Headers.Location!.OriginalString;
    }

    private static string Person() => "person-" + Guid.NewGuid().ToString("N");

    private void List(string subject, string? role, params string[] scope) => api.Changing.Set(
        [($"Console:Oidc:People:{subject}", null), .. role is null ? Array.Empty<(string, string?)>() : [($"Console:Oidc:People:{subject}:Role", role), .. scope.Select((s, i) => ($"Console:Oidc:People:{subject}:Scope:{i}", (string?)s))]]);

    [Fact]
    public async Task A_signed_out_session_opens_nothing_even_with_a_copy_of_its_cookie()
    {
        var subject = Person();
        List(subject, "regulator", "44");
        var cookie = await SignIn(subject);
        Assert.Equal("/console/regulation", await Landing(cookie));
        var regulation = await Get(cookie, "/console/regulation");
        var token = Regex.Match(await regulation.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var antiforgery = regulation.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));

        var signOut = new HttpRequestMessage(HttpMethod.Post, "/console/deconnexion") { Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]) };
        signOut.Headers.Add("Cookie", $"{cookie}; {antiforgery[..antiforgery.IndexOf(';')]}");
        Assert.Equal(HttpStatusCode.Redirect, (await Browser().SendAsync(signOut)).StatusCode);

        Assert.Contains("/console/connexion", await Landing(cookie)); // the cookie kept by a copy is a key to nothing
    }

    [Fact]
    public async Task A_person_whose_role_changes_or_who_is_taken_off_the_list_finds_out_at_the_next_check()
    {
        var subject = Person();
        List(subject, "regulator", "44");
        var cookie = await SignIn(subject);
        Assert.Equal("/console/regulation", await Landing(cookie));

        List(subject, "cpts", OidcConsoleFactory.CptsFiness);
        api.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("/console/regulation", await Landing(cookie)); // not checked yet
        api.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("/console/cpts", await Landing(cookie));

        List(subject, null);
        api.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Contains("/console/connexion", await Landing(cookie));
        api.Clock.Advance(TimeSpan.FromMinutes(6));
        List(subject, "cpts", OidcConsoleFactory.CptsFiness);
        Assert.Contains("/console/connexion", await Landing(cookie)); // ended for good: listed again, they sign in again
    }

    [Fact]
    public async Task A_session_ends_at_its_absolute_lifetime_however_active()
    {
        var subject = Person();
        List(subject, "regulator", "44");
        var cookie = await SignIn(subject);
        for (var hour = 0; hour < 9; hour++)
        {
            api.Clock.Advance(TimeSpan.FromMinutes(59));
            Assert.Equal("/console/regulation", await Landing(cookie));
        }
        api.Clock.Advance(TimeSpan.FromMinutes(70)); // ten hours and more since the sign-in
        Assert.Contains("/console/connexion", await Landing(cookie));
        Assert.True(await api.Services.GetRequiredService<SessionExpiryJob>().RunAsync(CancellationToken.None) >= 1); // and its row goes
    }

    [Fact]
    public async Task A_sign_in_below_the_level_of_assurance_asked_for_gives_no_session()
    {
        var subject = Person();
        List(subject, "regulator", "44");
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });
        var page = await browser.GetStringAsync("/console/connexion");
        var authorize = (await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(page))).Headers.Location!;
        var code = api.IdentityProvider.Authorize(authorize, subject, idTokenClaims: new Dictionary<string, object> { ["acr"] = "eidas0" });
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;

        var callback = await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));

        Assert.Equal(PersonSignIn.RefusedPath, callback.Headers.Location!.OriginalString);
        Assert.DoesNotContain(callback.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("sas-console=", StringComparison.Ordinal));
    }
}

/// <summary>A provider the deployment did not set up for the SAS: its claims named role and sas_scope give nothing.</summary>
public sealed class UntrustedClaimsFactory : OidcConsoleFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => base.Settings.Where(s => !s.Key.StartsWith("Console:Oidc:SasClaimIssuers", StringComparison.Ordinal));
}

public sealed class UntrustedClaimsTests(UntrustedClaimsFactory api) : IClassFixture<UntrustedClaimsFactory>
{
    [Fact]
    public async Task A_role_claim_from_a_provider_not_named_for_the_sas_gives_no_access()
    {
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });
        var page = await browser.GetStringAsync("/console/connexion");
        var authorize = (await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(page))).Headers.Location!;
        var code = api.IdentityProvider.Authorize(authorize, "somebody-" + Guid.NewGuid(),
            idTokenClaims: new Dictionary<string, object> { ["role"] = "admin", ["name"] = "Quelqu'un" });
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;

        var callback = await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));

        Assert.Equal(PersonSignIn.RefusedPath, callback.Headers.Location!.OriginalString);
    }
}

/// <summary>The API with a provider that cannot be reached.</summary>
public sealed class UnreachableProviderFactory : OidcConsoleFactory
{
    protected override bool ProviderDown => true;
}

public sealed class UnreachableProviderTests(UnreachableProviderFactory api) : IClassFixture<UnreachableProviderFactory>
{
    [Fact]
    public async Task A_provider_that_cannot_be_reached_is_said_on_the_sign_in_page_with_a_503_not_an_error_page()
    {
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });
        var page = await browser.GetStringAsync("/console/connexion");

        var response = await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(page));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Pro Santé Connect ne répond pas pour le moment", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("sas-console=", StringComparison.Ordinal));
    }
}
