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
public sealed class ProviderBrowserTests(ProviderConsoleFactory api) : BrowserTests, IClassFixture<ProviderConsoleFactory>
{
    private Task<IPage> NewPage() => NewHttpsPageAsync();

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

/// <summary>
/// A secretary, in Chromium, walks "every Tuesday afternoon" to a booked, honoured slot: signs in with the provider, gives
/// the rule on the practice page (preview, then save), a regulator books one of its slots, and after the consultation the
/// secretary records that the patient came.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(nameof(BrowserCollection))]
public sealed class SecretaryBrowserTests(ProviderConsoleFactory api) : BrowserTests, IClassFixture<ProviderConsoleFactory>
{

    /// <summary>Signs in with the provider as the person shown as <paramref name="label"/> (asked only when its session is not open).</summary>
    private async Task SignIn(IPage page, string label, string landing = "/console/cabinet")
    {
        await page.GotoAsync(new Uri(api.Address, "/console/connexion").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter avec Pro Santé Connect" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith("https://127.0.0.1", StringComparison.Ordinal) || url.EndsWith(landing, StringComparison.Ordinal));
        var person = page.GetByRole(AriaRole.Button, new() { Name = label });
        if (!page.Url.EndsWith(landing, StringComparison.Ordinal) && await person.IsVisibleAsync()) await person.ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith(landing, StringComparison.Ordinal));
    }

    [BrowserFact]
    public async Task A_secretary_gives_every_tuesday_afternoon_and_records_the_booked_patient_as_seen()
    {
        var world = new World(api);
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        const string label = "Secrétariat du cabinet Tour";
        api.IdentityProvider.Register(new FakeIdentityProvider.Person("psc-secretary-" + rpps, label, Info: new Dictionary<string, object> { ["SubjectNameID"] = "8" + rpps }));
        var page = await NewHttpsPageAsync();
        await SignIn(page, label);

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "mardi" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Aperçu" }).ClickAsync();
        await page.GetByText("Aperçu :").WaitForAsync();
        Assert.Contains("mardi", await page.Locator("main ul").First.InnerTextAsync());
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "mardi" }).CheckAsync(); // the form comes back as typed; checked stays checked
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la plage" }).ClickAsync();
        await page.GetByText("Plage enregistrée").WaitForAsync();
        await ConsoleBrowserTests.AssertAccessible(page, "cabinet-plages");

