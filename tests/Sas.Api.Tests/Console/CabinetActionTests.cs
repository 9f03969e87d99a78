using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Sas.Api.Console;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Console;

/// <summary>The practice's page as a browser drives it, without a browser.</summary>
public static class CabinetActions
{
    /// <summary>The GP signs in with the provider (their national id names them), and lands on the practice's page.</summary>
    public static Task<(HttpClient Browser, string Page)> SignedInAs(OidcConsoleFactory api, string rpps) =>
        SignedIn(api, "psc-" + Guid.NewGuid(), new Dictionary<string, object> { ["SubjectNameID"] = "8" + rpps }, "/console/cabinet");

    /// <summary>The CPTS's coordinator signs in (the factory's CPTS), and opens the CPTS's rota.</summary>
    public static Task<(HttpClient Browser, string Page)> SignedInAsCoordinator(OidcConsoleFactory api) =>
        SignedIn(api, OidcConsoleFactory.CptsSubject, null, "/console/cpts/planning");

    private static async Task<(HttpClient Browser, string Page)> SignedIn(OidcConsoleFactory api, string subject, Dictionary<string, object>? info, string landing)
    {
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });
        var signIn = await browser.GetStringAsync("/console/connexion");
        var authorize = (await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(signIn))).Headers.Location!;
        var code = api.IdentityProvider.Authorize(authorize, subject, info: info);
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));
        return (browser, await browser.GetStringAsync(landing));
    }

    public static async Task<string> Act(HttpClient browser, string page, string handler, params (string, string)[] fields) =>
        await ActOn(browser, "/console/cabinet", page, handler, fields);

    public static async Task<string> ActOn(HttpClient browser, string path, string page, string handler, params (string, string)[] fields)
    {
        var answer = await browser.PostAsync($"{path}?handler={handler}", ConsoleForms.With(page, fields));
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, body);
        return body;
    }
}

/// <summary>
/// The practice's page acts, not only shows: it records whether the patient came, cancels a booking saying why, and
/// withdraws a free slot, each through the API's own services (their rules, their audit, their events).
/// </summary>
public sealed class CabinetActionTests(OidcConsoleFactory api) : IClassFixture<OidcConsoleFactory>
{
    private readonly World world = new(api);

    private Task<(HttpClient Browser, string Page)> SignedInAs(string rpps) => CabinetActions.SignedInAs(api, rpps);

    private static Task<string> Act(HttpClient browser, string page, string handler, params (string, string)[] fields) => CabinetActions.Act(browser, page, handler, fields);

