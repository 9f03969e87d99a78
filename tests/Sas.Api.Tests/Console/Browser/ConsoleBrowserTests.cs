using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Console;

/// <summary>The API in Development with its demo data, on a real port, as a newcomer runs it.</summary>
public sealed class ConsoleApiFactory : KestrelSasApiFactory
{
    protected override string EnvironmentName => "Development";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Sas:DemoData", "true")];
}

/// <summary>
/// The browser tests run alone, after the assembly's parallel tests: among them on 2 cores, a page twice took more than
/// Playwright's 30 s to load in CI.
/// </summary>
[CollectionDefinition(nameof(BrowserCollection), DisableParallelization = true)]
public sealed class BrowserCollection;

/// <summary>
/// The console in Debian's Chromium, driven by Playwright: sign in as a demo identity, read the CPTS dashboard, download
/// its CSV, and axe finds no serious or critical accessibility violation. Screenshots go to the test output folder.
/// </summary>
[Trait(Tier.Name, Tier.Browser)]
[Collection(nameof(BrowserCollection))]
public sealed class ConsoleBrowserTests(ConsoleApiFactory api) : BrowserTests, IClassFixture<ConsoleApiFactory>
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null) => Browser.NewContextAsync(options);

    /// <summary>
    /// The page at an address out of the sign-in pages has loaded, its style sheet with it (axe's contrast checks and
    /// the layout assertions read the styled page).
    /// </summary>
    private static Task SignedIn(IPage page) => page.WaitForURLAsync(url => !url.Contains("/console/connexion", StringComparison.Ordinal));

    private async Task<IPage> SignedInAs(string identity, ViewportSize? viewport = null)
    {
        var context = await NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1366, Height = 768 }, AcceptDownloads = true, Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(api.Address, "/console").ToString());
        Assert.EndsWith("/console/connexion?ReturnUrl=%2Fconsole", page.Url); // not signed in: sent to sign in
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex(identity) }).ClickAsync();
        // Signed in once the role's page has loaded: a test acting before that would act on a page being replaced.
        await SignedIn(page);
        return page;
    }

    public static async Task AssertAccessible(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Html).Take(3))}")));
    }

    [BrowserFact]
    public async Task The_sign_in_page_lists_the_demo_identities_in_french_and_is_accessible()
    {
        var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(api.Address, "/console/connexion").ToString());
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Connexion", await page.Locator("h1").InnerTextAsync());
        Assert.Equal(4, await page.GetByRole(AriaRole.Button).CountAsync());
        await AssertAccessible(page, "connexion");
    }

    [BrowserFact]
    public async Task A_cpts_coordinator_signs_in_and_reads_the_dashboard_whose_figures_are_the_reports_apis()
    {
        var page = await SignedInAs("Coordinatrice de CPTS");
        Assert.EndsWith("/console/cpts", page.Url);
        Assert.Contains("Tableau de bord", await page.Locator("h1").InnerTextAsync());
        Assert.Equal(["Taux de remplissage par semaine", "Taux de remplissage par secteur", "Taux de remplissage par médecin"],
            await page.Locator("svg[role=img] > title").AllTextContentsAsync()); // the charts, named
        Assert.Equal(await page.Locator("svg[role=img] rect").CountAsync(), await page.Locator("svg[role=img] rect > title").CountAsync()); // each bar named
        Assert.True(await page.Locator("table.heat tbody tr").CountAsync() == 7); // every weekday

        // The same period through the reports API gives the same figures: one code path.
        var from = DateOnly.Parse(await page.Locator("input[name=du]").InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var weeks = int.Parse(await page.Locator("input[name=semaines]").InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        string Utc(DateOnly d) => Uri.EscapeDataString(TimeZoneInfo.ConvertTimeToUtc(d.ToDateTime(TimeOnly.MinValue), paris).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        var report = await (await api.Admin().GetAsync($"/v1/reports/fill-rate?cpts={Sas.Api.Demo.DemoData.CptsFiness}&from={Utc(from)}&to={Utc(from.AddDays(7 * weeks))}&groupBy=week"))
            .Expect(System.Net.HttpStatusCode.OK);
        var totals = report.GetProperty("totals");
        Assert.True(totals.GetProperty("offered").GetInt64() > 0, "the demo data gives the dashboard weeks of figures");
        var headline = await page.Locator(".figures li").First.InnerTextAsync();
        var french = System.Globalization.CultureInfo.GetCultureInfo("fr-FR");
        Assert.Contains($"{totals.GetProperty("booked").GetInt64().ToString("N0", french)} réservés sur {totals.GetProperty("offered").GetInt64().ToString("N0", french)} offerts", headline);
        Assert.Equal(report.GetProperty("rows").GetArrayLength(), await page.Locator("table[aria-describedby=semaines] tbody tr").CountAsync());
        // Mornings that stay empty show at a glance: on every weekday the 9 h cell is paler than the 14 h one.
        var hours = await page.Locator("table.heat thead th").AllInnerTextsAsync();
        int Column(string hour) => hours.ToList().IndexOf(hour) - 1; // the first header is the day's
        static double Lightness(string? style) => double.Parse(System.Text.RegularExpressions.Regex.Match(style!, @"hsl\(210, 70%, (\d+)%\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        for (var day = 0; day < 5; day++)
        {
            var row = page.Locator("table.heat tbody tr").Nth(day).Locator("td");
            Assert.True(Lightness(await row.Nth(Column("9 h")).GetAttributeAsync("style")) > Lightness(await row.Nth(Column("14 h")).GetAttributeAsync("style")));
        }
        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "sas-console");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

        async Task<string> Download(string link)
        {
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync());
            return (await File.ReadAllTextAsync((await download.PathAsync())!)).TrimStart('\uFEFF');
        }
        var csv = await Download("CSV");
        Assert.StartsWith("key,label,weekday,hour,offered,booked", csv);
        Assert.Contains("total,", csv);
        var excel = await Download("Excel (France)");
        Assert.StartsWith("key;label;weekday;hour;offered;booked", excel);
        Assert.Contains("total;", excel);

        // Majorations with their cap and the participation line, the reports API's figures for the same period.
        var majorations = await (await api.Admin().GetAsync($"/v1/reports/majorations?cpts={Sas.Api.Demo.DemoData.CptsFiness}&from={Utc(from)}&to={Utc(from.AddDays(7 * weeks))}"))
            .Expect(System.Net.HttpStatusCode.OK);
        var section = await page.Locator("#majorations + p").InnerTextAsync();
        Assert.Contains($"au plus {majorations.GetProperty("weeklyCap").GetInt32()} actes", section);
        Assert.Contains(majorations.GetProperty("totalAmount").GetDecimal().ToString("C0", french), section);
        Assert.Contains("Participation : 2 h par semaine", await page.Locator("#participation").InnerTextAsync());
        Assert.True(await page.Locator("table[aria-describedby=participation] tbody tr").CountAsync() > 0, "the demo GPs offered slots");
        await AssertAccessible(page, "cpts");

        // A tablet in portrait still reads it.
        var tablet = await SignedInAs("Coordinatrice de CPTS", new ViewportSize { Width = 768, Height = 1024 });
        await AssertAccessible(tablet, "cpts-tablette");
    }

    [BrowserFact]
    public async Task A_regulator_books_through_the_console_with_the_apis_rules_and_the_practice_sees_the_booking()
    {
        var page = await SignedInAs("Régulateur du SAS 44");
        Assert.EndsWith("/console/regulation", page.Url);
        await page.GetByLabel("Code postal du patient").FillAsync("44000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chercher" }).ClickAsync();
        var rows = page.Locator("table tbody tr");
        Assert.True(await rows.CountAsync() > 0, "the demo GPs of Nantes have slots");
        await AssertAccessible(page, "regulation-recherche");

        await rows.First.GetByRole(AriaRole.Button).ClickAsync();
        Assert.Matches(@"Créneau tenu pour vous jusqu'à \d\d:\d\d \(Europe/Paris\), dans 5 min", await page.Locator("#patient + p").InnerTextAsync());
        await page.GetByLabel("Nom", new() { Exact = true }).FillAsync("Durand");
        await page.GetByLabel("Prénom").FillAsync("Léa");
        await page.GetByLabel("Date de naissance (AAAA-MM-JJ)").FillAsync("12/04/1990"); // not the API's format
        await page.GetByLabel("Téléphone").FillAsync("06 12 34 56 78");
        await page.GetByLabel("Commune (code INSEE)").FillAsync("44109");
        await page.GetByLabel("Motif").FillAsync("Fièvre depuis trois jours");
        await page.GetByRole(AriaRole.Button, new() { Name = "Réserver" }).ClickAsync();
        // The API's own validation, next to the field, and nothing booked.
        var error = page.Locator("#Form-BirthDate-erreur");
        Assert.True(await error.IsVisibleAsync());
        Assert.Contains("doit être une date écrite AAAA-MM-JJ", await error.InnerTextAsync()); // the API's rule, in French
        Assert.Contains("Réservation refusée : des champs sont à corriger", await page.Locator("p[role=alert]").First.InnerTextAsync());
        Assert.Equal("true", await page.GetByLabel("Date de naissance (AAAA-MM-JJ)").GetAttributeAsync("aria-invalid"));
        await AssertAccessible(page, "regulation-erreur");

        await page.GetByLabel("Date de naissance (AAAA-MM-JJ)").FillAsync("1990-04-12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Réserver" }).ClickAsync();
        Assert.Equal("Rendez-vous réservé", await page.Locator("#confirme").InnerTextAsync());
        var reference = await page.Locator("#confirme + p strong").InnerTextAsync();
        var booking = await (await api.Admin().GetAsync($"/v1/bookings/{reference}")).Expect(System.Net.HttpStatusCode.OK);
        Assert.Equal("Durand", booking.GetProperty("patient").GetProperty("lastName").GetString());
        Assert.Equal("+33612345678", booking.GetProperty("patient").GetProperty("phone").GetString());
        await AssertAccessible(page, "regulation-reserve");

        // The practice sees it, with the patient's details, and that read is in the audit trail.
        var practice = await SignedInAs("Secrétariat médical");
        Assert.EndsWith("/console/cabinet", practice.Url);
        var shown = await practice.Locator("main").InnerTextAsync();
        Assert.Contains("Durand Léa", shown);
        Assert.Contains("12/04/1990", shown); // French formats
        Assert.Contains("06 12 34 56 78", shown);
        // On the GP's published slots: the booked one with its patient, the others as they are.
        var bookedRow = practice.Locator("table.creneaux tbody tr", new() { HasText = "Durand Léa" });
        Assert.Equal(1, await bookedRow.CountAsync());
        Assert.Contains("réservé par le SAS", await bookedRow.InnerTextAsync());
        Assert.True(await practice.Locator("table.creneaux tbody tr", new() { HasText = "disponible" }).CountAsync() > 0, "the GP's other slots are shown");
        var trail = await (await api.Admin().GetAsync($"/v1/audit?entity=booking&id={reference}")).Expect(System.Net.HttpStatusCode.OK);
        Assert.Contains(trail.GetProperty("items").EnumerateArray(), r => r.GetProperty("action").GetString() == "read" && r.GetProperty("role").GetString() == "practitioner");
        await AssertAccessible(practice, "cabinet");

        // The patient calls back: the regulator cancels, through the API's rule, and the slot is offered again.
        await page.GetByLabel("Annulation demandée par").SelectOptionAsync("patient");
        await page.GetByLabel("Motif de l'annulation").FillAsync("Va mieux");
        await page.GetByRole(AriaRole.Button, new() { Name = "Annuler ce rendez-vous" }).ClickAsync();
        Assert.Equal("Rendez-vous annulé", await page.Locator("#annule").InnerTextAsync());
        var cancelled = await (await api.Admin().GetAsync($"/v1/bookings/{reference}")).Expect(System.Net.HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("patient", cancelled.GetProperty("cancellation").GetProperty("by").GetString());
        await AssertAccessible(page, "regulation-annule");
    }

    [BrowserFact]
    public async Task A_regulator_adds_an_overflow_patient_and_the_gps_places_left_go_down()
    {
        var page = await SignedInAs("Régulateur du SAS 44");
        await page.GetByLabel("Code postal du patient").FillAsync("44000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chercher" }).ClickAsync();
        var offers = page.Locator("table", new() { Has = page.Locator("caption", new() { HasText = "surnombre" }) }).Locator("tbody tr");
        Assert.True(await offers.CountAsync() > 0, "the demo GPs take overflow patients");
        var gp = offers.Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Surnombre" }) }).First;
        var name = await gp.Locator("th").InnerTextAsync();
        var before = await gp.Locator("td").First.InnerTextAsync();
        await gp.GetByRole(AriaRole.Button, new() { Name = "Surnombre" }).ClickAsync();
        Assert.Equal("Ajouter un patient en surnombre", await page.Locator("#patient").InnerTextAsync());
        await page.GetByLabel("Nom", new() { Exact = true }).FillAsync("Morel");
        await page.GetByLabel("Prénom").FillAsync("Hugo");
        await page.GetByLabel("Date de naissance (AAAA-MM-JJ)").FillAsync("2015-06-01");
        await page.GetByLabel("Téléphone").FillAsync("06 98 76 54 32");
        await page.GetByLabel("Commune (code INSEE)").FillAsync("44109");
        await page.GetByLabel("Motif").FillAsync("Otite");
        await page.GetByRole(AriaRole.Button, new() { Name = "Réserver" }).ClickAsync();

        Assert.Equal("Rendez-vous réservé", await page.Locator("#confirme").InnerTextAsync());
        var reference = await page.Locator("#confirme + p strong").InnerTextAsync();
        var booking = await (await api.Admin().GetAsync($"/v1/bookings/{reference}")).Expect(System.Net.HttpStatusCode.OK);
        Assert.True(booking.GetProperty("overflow").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, booking.GetProperty("slotId").ValueKind);
        var after = await offers.Filter(new() { HasText = name }).Locator("td").First.InnerTextAsync();
        int Left(string text) => int.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Left(before) - 1, Left(after)); // the place is taken, as the API counts it
        await AssertAccessible(page, "regulation-surnombre");
    }

    /// <summary>
    /// When no slot fits, the console's regulator passes the patient to the pool of the searched place (the API's pooled
    /// request, its refusals worded in French), follows its requests — who took one, when, for which patient — and
    /// withdraws one the patient no longer needs.
    /// </summary>
    [BrowserFact]
    public async Task A_regulator_passes_a_patient_to_the_pool_sees_who_took_them_and_withdraws_another()
    {
        var world = new World(api);
        var sectors = api.Rows("SELECT sector_code FROM sector_communes WHERE insee_code = '44109'").Select(r => (string)r.sector_code).ToArray();
        var nurse = await world.Professional(sectors, "nurse", overflowPerDay: 2);
        await api.JoinPool(nurse);
        var nurseRow = api.Rows("SELECT first_name, last_name FROM practitioners WHERE rpps = @nurse", new { nurse }).Single();
        var nurseName = $"{(string)nurseRow.first_name} {(string)nurseRow.last_name}";
        var page = await SignedInAs("Régulateur du SAS 44");
        await page.GetByLabel("Code postal du patient").FillAsync("44000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chercher" }).ClickAsync();
        var overflow = page.Locator("table", new() { Has = page.Locator("caption", new() { HasText = "surnombre" }) });
        Assert.DoesNotContain(nurseName, await overflow.InnerTextAsync()); // a GP search: GPs' overflow places only
        // The regulator looks for a nurse instead: the nurse's overflow places, named without "Dr".
        await page.GetByLabel("Profession recherchée").SelectOptionAsync("nurse");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chercher" }).ClickAsync();
        var nurseOffer = overflow.Locator("tbody tr th");
        Assert.Equal([nurseName], await nurseOffer.AllInnerTextsAsync());

        async Task Pass(string lastName, string profession)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Préparer une demande" }).ClickAsync();
            Assert.Equal("Transmettre la demande aux professionnels du territoire", await page.Locator("#patient").InnerTextAsync());
            await page.GetByLabel("Nom", new() { Exact = true }).FillAsync(lastName);
            await page.GetByLabel("Prénom").FillAsync("Léa");
            await page.GetByLabel("Date de naissance (AAAA-MM-JJ)").FillAsync("1990-04-12");
            await page.GetByLabel("Téléphone").FillAsync("06 12 34 56 78");
            await page.GetByLabel("Commune (code INSEE)").FillAsync("44109");
            await page.GetByLabel("Motif").FillAsync("Plaie à panser");
            await page.GetByLabel("Profession", new() { Exact = true }).SelectOptionAsync(profession);
            await page.GetByLabel("À prendre en charge dans les").SelectOptionAsync("4");
            await page.GetByRole(AriaRole.Button, new() { Name = "Transmettre la demande" }).ClickAsync();
        }

        await Pass("Durand", "midwife"); // no midwife takes requests here: the API's refusal, in French, the form kept
        Assert.Contains("Demande non transmise : aucun professionnel de cette profession", await page.Locator("p[role=alert]").First.InnerTextAsync());
        await page.GetByLabel("Profession", new() { Exact = true }).SelectOptionAsync("nurse");
        await page.GetByRole(AriaRole.Button, new() { Name = "Transmettre la demande" }).ClickAsync();
        Assert.Contains("Proposée à 1 professionnel du territoire", await page.Locator("#transmise + p").InnerTextAsync());
        await AssertAccessible(page, "regulation-demande");
        await Pass("Morel", "nurse");
        var posted = api.Rows("SELECT r.id FROM pooled_requests r JOIN pooled_request_offers o ON o.request_id = r.id WHERE o.rpps = @nurse ORDER BY r.created_at, r.id", new { nurse })
            .Select(r => (string)r.id).ToList();
        Assert.Equal(2, posted.Count);
        var first = posted.Single(id => ((string)api.Rows("SELECT draft FROM pooled_requests WHERE id = @id", new { id }).Single().draft).Contains("Durand", StringComparison.Ordinal));

        // The nurse's practice takes the first, an hour from now.
        var start = api.Clock.GetUtcNow().AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:00'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await (await (await world.ClientFor("practitioner", nurse)).Accept(first, nurse, start)).Expect(System.Net.HttpStatusCode.Created);

        await page.GetByRole(AriaRole.Link, new() { Name = "Demandes transmises" }).First.ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/console/regulation/demandes", StringComparison.Ordinal));
        var rows = page.Locator("table tbody tr");
        var accepted = rows.Filter(new() { HasText = "acceptée par" });
        Assert.Equal(1, await accepted.CountAsync());
        Assert.Contains("(Infirmier) : rendez-vous", await accepted.InnerTextAsync());
        Assert.Contains("patient Durand Léa", await accepted.InnerTextAsync());
        await AssertAccessible(page, "regulation-demandes");

        await rows.Filter(new() { HasText = "ouverte" }).GetByRole(AriaRole.Button, new() { Name = "Retirer" }).ClickAsync();
        Assert.Contains("Demande retirée", await page.Locator("p[role=status]").InnerTextAsync());
        Assert.Equal("withdrawn", (string)api.Rows("SELECT status FROM pooled_requests WHERE id = @id", new { id = posted.Single(id => id != first) }).Single().status);
        Assert.Equal(1, await rows.Filter(new() { HasText = "retirée" }).CountAsync());
    }

    [BrowserFact]
    public async Task An_administrator_opens_the_jobs_dashboard_with_the_consoles_session_and_a_regulator_cannot()
    {
        var page = await SignedInAs("Administrateur");
        var refused = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) refused.Add(message.Text); };
        await page.GetByRole(AriaRole.Link, new() { Name = "Tâches planifiées" }).ClickAsync();
        await page.WaitForURLAsync("**/console/jobs");
        Assert.Contains("SAS jobs", await page.TitleAsync());
        await page.GotoAsync(new Uri(api.Address, "/console/jobs/recurring").ToString());
        var recurring = await page.Locator("main, #wrap, body").First.InnerTextAsync();
        foreach (var (id, _, _) in Sas.Api.Jobs.JobsSetup.Schedule) Assert.Contains(id, recurring);
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.Hangfire !== 'undefined'"), "the dashboard's scripts ran under the page's policy");
        Assert.Empty(refused);

        // The same address without the session, or with a session of another role, leads to the sign-in page.
        var regulator = await SignedInAs("Régulateur du SAS 44");
        await regulator.GotoAsync(new Uri(api.Address, "/console/jobs").ToString());
        Assert.Contains("/console/connexion", regulator.Url);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var answer = await anonymous.GetAsync(new Uri(api.Address, "/console/jobs/recurring"));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Contains("/console/connexion", answer.Headers.Location!.ToString());
    }

    [BrowserFact]
    public async Task A_person_signs_in_and_reaches_the_content_with_the_keyboard_alone()
    {
        var context = await NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(api.Address, "/console/connexion").ToString());
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Aller au contenu", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        // The focused element is asked for its own value: the body's text, focused when tabbing leaves the page, holds every label.
        const string Focused = "() => document.activeElement.tagName + ':' + (document.activeElement.value ?? '')";
        for (var i = 0; i < 10 && await page.EvaluateAsync<string>(Focused) != "BUTTON:cpts"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("BUTTON:cpts", await page.EvaluateAsync<string>(Focused));
        await page.Keyboard.PressAsync("Enter");
        // Signed in once the role's page has loaded (as SignedInAs waits), then the page is the CPTS's.
        await SignedIn(page);
        Assert.EndsWith("/console/cpts", page.Url);
        Assert.True(await page.EvaluateAsync<bool>("() => { const b = document.querySelector('form.period button'); return b.getBoundingClientRect().right <= window.innerWidth; }"),
            "the period form fits a 1366-pixel screen");
    }

    [BrowserFact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await SignedInAs("Coordinatrice de CPTS");
        await page.GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();
        await page.WaitForURLAsync("**/console/connexion");
        await page.GotoAsync(new Uri(api.Address, "/console/cpts").ToString());
        Assert.Contains("/console/connexion", page.Url);
    }
}
