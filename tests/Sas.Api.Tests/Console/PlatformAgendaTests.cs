// Firely marks every element nullable; these tests assert presence explicitly, so the warnings add nothing here.
#nullable disable warnings
using System.Net;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Console;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace Sas.Api.Tests.Console;

/// <summary>
/// The console with Pro Santé Connect (the tests' provider), the SAS platform's regulators booking in département 44, and a
/// stand-in platform receiving the appointments (INT_R03).
/// </summary>
public class PlatformAgendaFactory : OidcConsoleFactory
{
    public FhirPlatformReceiver Platform { get; } = FhirPlatformReceiver.StartAsync().GetAwaiter().GetResult();

    public const string AppointmentSystem = "urn:oid:1.2.250.1.999.1";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("Fhir:AllowApiKeys", "true"), // the admin key stands in for the platform reading slots and creating accounts
        new("Fhir:SasPlatform:BaseUrl", Platform.BaseUrl),
        new("Fhir:SasPlatform:AppointmentIdentifierSystem", AppointmentSystem),
        new("Fhir:SasPlatform:RegulatorScope:0", "44"),
        new("Webhooks:RetriesPerRun", "0"),
        new("Console:PublicBaseUrl", "https://localhost"),
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Platform.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>
/// Flow "V2": the SAS platform sends a regulator to the link of a slot's <c>comment</c>, adding <c>origin=sas…</c>; the
/// regulator is signed in by Pro Santé Connect as the account the platform created (INT_R02), accepts the terms once, and
/// books in the GP's agenda; the platform hears of it (INT_R03). The kit's checks (SSO – Flux V2) are named by their id;
/// the browser's run of the whole path is in <c>PlatformAgendaBrowserTests</c>.
/// </summary>
public sealed class PlatformAgendaTests(PlatformAgendaFactory api) : IClassFixture<PlatformAgendaFactory>
{
    private readonly World world = new(api);