    [Fact]
    public async Task The_practice_withdraws_a_free_slot_cancels_a_booking_and_records_an_outcome()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var free = await world.PublishedSlot(rpps, TimeSpan.FromHours(5), sector);
        var soon = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var later = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var regulator = await world.ClientFor("regulator", sector);
        var seen = (await (await regulator.Book(BookingRequests.Body(soon, requestedAt: World.Local(api.Clock.GetUtcNow())))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var dropped = (await (await regulator.Book(BookingRequests.Body(later, requestedAt: World.Local(api.Clock.GetUtcNow())))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var (browser, page) = await SignedInAs(rpps);
        Assert.Contains("aria-label=\"Retirer le créneau", page);
        Assert.DoesNotContain("Honoré</button>", page); // nobody has come yet

        page = await Act(browser, page, "Withdraw", ("slotId", free.ToString()));
        Assert.Contains("Créneau retiré", page);
        page = await Act(browser, page, "Cancel", ("bookingId", dropped), ("reason", "Le médecin est appelé en visite"));
        Assert.Contains("Rendez-vous annulé", page);
        api.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5));
        page = await browser.GetStringAsync("/console/cabinet");
        page = await Act(browser, page, "Outcome", ("bookingId", seen), ("outcome", "honoured"));
        Assert.Contains("Rendez-vous noté honoré", page);

        var admin = api.Admin();
        Assert.Equal("withdrawn", (await (await admin.GetAsync($"/v1/slots/{free}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        var cancelled = await (await admin.GetAsync($"/v1/bookings/{dropped}")).Expect(HttpStatusCode.OK);
        Assert.Equal(("cancelled", "practitioner"), (cancelled.GetProperty("status").GetString(), cancelled.GetProperty("cancellation").GetProperty("by").GetString()));
        Assert.Equal("honoured", (await (await admin.GetAsync($"/v1/bookings/{seen}")).Expect(HttpStatusCode.OK)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_refused_action_is_said_in_french_and_changes_nothing()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var regulator = await world.ClientFor("regulator", sector);
        var booking = (await (await regulator.Book(BookingRequests.Body(slot, requestedAt: World.Local(api.Clock.GetUtcNow())))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var (browser, page) = await SignedInAs(rpps);

        page = await Act(browser, page, "Outcome", ("bookingId", booking), ("outcome", "honoured")); // before the consultation
        Assert.Contains("Issue non enregistrée", page);
        page = await Act(browser, page, "Withdraw", ("slotId", slot.ToString())); // booked
        Assert.Contains("Créneau non retiré", page);

        var read = await (await api.Admin().GetAsync($"/v1/bookings/{booking}")).Expect(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("outcome").ValueKind);
        Assert.Equal("booked", (await (await api.Admin().GetAsync($"/v1/slots/{slot}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
    }
}

/// <summary>
/// A secretary gives "every Tuesday afternoon" from the practice's page: sees what it will make, saves it, and removes it;
/// a rule missing its days is refused in French and saves nothing.
/// </summary>
public sealed class CabinetRuleTests(OidcConsoleFactory api) : IClassFixture<OidcConsoleFactory>
{
    private readonly World world = new(api);

    private (string, string)[] Tuesday(string rpps, string sector, params string[] days) =>
    [
        ("Rule.Rpps", rpps), ("Rule.Site", "cab"), ("Rule.Sector", sector), ("Rule.Modality", "in_person"),
        .. (days.Length == 0 ? [] : days.Select(d => ("Rule.Weekdays", d))),
        ("Rule.StartTime", "14:00"), ("Rule.EndTime", "18:00"), ("Rule.SlotMinutes", "20"), ("Rule.EveryWeeks", "1"),
        ("Rule.FirstDay", DateOnly.FromDateTime(api.Clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
    ];

    [Fact]
    public async Task A_secretary_previews_saves_and_removes_every_tuesday_afternoon()
    {
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var (browser, page) = await CabinetActions.SignedInAs(api, rpps);

        page = await CabinetActions.Act(browser, page, "PreviewRule", Tuesday(rpps, sector, "tuesday"));
        Assert.Matches(@"Aperçu : \d+ créneau\(x\) sur les quatre prochaines semaines", page);
        Assert.Contains("mardi", page);
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM availability_rules WHERE rpps = @rpps", new { rpps })); // a preview saves nothing

        page = await CabinetActions.Act(browser, page, "AddRule", Tuesday(rpps, sector, "tuesday"));
        var made = int.Parse(System.Text.RegularExpressions.Regex.Match(page, @"Plage enregistrée : (\d+) créneau").Groups[1].Value);
        Assert.InRange(made, 1, 12); // next Tuesday's afternoon, within the week's horizon
        Assert.Equal(made, api.Count("SELECT COUNT(*) FROM slots WHERE rpps = @rpps AND rule_id IS NOT NULL AND status = 'available'", new { rpps }));
        Assert.Contains("14:00 – 18:00", page);

        var ruleId = (string)api.Rows("SELECT id FROM availability_rules WHERE rpps = @rpps", new { rpps }).Single().id;
        page = await CabinetActions.Act(browser, page, "RemoveRule", ("rpps", rpps), ("ruleId", ruleId));
        Assert.Contains($"Plage supprimée : {made} créneau(x) libre(s) retiré(s)", page);
    }

    /// <summary>"Modifier" opens the rule in the form, as saved; saving it changes the rule in place (same id).</summary>
    [Fact]
    public async Task A_secretary_edits_a_rule_in_place_from_its_modify_link()
    {
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var (browser, page) = await CabinetActions.SignedInAs(api, rpps);
        page = await CabinetActions.Act(browser, page, "AddRule", Tuesday(rpps, sector, "tuesday"));
        var ruleId = (string)api.Rows("SELECT id FROM availability_rules WHERE rpps = @rpps", new { rpps }).Single().id;
        Assert.Contains($"?modifier={ruleId}", page);

        var form = await browser.GetStringAsync($"/console/cabinet?modifier={ruleId}");
        Assert.Contains("Enregistrer les modifications", form);
        Assert.Contains($"name=\"Rule.Id\" value=\"{ruleId}\"", form);
        Assert.Contains("value=\"tuesday\" checked=\"checked\"", form);

        var saved = System.Net.WebUtility.HtmlDecode(await CabinetActions.Act(browser, form, "EditRule",
            [.. Tuesday(rpps, sector, "tuesday").Where(f => f.Item1 != "Rule.EndTime"), ("Rule.EndTime", "16:00"), ("Rule.Id", ruleId)]));

        Assert.Contains("Plage modifiée :", saved);
        var rule = api.Rows("SELECT id, end_local FROM availability_rules WHERE rpps = @rpps", new { rpps }).Single();
        Assert.Equal((ruleId, "16:00"), ((string)rule.id, (string)rule.end_local));
    }

    [Fact]
    public async Task A_rule_without_its_days_is_refused_in_french_and_saves_nothing()
    {
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var (browser, page) = await CabinetActions.SignedInAs(api, rpps);

        page = await CabinetActions.Act(browser, page, "AddRule", Tuesday(rpps, sector));

        Assert.Contains("Plage non enregistrée", page);
        Assert.Contains("Jours :", page);
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM availability_rules WHERE rpps = @rpps", new { rpps }));
    }
}

/// <summary>
/// The practice's week as a calendar: a rule's afternoon on its day, its slots with their state, the booked one with its
/// patient (the read audited); the next week a link away.
/// </summary>
public sealed class PracticeWeekTests(OidcConsoleFactory api) : IClassFixture<OidcConsoleFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task The_week_shows_each_day_its_rule_its_slots_and_the_booked_patient_and_audits_the_read()
    {
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var practice = await world.ClientFor("practitioner", rpps);
        // The next Tuesday whose afternoon is within the sector's week ahead (the clock here is today's).
        var now = TimeZoneInfo.ConvertTime(api.Clock.GetUtcNow(), Sas.Domain.Time.Zones.Find(null));
        var ahead = ((int)DayOfWeek.Tuesday - (int)now.DayOfWeek + 7) % 7;
        var day = DateOnly.FromDateTime(now.Date).AddDays(ahead == 0 && now.Hour >= 13 ? 7 : ahead);
        await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", new
        {
            site = "cab", sector, modality = "in_person", weekdays = new[] { "tuesday" }, startTime = "14:00", endTime = "15:00", slotMinutes = 20,
            firstDay = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), lastDay = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        })).Expect(HttpStatusCode.Created);
        var first = api.Rows("SELECT id FROM slots WHERE rpps = @rpps ORDER BY start_utc", new { rpps }).Select(r => (long)r.id).First();
        var booking = (await (await (await world.ClientFor("regulator", sector)).Book(BookingRequests.Body(first, requestedAt: World.Local(api.Clock.GetUtcNow())))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var (browser, _) = await CabinetActions.SignedInAs(api, rpps);
        var audited = api.Count("SELECT COUNT(*) FROM audit_log WHERE entity = 'booking' AND entity_id = @booking", new { booking });
        var monday = day.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var week = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync($"/console/cabinet/semaine?du={monday}"));

        var tuesdayCell = Cells(week)[1];
        Assert.Contains("Plage 14:00 – 15:00", tuesdayCell);
        Assert.Contains($"14:00 : réservé par le SAS — {BookingRequests.PatientLastName}", tuesdayCell);
        Assert.Contains("14:20 : disponible", tuesdayCell);
        Assert.Contains("14:40 : disponible", tuesdayCell);
        Assert.DoesNotContain("Plage", Cells(week)[2]); // Wednesday: the rule gives nothing
        Assert.True(api.Count("SELECT COUNT(*) FROM audit_log WHERE entity = 'booking' AND entity_id = @booking", new { booking }) > audited);
        Assert.Contains($"?du={day.AddDays(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}", week); // the next week
        var next = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync($"/console/cabinet/semaine?du={day.AddDays(6):yyyy-MM-dd}"));
        Assert.DoesNotContain("Plage 14:00", next); // the rule ended that Tuesday
    }

    /// <summary>The seven day cells of the first week table, in order.</summary>
    private static List<string> Cells(string page)
    {
        var table = page[page.IndexOf("<table class=\"semaine\"", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("</table>", StringComparison.Ordinal)];
        return [.. System.Text.RegularExpressions.Regex.Matches(table, "<td>(.*?)</td>", System.Text.RegularExpressions.RegexOptions.Singleline).Select(m => m.Groups[1].Value)];
    }
}

/// <summary>
/// The CPTS coordinator's rota page: every GP of the CPTS's sectors with their rules there; a rule given for one of them
/// makes its slots; one in a sector outside the CPTS is refused in French; removing one withdraws its free slots.
/// </summary>
public sealed class CptsPlanningTests(OidcConsoleFactory api) : IClassFixture<OidcConsoleFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task The_coordinator_gives_and_removes_a_gps_afternoon_in_the_cpts_sectors_only()
    {
        var sector = await world.Sector(horizon: 168);
        var outside = await world.Sector(horizon: 168);
        Assert.True((await api.Admin().PutJson($"/v1/cpts/{OidcConsoleFactory.CptsFiness}", new { name = "CPTS du test", sectors = new[] { sector } })).IsSuccessStatusCode);
        var rpps = await world.Practitioner([sector, outside]);
        var (browser, page) = await CabinetActions.SignedInAsCoordinator(api);
        Assert.Contains($"RPPS {rpps}", page);
        Assert.DoesNotContain($"<option value=\"{outside}\"", page); // only the CPTS's sectors are offered
        (string, string)[] Thursday(string inSector) =>
        [
            ("Rule.Rpps", rpps), ("Rule.Site", "cab"), ("Rule.Sector", inSector), ("Rule.Modality", "in_person"), ("Rule.Weekdays", "thursday"),
            ("Rule.StartTime", "14:00"), ("Rule.EndTime", "16:00"), ("Rule.SlotMinutes", "30"), ("Rule.EveryWeeks", "1"), ("Rule.FirstDay", "2026-11-01"),
        ];

        var refused = System.Net.WebUtility.HtmlDecode(await CabinetActions.ActOn(browser, "/console/cpts/planning", page, "AddRule", Thursday(outside)));
        Assert.Contains("Plage non enregistrée", refused);
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM availability_rules WHERE rpps = @rpps", new { rpps }));

        var saved = System.Net.WebUtility.HtmlDecode(await CabinetActions.ActOn(browser, "/console/cpts/planning", page, "AddRule", Thursday(sector)));
        Assert.Contains("Plage enregistrée : 4 créneau(x)", saved); // Thursday 26 November, 14:00 to 16:00 in 30 minutes
        Assert.Contains("jeudi", saved);
        var rule = (string)api.Rows("SELECT id FROM availability_rules WHERE rpps = @rpps", new { rpps }).Single().id;

        Assert.Contains($"modifier={rule}", saved);
        var edited = System.Net.WebUtility.HtmlDecode(await CabinetActions.ActOn(browser, "/console/cpts/planning", saved, "EditRule",
            [.. Thursday(sector).Where(f => f.Item1 != "Rule.EndTime"), ("Rule.EndTime", "17:00"), ("Rule.Id", rule)]));
        Assert.Contains("Plage modifiée : 0 créneau(x) libre(s) retiré(s), 2 créé(s)", edited); // 16:00 and 16:30 added
        var notOurs = System.Net.WebUtility.HtmlDecode(await CabinetActions.ActOn(browser, "/console/cpts/planning", saved, "EditRule",
            [.. Thursday(sector), ("Rule.Id", "another-rule")]));
        Assert.Contains("Cette plage n'est pas dans le planning de la CPTS.", notOurs);

        var removed = System.Net.WebUtility.HtmlDecode(await CabinetActions.ActOn(browser, "/console/cpts/planning", saved, "RemoveRule", ("rpps", rpps), ("ruleId", rule)));
        Assert.Contains("Plage supprimée : 6 créneau(x) libre(s) retiré(s)", removed);
    }
}
