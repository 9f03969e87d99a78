using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// Issue #32: professionals beyond GPs. Each is registered with a profession (and a physician with a specialty); a
/// search finds GPs unless it names other professions, so clients that never name one are answered as before.
/// </summary>
public class ProfessionTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task A_nurse_and_a_physician_are_registered_with_their_profession_and_a_gp_stays_the_default()
    {
        var sector = await world.Sector();
        var nurse = await world.Professional([sector], "nurse");
        var cardiologist = await world.Professional([sector], "physician", "SM04");
        var gp = await world.Practitioner([sector]);

        var read = await (await api.Admin().GetAsync($"/v1/practitioners/{nurse}")).Expect(HttpStatusCode.OK);
        Assert.Equal("nurse", read.GetProperty("profession").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("specialty").ValueKind);
        read = await (await api.Admin().GetAsync($"/v1/practitioners/{cardiologist}")).Expect(HttpStatusCode.OK);
        Assert.Equal(("physician", "SM04"), (read.GetProperty("profession").GetString(), read.GetProperty("specialty").GetString()));
        read = await (await api.Admin().GetAsync($"/v1/practitioners/{gp}")).Expect(HttpStatusCode.OK);
        Assert.Equal("general_practitioner", read.GetProperty("profession").GetString());
    }

    [Theory]
    [InlineData("veterinarian", null, "profession")]
    [InlineData("physician", null, "specialty")]        // a physician names their specialty
    [InlineData("physician", "SM54", "specialty")]      // general medicine is a GP
    [InlineData("physician", "cardio", "specialty")]
    [InlineData("nurse", "SM04", "specialty")]          // no other profession takes one
    [InlineData(null, "SM04", "specialty")]             // nor the default, a GP
    public async Task A_profession_and_specialty_that_do_not_go_together_are_refused(string? profession, string? specialty, string field)
    {
        var sector = await world.Sector();
        var rpps = World.NewRpps();
        var body = world.ProfessionalBody([sector], profession!, specialty);
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", body)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
        await (await api.Admin().GetAsync($"/v1/practitioners/{rpps}")).ExpectProblem(HttpStatusCode.NotFound, "practitioner_not_found");
    }

    [Fact]
    public async Task A_search_finds_gps_unless_it_names_the_professions_it_wants()
    {
        var sector = await world.Sector(horizon: 48);
        var gp = await world.PublishedSlot(await world.Practitioner([sector]), TimeSpan.FromHours(2), sector);
        var nurse = await world.PublishedSlot(await world.Professional([sector], "nurse"), TimeSpan.FromHours(3), sector);
        var cardiologist = await world.PublishedSlot(await world.Professional([sector], "physician", "SM04"), TimeSpan.FromHours(4), sector);
        var pediatrician = await world.PublishedSlot(await world.Professional([sector], "physician", "SM40"), TimeSpan.FromHours(5), sector);
        var regulator = await world.ClientFor("regulator", sector);

        Assert.Equal([gp], await Found(regulator, $"sector={sector}"));
        Assert.Equal([nurse], await Found(regulator, $"sector={sector}&profession=nurse"));
        Assert.Equal([gp, nurse], await Found(regulator, $"sector={sector}&profession=nurse,general_practitioner"));
        Assert.Equal([cardiologist, pediatrician], await Found(regulator, $"sector={sector}&profession=physician"));
        Assert.Equal([pediatrician], await Found(regulator, $"sector={sector}&specialty=SM40"));

        var page = await (await regulator.GetAsync($"/v1/slots?sector={sector}&profession=physician&specialty=SM04")).Expect(HttpStatusCode.OK);
        var who = page.GetProperty("items")[0].GetProperty("practitioner");
        Assert.Equal(("physician", "SM04"), (who.GetProperty("profession").GetString(), who.GetProperty("specialty").GetString()));
    }

    [Theory]
    [InlineData("profession=plumber", "profession")]
    [InlineData("profession=nurse&specialty=SM40", "specialty")]
    [InlineData("profession=physician,nurse&specialty=SM40", "specialty")]
    [InlineData("specialty=SM54", "specialty")]
    public async Task A_search_for_an_unknown_profession_or_a_specialty_out_of_place_is_refused(string query, string field)
    {
        var sector = await world.Sector();
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.GetAsync($"/v1/slots?sector={sector}&{query}")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
    }

    /// <summary>The node's index learns a professional's profession from the change feed, not once for all.</summary>
    [Fact]
    public async Task A_professional_registered_again_under_another_profession_is_found_under_the_new_one()
    {
        var sector = await world.Sector(horizon: 48);
        var rpps = await world.Practitioner([sector]);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var regulator = await world.ClientFor("regulator", sector);
        Assert.Equal([slot], await Found(regulator, $"sector={sector}"));

        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", world.ProfessionalBody([sector], "nurse"))).Expect(HttpStatusCode.OK);
        Assert.Empty(await Found(regulator, $"sector={sector}"));
        Assert.Equal([slot], await Found(regulator, $"sector={sector}&profession=nurse"));
    }

    /// <summary>
    /// A professional without an RPPS yet is registered by ADELI number (9 characters, Luhn key, Corsica's 2A/2B read as
    /// 20 as FINESS numbers are), publishes and is found as anyone else; a wrong key is refused.
    /// </summary>
    [Theory]
    [InlineData("441234564")]
    [InlineData("2A1234564")]
    public async Task A_nurse_without_an_rpps_is_registered_by_adeli_number_and_found(string adeli)
    {
        var sector = await world.Sector(horizon: 48);
        await world.Professional([sector], "nurse", rpps: adeli);
        var slot = await world.PublishedSlot(adeli, TimeSpan.FromHours(2), sector);
        var regulator = await world.ClientFor("regulator", sector);

        Assert.Equal([slot], await Found(regulator, $"sector={sector}&profession=nurse"));
        var read = await (await api.Admin().GetAsync($"/v1/practitioners/{adeli}")).Expect(HttpStatusCode.OK);
        Assert.Equal((adeli, "nurse"), (read.GetProperty("rpps").GetString(), read.GetProperty("profession").GetString()));
    }

    [Theory]
    [InlineData("441234567")]  // the key is wrong
    [InlineData("2C1234566")]  // no such département
    [InlineData("4412345")]
    public async Task An_adeli_number_with_a_wrong_key_or_shape_is_refused(string adeli)
    {
        var sector = await world.Sector();
        await (await api.Admin().PutJson($"/v1/practitioners/{adeli}", world.ProfessionalBody([sector], "nurse")))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "rpps");
    }

    /// <summary>
    /// A regulator's scope limited to a profession (a nurses' coordination desk): its searches find that profession
    /// when they name none, and it may neither search, hold nor book another's slots.
    /// </summary>
    [Fact]
    public async Task A_regulator_limited_to_nurses_finds_holds_and_books_nurses_only()
    {
        var sector = await world.Sector(horizon: 48);
        var gpSlot = await world.PublishedSlot(await world.Practitioner([sector]), TimeSpan.FromHours(2), sector);
        var nurseSlot = await world.PublishedSlot(await world.Professional([sector], "nurse"), TimeSpan.FromHours(3), sector);
        var desk = await world.ClientFor("regulator", sector, "profession=nurse");

        Assert.Equal([nurseSlot], await Found(desk, $"sector={sector}"));
        await (await desk.GetAsync($"/v1/slots?sector={sector}&profession=general_practitioner")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await desk.PostAsync($"/v1/slots/{gpSlot}/hold", null)).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await desk.Book(BookingRequests.Body(gpSlot))).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        Assert.Equal("available", api.Rows("SELECT status FROM slots WHERE id = @gpSlot", new { gpSlot }).Single().status);

        var hold = (await (await desk.PostAsync($"/v1/slots/{nurseSlot}/hold", null)).Expect(HttpStatusCode.Created)).GetProperty("holdId").GetString();
        await (await desk.Book(BookingRequests.Body(nurseSlot, hold))).Expect(HttpStatusCode.Created);
    }

    /// <summary>A slot read by its id is within the same scope as the search: the nurses' desk reads nurses' slots only.</summary>
    [Fact]
    public async Task A_regulator_limited_to_nurses_reads_a_nurses_slot_by_id_not_a_gps()
    {
        var sector = await world.Sector(horizon: 48);
        var gp = await world.Practitioner([sector]);
        var gpSlot = await world.PublishedSlot(gp, TimeSpan.FromHours(2), sector);
        var nurseSlot = await world.PublishedSlot(await world.Professional([sector], "nurse"), TimeSpan.FromHours(3), sector);
        var desk = await world.ClientFor("regulator", sector, "profession=nurse");

        await (await desk.GetAsync($"/v1/slots/{nurseSlot}")).Expect(HttpStatusCode.OK);
        await (await desk.GetAsync($"/v1/slots/{gpSlot}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await (await world.ClientFor("regulator", sector)).GetAsync($"/v1/slots/{gpSlot}")).Expect(HttpStatusCode.OK);
        await (await (await world.ClientFor("practitioner", gp)).GetAsync($"/v1/slots/{gpSlot}")).Expect(HttpStatusCode.OK);
    }

    /// <summary>A booking another regulator of the sector made (its patient included) is read within the same professions.</summary>
    [Fact]
    public async Task A_regulator_limited_to_nurses_reads_the_sectors_nurse_bookings_not_its_gp_bookings()
    {
        var sector = await world.Sector(horizon: 48);
        var gpSlot = await world.PublishedSlot(await world.Practitioner([sector]), TimeSpan.FromHours(2), sector);
        var nurseSlot = await world.PublishedSlot(await world.Professional([sector], "nurse"), TimeSpan.FromHours(3), sector);
        var other = await world.ClientFor("regulator", sector);
        var gpBooking = (await (await other.Book(BookingRequests.Body(gpSlot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        var nurseBooking = (await (await other.Book(BookingRequests.Body(nurseSlot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        var desk = await world.ClientFor("regulator", sector, "profession=nurse");

        await (await desk.GetAsync($"/v1/bookings/{nurseBooking}")).Expect(HttpStatusCode.OK);
        await (await desk.GetAsync($"/v1/bookings/{gpBooking}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await other.GetAsync($"/v1/bookings/{gpBooking}")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_regulator_scope_naming_an_unknown_profession_is_refused()
    {
        var sector = await world.Sector();
        await (await api.Admin().PostJson("/v1/clients", new { name = "desk", role = "regulator", scope = new[] { sector, "profession=plumber" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "scope[1]");
    }

    private static async Task<List<long>> Found(HttpClient regulator, string query) =>
        SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?{query}&limit=50")).Expect(HttpStatusCode.OK));
}
