using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Sas.Api.Console;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Console;

/// <summary>
/// The practice's page acts, not only shows: it records whether the patient came, cancels a booking saying why, and
/// withdraws a free slot, each through the API's own services (their rules, their audit, their events).
/// </summary>
public sealed class CabinetActionTests(OidcConsoleFactory api) : IClassFixture<OidcConsoleFactory>
{
    private readonly World world = new(api);

    /// <summary>The GP signs in with the provider (their national id names them), and lands on the practice's page.</summary>
    private async Task<(HttpClient Browser, string Page)> SignedInAs(string rpps)
    {
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });
        var signIn = await browser.GetStringAsync("/console/connexion");
        var authorize = (await browser.PostAsync("/console/connexion?handler=Externe", PersonSignInTests.SignInButton(signIn))).Headers.Location!;
        var code = api.IdentityProvider.Authorize(authorize, "psc-" + Guid.NewGuid(), info: new Dictionary<string, object> { ["SubjectNameID"] = "8" + rpps });
        var state = System.Web.HttpUtility.ParseQueryString(authorize.Query)["state"]!;
        await browser.PostAsync(PersonSignIn.CallbackPath, new FormUrlEncodedContent([new("code", code), new("state", state)]));
        return (browser, await browser.GetStringAsync("/console/cabinet"));
    }

    private static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields) => new(
        [new("__RequestVerificationToken", Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value),
         .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);

    private async Task<string> Act(HttpClient browser, string page, string handler, params (string, string)[] fields)
    {
        var answer = await browser.PostAsync($"/console/cabinet?handler={handler}", Form(page, fields));
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, body);
        return body;
    }

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
