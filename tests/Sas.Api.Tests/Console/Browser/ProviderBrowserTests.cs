using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Console;

/// <summary>
/// The console on HTTPS at https://localhost, and its OpenID Connect provider's pages on HTTPS at 127.0.0.1: another
/// site, as Pro Santé Connect is for a deployment. Both with the tests' server certificate, which the browser is told
/// to accept.
/// </summary>
public class ProviderConsoleFactory : OidcConsoleFactory
{
    public TestCertificates Pki { get; } = new();

    public Uri Address { get; }

    public const string CoordinatorLabel = "Claire Martin, coordinatrice de CPTS";

    public ProviderConsoleFactory()
    {
        IdentityProvider.ServeAsync(Pki.Server).GetAwaiter().GetResult();
        IdentityProvider.Register(new FakeIdentityProvider.Person(CptsSubject, CoordinatorLabel,
            Info: new Dictionary<string, object> { ["given_name"] = "Claire", ["family_name"] = "Martin" }));
        // Plain HTTP too, for the tests' own setup calls (World); HTTPS for the browser.
        UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(Pki.Server));
        });
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        ClientOptions.BaseAddress = new Uri(addresses.Single(a => a.StartsWith("http:", StringComparison.Ordinal)));
        Address = new UriBuilder(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal))) { Host = "localhost" }.Uri;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        IdentityProvider.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Pki.Dispose();
    }
}

/// <summary>
/// A person signs in to the console through the provider's own pages in Chromium: the console's sign-in button (a form
/// post answered by a redirect to the provider, which the page's form-action must allow), the provider's sign-in page,
/// its form post back, and the console's page for the person's role.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(nameof(BrowserCollection))]
public sealed class ProviderBrowserTests(ProviderConsoleFactory api) : IClassFixture<ProviderConsoleFactory>, IAsyncLifetime
{
    private Chromium? chromium;

    public async Task InitializeAsync() => chromium = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (chromium is not null) await chromium.DisposeAsync();
    }

    private async Task<IPage> NewPage()
    {
        var context = await chromium!.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, Locale = "fr-FR" });
        return await context.NewPageAsync();
    }

    private string At(string path) => new Uri(api.Address, path).ToString();

    [BrowserFact]
    public async Task A_person_signs_in_through_the_providers_pages_and_lands_on_their_page()
    {
        var sector = await new World(api).Sector();
        await api.Admin().PutJson($"/v1/cpts/{OidcConsoleFactory.CptsFiness}", new { name = "CPTS du test", sectors = new[] { sector } });
        var page = await NewPage();
        await page.GotoAsync(At("/console"));
        Assert.Contains("/console/connexion", page.Url);
        await ConsoleBrowserTests.AssertAccessible(page, "connexion-fournisseur");

        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter avec Pro Santé Connect" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith("https://127.0.0.1", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = ProviderConsoleFactory.CoordinatorLabel }).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/console/cpts", StringComparison.Ordinal));

        Assert.Contains("Tableau de bord", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("Claire Martin", await page.Locator("body").InnerTextAsync());
        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "sas-console");
        Assert.True(session.HttpOnly && session.Secure);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("eidas1", System.Web.HttpUtility.ParseQueryString(new Uri(api.IdentityProvider.LastAuthorizationRequest!).Query)["acr_values"]);
    }

    /// <summary>With the provider's session still open, signing in again asks the person nothing at the provider.</summary>
    [BrowserFact]
    public async Task Signing_in_again_with_the_providers_session_open_asks_nothing()
    {
        var page = await NewPage();
        await page.GotoAsync(At("/console/connexion"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter avec Pro Santé Connect" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = ProviderConsoleFactory.CoordinatorLabel }).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/console/cpts", StringComparison.Ordinal));
        var shown = api.IdentityProvider.SignInPagesShown;

        await page.GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/console/connexion", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter avec Pro Santé Connect" }).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/console/cpts", StringComparison.Ordinal));

        Assert.Equal(shown, api.IdentityProvider.SignInPagesShown);
    }
}
