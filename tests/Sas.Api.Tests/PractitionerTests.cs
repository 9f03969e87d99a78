using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class PractitionerTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task A_gp_is_created_replaced_and_read()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector], overflowPerDay: 2);
        var gp = await (await api.Admin().GetAsync($"/v1/practitioners/{rpps}")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, gp.GetProperty("overflowPerDay").GetInt32());
        Assert.Equal("cab", gp.GetProperty("sites")[0].GetProperty("id").GetString());

        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", new
        {
            firstName = "Paul", lastName = "Durand", sectors = new[] { sector }, overflowPerDay = 0,
            sites = new[] { new { id = "msp", name = "MSP", address = "2 rue", commune = "44143" } },
        })).Expect(HttpStatusCode.OK);
        gp = await (await api.Admin().GetAsync($"/v1/practitioners/{rpps}")).Expect(HttpStatusCode.OK);
        Assert.Equal("Durand", gp.GetProperty("lastName").GetString());
        Assert.Equal(["msp"], gp.GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task An_rpps_with_a_wrong_luhn_key_is_refused()
    {
        var sector = await world.Sector();
        var rpps = World.NewRpps();
        var wrong = rpps[..10] + (char)('0' + (rpps[10] - '0' + 1) % 10);
        await (await api.Admin().PutJson($"/v1/practitioners/{wrong}", Body(sector))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "rpps");
    }

    [Theory]
    [InlineData("firstName")]
    [InlineData("sectors")]
    [InlineData("sites[0].commune")]
    [InlineData("sites[1].id")]
    [InlineData("overflowPerDay")]
    public async Task Practitioner_validation_names_the_field(string field)
    {
        var sector = await world.Sector();
        object body = field switch
        {
            "firstName" => new { firstName = "", lastName = "X", sectors = new[] { sector }, sites = Sites("a") },
            "sectors" => new { firstName = "A", lastName = "X", sectors = new[] { "no-such" }, sites = Sites("a") },
            "sites[0].commune" => new { firstName = "A", lastName = "X", sectors = new[] { sector }, sites = new[] { new { id = "a", name = "n", address = "a", commune = "20004" } } },
            "sites[1].id" => new { firstName = "A", lastName = "X", sectors = new[] { sector }, sites = Sites("a", "a") },
            _ => new { firstName = "A", lastName = "X", sectors = new[] { sector }, sites = Sites("a"), overflowPerDay = -1 },
        };
        var rpps = World.NewRpps();
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", body)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
        await (await api.Admin().GetAsync($"/v1/practitioners/{rpps}")).ExpectProblem(HttpStatusCode.NotFound, "practitioner_not_found");
    }

    [Theory]
    [InlineData("postalCode", null, "sites[0].postalCode")]        // Nantes has four: which one is the site's?
    [InlineData("postalCode", "44400", "sites[0].postalCode")]     // Rezé's, not Nantes'
    [InlineData("noPostalCode", "98412", "sites[0].commune")]      // the Kerguelen: a commune without a postal code (was a 500)
    [InlineData("finess", "440000017", "sites[0].finess")]         // a wrong key
    [InlineData("siret", "73282932000075", "sites[0].siret")]      // a wrong key
    [InlineData("both", "", "sites[0].siret")]                     // FINESS and SIRET: which is the structure?
    [InlineData("bookingUrl", "http://agenda.example.org/x", "sites[0].bookingUrl")] // not https
    [InlineData("bookingUrl", "/rdv/{slotId}", "sites[0].bookingUrl")]              // not absolute
    public async Task A_sites_postal_code_structure_and_booking_link_are_checked(string what, string? value, string field)
    {
        var sector = await world.Sector();
        var site = new Dictionary<string, object?> { ["id"] = "a", ["name"] = "Cabinet", ["address"] = "1 rue", ["commune"] = "44109", ["postalCode"] = "44000" };
        if (what == "both") (site["finess"], site["siret"]) = ("440000016", "73282932000074");
        else if (what == "noPostalCode") (site["commune"], site["postalCode"]) = (value, null);
        else site[what] = value;
        var rpps = World.NewRpps();
        var body = new { firstName = "A", lastName = "B", sectors = new[] { sector }, sites = new[] { site } };
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", body)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
    }

    [Fact]
    public async Task A_site_keeps_its_postal_code_structure_and_booking_link_and_a_single_postal_code_is_implied()
    {
        var sector = await world.Sector(communes: ["44109", "44143"]);
        var rpps = World.NewRpps();
        var gp = await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", new
        {
            firstName = "A", lastName = "B", sectors = new[] { sector },
            sites = new object[]
            {
                new { id = "a", name = "Cabinet", address = "1 rue", commune = "44109", postalCode = "44300", finess = "440000016", bookingUrl = "https://agenda.example.org/b?creneau={slotId}" },
                new { id = "b", name = "MSP", address = "2 rue", commune = "44143", siret = "73282932000074" },
            },
        })).Expect(HttpStatusCode.Created);
        var sites = gp.GetProperty("sites").EnumerateArray().ToList();
        Assert.Equal(("44300", "440000016", "https://agenda.example.org/b?creneau={slotId}"),
            (sites[0].GetProperty("postalCode").GetString(), sites[0].GetProperty("finess").GetString(), sites[0].GetProperty("bookingUrl").GetString()));
        Assert.Equal(("44400", "73282932000074"), (sites[1].GetProperty("postalCode").GetString(), sites[1].GetProperty("siret").GetString())); // Rezé has one
        var read = await (await api.Admin().GetAsync($"/v1/practitioners/{rpps}")).Expect(HttpStatusCode.OK);
        Assert.Equal(gp.GetProperty("sites").GetRawText(), read.GetProperty("sites").GetRawText());
    }

    private static object Body(string sector) => new { firstName = "A", lastName = "B", sectors = new[] { sector }, sites = Sites("a") };

    private static object[] Sites(params string[] ids) => ids.Select(id => (object)new { id, name = "Cabinet", address = "1 rue", commune = "44109", postalCode = "44000" }).ToArray();
}

public class EnrolmentTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    private static object Gp(params string[] sectors) => new
    {
        firstName = "Jeanne", lastName = "Enrôlée", sectors,
        sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue", commune = "44109", postalCode = "44000" } }, // Nantes
    };

    [Fact]
    public async Task A_practice_enrols_its_gp_only_in_sectors_covering_its_sites_and_an_admin_anywhere()
    {
        var nantes = await world.Sector(communes: ["44109"]);
        var rennes = await world.Sector(department: "35", communes: ["35238"]);
        var rpps = World.NewRpps();
        var software = await world.ClientFor("practitioner", rpps);

        await (await software.PutJson($"/v1/practitioners/{rpps}", Gp(nantes, rennes))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "sectors[1]");
        await (await software.GetAsync($"/v1/practitioners/{rpps}")).ExpectProblem(HttpStatusCode.NotFound, "practitioner_not_found");
        await (await software.PutJson($"/v1/practitioners/{rpps}", Gp(nantes))).Expect(HttpStatusCode.Created);
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", Gp(nantes, rennes))).Expect(HttpStatusCode.OK); // the territory's decision
    }
}