        // A regulator books the first slot the rule made; the consultation happens.
        var first = api.Rows("SELECT id FROM slots WHERE rpps = @rpps AND rule_id IS NOT NULL ORDER BY start_utc", new { rpps }).Select(r => (long)r.id).First();
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.Book(BookingRequests.Body(first, requestedAt: World.Local(api.Clock.GetUtcNow())))).Expect(System.Net.HttpStatusCode.Created);
        var start = (await (await api.Admin().GetAsync($"/v1/slots/{first}")).Expect(System.Net.HttpStatusCode.OK)).GetProperty("start").GetString()!;

        // The week as a calendar: the booked patient on the rule's Tuesday.
        await page.GetByRole(AriaRole.Link, new() { Name = "Semaine du cabinet" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/console/cabinet/semaine", StringComparison.Ordinal));
        var bookedDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.Parse(start, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal), Sas.Domain.Time.Zones.Find(null)));
        await page.GotoAsync(new Uri(api.Address, $"/console/cabinet/semaine?du={bookedDay:yyyy-MM-dd}").ToString());
        Assert.Contains(BookingRequests.PatientLastName, await page.Locator("table.semaine").InnerTextAsync());
        await ConsoleBrowserTests.AssertAccessible(page, "cabinet-semaine");

        api.Clock.SetUtcNow(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture).AddMinutes(30));

        await SignIn(page, label); // days may have passed: the session is signed in again, the provider asks nothing
        await page.GetByRole(AriaRole.Button, new() { Name = "Patient venu" }).First.ClickAsync();
        await page.GetByText("Rendez-vous noté honoré").WaitForAsync();
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @first AND outcome = 'honoured'", new { first }));
    }

    /// <summary>
    /// Issue #32: a nurse's secretary sees the pooled request the regulation posted, with its reason, and accepts it at a
    /// time; the request becomes the nurse's booking, and the regulator reads it.
    /// </summary>
    [BrowserFact]
    public async Task A_nurses_secretary_accepts_a_pooled_request_and_it_becomes_the_nurses_booking()
    {
        var world = new World(api);
        var sector = await world.Sector(horizon: 48);
        var nurse = await world.Professional([sector], "nurse", overflowPerDay: 2);
        await api.JoinPool(nurse);
        var regulator = await world.ClientFor("regulator", sector);
        var request = (await (await regulator.Post(PooledRequests.Body(sector, now: api.Clock.GetUtcNow()))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        const string label = "Secrétariat de l'infirmière Roux";
        api.IdentityProvider.Register(new FakeIdentityProvider.Person("psc-nurse-secretary-" + nurse, label, Info: new Dictionary<string, object> { ["SubjectNameID"] = "8" + nurse }));
        var page = await NewHttpsPageAsync();
        await SignIn(page, label);
        // The nurse's practice: the nurse is named as a nurse, not as a doctor.
        Assert.DoesNotContain("Dr ", string.Join("\n", await page.Locator("h2, caption, h3").AllInnerTextsAsync()));

        await page.GetByRole(AriaRole.Link, new() { Name = "Demandes de la régulation" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/console/cabinet/demandes", StringComparison.Ordinal));
        Assert.Contains(BookingRequests.Reason, await page.Locator("main").InnerTextAsync());
        await ConsoleBrowserTests.AssertAccessible(page, "cabinet-demandes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Accepter la demande" }).ClickAsync();
        await page.GetByText("Demande acceptée").WaitForAsync();

        var bookingId = (string)api.Rows("SELECT booking_id FROM pooled_requests WHERE id = @request AND status = 'accepted'", new { request }).Single().booking_id;
        var booking = await (await regulator.GetAsync($"/v1/bookings/{bookingId}")).Expect(HttpStatusCode.OK);
        Assert.Equal((nurse, BookingRequests.PatientLastName), (booking.GetProperty("practitionerRpps").GetString(), booking.GetProperty("patient").GetProperty("lastName").GetString()));
        Assert.Contains("Aucune demande ouverte", await page.Locator("main").InnerTextAsync());
    }

    [BrowserFact]
    public async Task The_cpts_coordinator_gives_a_gp_every_thursday_afternoon_from_the_rota_page()
    {
        var world = new World(api);
        var sector = await world.Sector(horizon: 168);
        await api.Admin().PutJson($"/v1/cpts/{OidcConsoleFactory.CptsFiness}", new { name = "CPTS du test", sectors = new[] { sector } });
        var rpps = await world.Practitioner([sector]);
        var page = await NewHttpsPageAsync();
        await SignIn(page, ProviderConsoleFactory.CoordinatorLabel, "/console/cpts");

        await page.GetByRole(AriaRole.Link, new() { Name = "Planning de la CPTS" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Nouvelle plage pour le Dr " + (string)api.Rows("SELECT last_name FROM practitioners WHERE rpps = @rpps", new { rpps }).Single().last_name });
        await form.GetByRole(AriaRole.Checkbox, new() { Name = "jeudi" }).CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la plage" }).ClickAsync();
        await page.GetByText("Plage enregistrée").WaitForAsync();

        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM availability_rules WHERE rpps = @rpps", new { rpps }));
        Assert.Contains("jeudi", await page.Locator($"#dr-{rpps}").Locator("..").InnerTextAsync());
        await ConsoleBrowserTests.AssertAccessible(page, "cpts-planning");
    }
}