    private HttpClient Browser(bool followRedirects = false) => api.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = followRedirects, HandleCookies = true,
    });

    /// <summary>A regulator account as the platform creates it (INT_R02), with a national id Pro Santé Connect gives as SubjectNameID.</summary>
    private async Task<string> Account(bool active = true, string? idnps = null)
    {
        idnps ??= "8" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        var body = RegulatorAccountTests.Account(RegulatorAccountTests.Idnps, idnps, $"{Guid.NewGuid():N}@regulation.test", active, "Durand", "Alice");
        var response = await api.Admin().SendAsync(RegulatorAccountTests.Fhir(HttpMethod.Put,
            $"/fhir/Practitioner?identifier={Uri.EscapeDataString($"{RegulatorAccountTests.Idnps}|{idnps}")}", body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return idnps;
    }

    /// <summary>A GP of département 44 with two slots, and the link the platform received for the later one.</summary>
    private async Task<(string Rpps, long Early, long Chosen, string Link)> Gp(string department = "44")
    {
        var sector = await world.Sector(department: department);
        var rpps = await world.Practitioner([sector]);
        var early = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var chosen = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var now = api.Clock.GetUtcNow();
        var query = FhirBundles.GuideQuery(now, now.AddDays(2), false, [rpps]);
        var bundle = await (await api.Admin().GetAsync("/fhir/Slot?" + query)).ExpectFhir<Bundle>(HttpStatusCode.OK);
        var link = bundle.All<Slot>().Single(s => s.Id == chosen.ToString()).Comment;
        return (rpps, early, chosen, link);
    }

    /// <summary>The platform's redirection: the link as the kit opens it (<c>&amp;origin=sas-preprod</c>), relative to the console.</summary>
    private static string FromPlatform(string link) => new Uri(link + "&origin=sas-preprod").PathAndQuery;

    /// <summary>The regulator at Pro Santé Connect: opens the link from the platform, signs in there, comes back; the console's next page.</summary>
    private async Task<(HttpClient Browser, string Next)> SignInFromPlatform(string link, string nationalId)
    {
        var browser = Browser();
        var toProvider = await browser.GetAsync(FromPlatform(link));
        Assert.Equal(HttpStatusCode.Redirect, toProvider.StatusCode);
        var authorize = toProvider.Headers.Location!;
        var code = api.IdentityProvider.Authorize(authorize, "psc-" + Guid.NewGuid(), info: new Dictionary<string, object>
        {
            ["SubjectNameID"] = nationalId, ["given_name"] = "Alice", ["family_name"] = "Durand",
        });
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        var callback = await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        return (browser, callback.Headers.Location!.OriginalString);
    }

    /// <summary>Through the console's own page after the provider, then the terms when asked: the agenda's page.</summary>
    private async Task<(HttpClient Browser, string Agenda)> OnAgenda(string link, string nationalId)
    {
        var (browser, next) = await SignInFromPlatform(link, nationalId);
        var suite = await browser.GetStringAsync(next);
        var back = WebUtility.HtmlDecode(Regex.Match(suite, "url=([^\"]+)\"").Groups[1].Value);
        Assert.Equal(FromPlatform(link), back); // back to the same agenda, the platform's mark kept
        var agenda = await browser.GetAsync(back);
        if (agenda.StatusCode == HttpStatusCode.Redirect && agenda.Headers.Location!.OriginalString.StartsWith("/console/conditions", StringComparison.Ordinal))
        {
            var terms = await browser.GetStringAsync(agenda.Headers.Location.OriginalString);
            Assert.Contains("Conditions générales d'utilisation", terms);
            var accepted = await browser.PostAsync("/console/conditions", ConsoleForms.With(terms, ("retour", back)));
            Assert.Equal(back, accepted.Headers.Location!.OriginalString);
            agenda = await browser.GetAsync(back);
        }
        Assert.Equal(HttpStatusCode.OK, agenda.StatusCode);
        return (browser, await agenda.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_slot_link_is_the_gps_agenda_in_the_console_with_a_query_string_for_the_platforms_origin()
    {
        var (rpps, _, chosen, link) = await Gp();
        Assert.Equal($"https://localhost/console/agenda/{rpps}?creneau={chosen}", link);
    }

    /// <summary>Kit sso_without_origin: the link opened as is gives the console's sign-in page (HTML, French), never JSON or a 500.</summary>
    [Fact]
    public async Task Kit_sso_without_origin_opens_the_sign_in_page()
    {
        var (_, _, _, link) = await Gp();
        var answer = await Browser(followRedirects: true).GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("text/html", answer.Content.Headers.ContentType!.MediaType);
        Assert.Contains("/console/connexion", answer.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Se connecter avec Pro Santé Connect", await answer.Content.ReadAsStringAsync());
    }

    /// <summary>Kit sso_while_unidentified: from the platform without a session, straight to Pro Santé Connect (code flow, PKCE, eidas1).</summary>
    [Fact]
    public async Task Kit_sso_while_unidentified_sends_the_regulator_to_pro_sante_connect()
    {
        var (_, _, _, link) = await Gp();
        var answer = await Browser().GetAsync(FromPlatform(link));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var authorize = answer.Headers.Location!;
        Assert.StartsWith(FakeIdentityProvider.Issuer + FakeIdentityProvider.AuthorizationPath, authorize.ToString());
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal("eidas1", query["acr_values"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal("code", query["response_type"]);
    }

    [Fact]
    public async Task A_regulator_from_the_platform_accepts_the_terms_once_books_the_chosen_slot_and_the_platform_hears_of_it()
    {
        var idnps = await Account();
        var (rpps, early, chosen, link) = await Gp();

        var (browser, page) = await OnAgenda(link, idnps);
        Assert.Contains("Connecté·e : Alice Durand", page);
        // The slot picked on the platform first, though another is sooner.
        var rows = Regex.Matches(page, "name=\"slotId\" value=\"(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal([chosen, early], rows);

        var held = await browser.PostAsync(FromPlatform(link) + "&handler=Hold", ConsoleForms.With(page, ("slotId", chosen.ToString()), ("origin", "sas-preprod")));
        var holding = await held.Content.ReadAsStringAsync();
        Assert.True(held.StatusCode == HttpStatusCode.OK, holding);
        Assert.Contains("Créneau tenu pour vous", holding);
        var holdId = Regex.Match(holding, "name=\"Form.HoldId\" value=\"([^\"]+)\"").Groups[1].Value;
        var booked = await browser.PostAsync(FromPlatform(link) + "&handler=Book", ConsoleForms.With(holding,
            ("Form.SlotId", chosen.ToString()), ("Form.HoldId", holdId), ("Form.IdempotencyKey", Guid.NewGuid().ToString()), ("origin", "sas-preprod"),
            ("Form.LastName", "Martin"), ("Form.FirstName", "Louise"), ("Form.BirthDate", "1984-03-02"), ("Form.Phone", "0612345678"),
            ("Form.PatientCommune", "44109"), ("Form.Reason", "Fièvre depuis trois jours"), ("Form.RegularDoctor", "has")));
        var confirmation = await booked.Content.ReadAsStringAsync();
        Assert.True(booked.StatusCode == HttpStatusCode.OK, confirmation);
        Assert.Contains("Rendez-vous réservé", confirmation);
        var bookingId = Regex.Match(confirmation, "référence <strong>([^<]+)</strong>").Groups[1].Value;

        // The booking names the regulator's account, never a client id, and the platform gets it with that operator.
        var booking = await (await api.Admin().GetAsync($"/v1/bookings/{bookingId}")).Expect(HttpStatusCode.OK);
        Assert.Equal(idnps, booking.GetProperty("operator").GetString());
        Assert.Equal(rpps, booking.GetProperty("practitionerRpps").GetString());
        await api.DispatchAll();
        var sent = api.Platform.Accepted.Select(r => (r, FhirBundles.Parse<Appointment>(r.Body))).Single(x => x.Item2.Identifier.Any(i => i.Value == bookingId));
        Assert.Equal("POST", sent.r.Method);
        var operatorRef = (ResourceReference)sent.Item2.GetExtension("http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator").Value;
        Assert.Equal(idnps, operatorRef.Identifier.Value);

        // The acceptance is recorded with its version, and not asked again at the next sign-in.
        var trail = await (await api.Admin().GetAsync("/v1/audit?entity=regulator")).Expect(HttpStatusCode.OK);
        Assert.Contains(trail.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "accept_terms:" + Sas.Api.Regulators.TermsStore.Version);
        var (again, next) = await SignInFromPlatform(link, idnps);
        var back = WebUtility.HtmlDecode(Regex.Match(await again.GetStringAsync(next), "url=([^\"]+)\"").Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync(back)).StatusCode);
    }

    [Fact]
    public async Task A_regulator_whose_habilitation_is_withdrawn_is_refused_at_the_next_request()
    {
        var idnps = await Account();
        var (_, _, _, link) = await Gp();
        var (browser, _) = await OnAgenda(link, idnps);

        await Account(active: false, idnps: idnps); // the platform withdraws it (INT_R02)

        var next = await browser.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.Equal("/console/connexion", new Uri(new Uri("https://localhost"), next.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task A_person_without_an_active_platform_account_is_refused_with_a_french_403()
    {
        var (_, _, _, link) = await Gp();
        var (browser, next) = await SignInFromPlatform(link, "8" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999));
        Assert.Equal(PersonSignIn.RegulatorRefusedPath, next);
        var page = await browser.GetAsync(next);
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("aucun compte régulateur actif", await page.Content.ReadAsStringAsync());
    }

    /// <summary>The regulator habilitation comes only through the platform: the same person signing in at the console has none.</summary>
    [Fact]
    public async Task The_same_person_signing_in_at_the_console_gets_no_regulator_view()
    {
        var idnps = await Account();
        var browser = Browser();
        var page = await browser.GetStringAsync("/console/connexion");
        var start = await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(page));
        var authorize = start.Headers.Location!;
        var code = api.IdentityProvider.Authorize(authorize, "psc-" + Guid.NewGuid(), info: new Dictionary<string, object> { ["SubjectNameID"] = idnps });
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        var callback = await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));
        Assert.Equal(PersonSignIn.RefusedPath, callback.Headers.Location!.OriginalString);
    }

    /// <summary>
    /// A GP who also gives slots to a sector outside the regulator's territory: the agenda opens (one of the GP's sectors is
    /// the regulator's) but offers only the slots of the sectors the regulator covers: the others it could not hold.
    /// </summary>
    [Fact]
    public async Task The_agenda_of_a_gp_of_two_territories_offers_only_the_slots_of_the_regulators_own()
    {
        var idnps = await Account();
        var (ours, theirs) = (await world.Sector(department: "44"), await world.Sector(department: "85"));
        var rpps = await world.Practitioner([ours, theirs]);
        var inOurs = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), ours);
        var inTheirs = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), theirs);
        var now = api.Clock.GetUtcNow();
        var bundle = await (await api.Admin().GetAsync("/fhir/Slot?" + FhirBundles.GuideQuery(now, now.AddDays(2), false, [rpps]))).ExpectFhir<Bundle>(HttpStatusCode.OK);

        var (_, page) = await OnAgenda(bundle.All<Slot>().Single(s => s.Id == inOurs.ToString()).Comment, idnps);

        var offered = Regex.Matches(page, "name=\"slotId\" value=\"(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal([inOurs], offered); // not inTheirs
    }

    [Theory]
    [InlineData("unknown", HttpStatusCode.NotFound, "Ce médecin n'est pas connu de ce service")]
    [InlineData("outside", HttpStatusCode.Forbidden, "hors de votre territoire de régulation")]
    [InlineData("origin", HttpStatusCode.BadRequest, "Ce lien ne vient pas de la plateforme numérique du SAS")]
    public async Task A_link_to_an_unknown_gp_a_gp_outside_the_territory_or_from_elsewhere_is_a_french_4xx(string what, HttpStatusCode status, string message)
    {
        var idnps = await Account();
        var (_, _, _, link) = await Gp();
        var (browser, _) = await OnAgenda(link, idnps);
        var target = what switch
        {
            "unknown" => "/console/agenda/10000000008?creneau=1&origin=sas",
            "outside" => FromPlatform((await Gp(department: "85")).Link),
            _ => new Uri(link).PathAndQuery + "&origin=autre-site",
        };

        var answer = await browser.GetAsync(target);

        Assert.Equal(status, answer.StatusCode);
        Assert.Equal("text/html", answer.Content.Headers.ContentType!.MediaType);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.Contains(message, WebUtility.HtmlDecode(body));
        Assert.Contains("Erreur", body);
    }
}
