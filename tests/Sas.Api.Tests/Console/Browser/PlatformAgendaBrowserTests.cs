// Firely marks every element nullable; these tests assert presence explicitly, so the warnings add nothing here.
#nullable disable warnings
using System.Net;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace Sas.Api.Tests.Console;

/// <summary>The console and Pro Santé Connect's pages on HTTPS (<see cref="ProviderConsoleFactory"/>), with the platform's regulators and a stand-in platform.</summary>
public sealed class PlatformBrowserFactory : ProviderConsoleFactory
{
    public FhirPlatformReceiver Platform { get; } = FhirPlatformReceiver.StartAsync().GetAwaiter().GetResult();

    public const string RegulatorLabel = "Alice Durand, régulatrice du SAS 44";
    public static readonly string RegulatorIdnps = "8" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);

    public PlatformBrowserFactory()
    {
        IdentityProvider.Register(new FakeIdentityProvider.Person("psc-alice", RegulatorLabel, Info: new Dictionary<string, object>
        {
            ["SubjectNameID"] = RegulatorIdnps, ["given_name"] = "Alice", ["family_name"] = "Durand",
        }));
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("Fhir:AllowApiKeys", "true"),
        new("Fhir:SasPlatform:BaseUrl", Platform.BaseUrl),
        new("Fhir:SasPlatform:AppointmentIdentifierSystem", PlatformAgendaFactory.AppointmentSystem),
        new("Fhir:SasPlatform:RegulatorScope:0", "44"),
        new("Webhooks:RetriesPerRun", "0"),
    ];

    /// <summary>The admin key over HTTPS: the link the FHIR answer gives is then the console's HTTPS address.</summary>
    public HttpClient SecureAdmin()
    {
        var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { BaseAddress = Address };
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Platform.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>
/// Flow "V2" in Chromium, end to end: the link of a slot in a <c>GET /fhir/Slot</c> answer, opened as the platform opens it;
/// Pro Santé Connect's page (the tests' provider); the terms; the GP's agenda with the chosen slot first; hold and book
/// with the patient form; the appointment the stand-in platform receives. Then the kit's "already identified" case
/// (sso_lga): the same link again with the provider's session open lands on the agenda and nobody is asked anything.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(nameof(BrowserCollection))]
public sealed class PlatformAgendaBrowserTests(PlatformBrowserFactory api) : BrowserTests, IClassFixture<PlatformBrowserFactory>
{

    [BrowserFact]
    public async Task Kit_sso_lga_a_regulator_from_the_platform_books_in_the_gps_agenda_and_the_platform_receives_the_appointment()
    {
        var world = new World(api);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var early = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var chosen = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var account = RegulatorAccountTests.Account(RegulatorAccountTests.Idnps, PlatformBrowserFactory.RegulatorIdnps, "alice.durand@regulation.test", true, "Durand", "Alice");
        Assert.True((await api.Admin().SendAsync(RegulatorAccountTests.Fhir(HttpMethod.Post, "/fhir/Practitioner", account))).IsSuccessStatusCode);
        var now = api.Clock.GetUtcNow();
        var bundle = await (await api.SecureAdmin().GetAsync("/fhir/Slot?" + FhirBundles.GuideQuery(now, now.AddDays(2), false, rpps))).ExpectFhir<Bundle>(HttpStatusCode.OK);
        var link = bundle.All<Slot>().Single(s => s.Id == chosen.ToString()).Comment + "&origin=sas-preprod";

        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);

        // Pro Santé Connect's page (kit sso_while_unidentified looks for its ministry's name), then back, then the terms.
        await page.WaitForURLAsync(url => url.StartsWith("https://127.0.0.1", StringComparison.Ordinal));
        Assert.Contains("Ministère de la Santé et de la prévention", await page.Locator("body").InnerTextAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = PlatformBrowserFactory.RegulatorLabel }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/console/conditions", StringComparison.Ordinal));
        await ConsoleBrowserTests.AssertAccessible(page, "conditions");
        await page.GetByRole(AriaRole.Button, new() { Name = "J'accepte les conditions d'utilisation" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains($"/console/agenda/{rpps}", StringComparison.Ordinal));
        Assert.Contains("Agenda du Dr", await page.Locator("h1").InnerTextAsync());
        var rows = page.Locator("table.creneaux tbody tr");
        Assert.Equal(2, await rows.CountAsync());
        Assert.Contains("(choisi)", await rows.First.InnerTextAsync()); // the platform's pick first, though not the soonest
        Assert.Matches(@"\d{1,2} \p{L}+ à \d{2}:\d{2}", await rows.First.Locator("th").InnerTextAsync()); // French date and time
        await ConsoleBrowserTests.AssertAccessible(page, "agenda");

        await rows.First.GetByRole(AriaRole.Button).ClickAsync();
        await page.GetByLabel("Nom", new() { Exact = true }).FillAsync("Martin");
        await page.GetByLabel("Prénom").FillAsync("Louise");
        await page.GetByLabel("Date de naissance (AAAA-MM-JJ)").FillAsync("1984-03-02");
        await page.GetByLabel("Téléphone").FillAsync("0612345678");
        await page.GetByLabel("Commune (code INSEE)").FillAsync("44109");
        await page.GetByLabel("Motif").FillAsync("Fièvre depuis trois jours");
        await ConsoleBrowserTests.AssertAccessible(page, "agenda-patient");
        await page.GetByRole(AriaRole.Button, new() { Name = "Réserver" }).ClickAsync();
        await page.Locator("#confirme").WaitForAsync();
        var bookingId = await page.Locator("#confirme + p strong").InnerTextAsync();

        // The platform receives the appointment, its operator the regulator's national id, never a client id.
        await api.DispatchAll();
        var sent = api.Platform.Accepted.Select(r => FhirBundles.Parse<Appointment>(r.Body)).Single(a => a.Identifier.Any(i => i.Value == bookingId));
        var operatorRef = (ResourceReference)sent.GetExtension("http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator").Value;
        Assert.Equal(PlatformBrowserFactory.RegulatorIdnps, operatorRef.Identifier.Value);
        Assert.Equal(Appointment.AppointmentStatus.Booked, sent.Status);

        // Kit sso_lga: signed in at Pro Santé Connect (its session kept) but no longer here, the next link from the platform
        // goes through the provider and opens the agenda with no question asked.
        var shown = api.IdentityProvider.SignInPagesShown;
        var kept = (await context.CookiesAsync()).Where(c => c.Name != "sas-console").ToList();
        Assert.Contains(kept, c => c.Name == "idp-session");
        await context.ClearCookiesAsync();
        await context.AddCookiesAsync(kept.Select(c => new Microsoft.Playwright.Cookie
        {
            Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
        }));
        var second = await context.NewPageAsync();
        var visitedProvider = false;
        second.FrameNavigated += (_, frame) => visitedProvider |= frame.Url.StartsWith("https://127.0.0.1", StringComparison.Ordinal);
        await second.GotoAsync(bundle.All<Slot>().Single(s => s.Id == early.ToString()).Comment + "&origin=sas-preprod");
        await second.WaitForURLAsync(url => url.Contains($"/console/agenda/{rpps}", StringComparison.Ordinal));
        Assert.Contains("Agenda du Dr", await second.Locator("h1").InnerTextAsync());
        Assert.Equal(shown, api.IdentityProvider.SignInPagesShown);
        Assert.True(visitedProvider); // the session here was gone: the provider's own session signed the regulator in
    }
}
