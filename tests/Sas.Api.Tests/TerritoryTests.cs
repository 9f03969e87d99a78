using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class TerritoryTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task A_sector_is_created_then_replaced_and_read_back()
    {
        var code = World.NewCode();
        var created = await (await api.Admin().PutJson($"/v1/sectors/{code}", new { name = "Nantes centre", department = "44", communes = new[] { "44109", "44143" } }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("Europe/Paris", created.GetProperty("timeZone").GetString());
        Assert.Equal(24, created.GetProperty("bookingHorizonHours").GetInt32());

        await (await api.Admin().PutJson($"/v1/sectors/{code}", new { name = "Nantes", department = "44", communes = new[] { "44109" }, bookingHorizonHours = 48 }))
            .Expect(HttpStatusCode.OK);

        var read = await (await api.Admin().GetAsync($"/v1/sectors/{code}")).Expect(HttpStatusCode.OK);
        Assert.Equal("Nantes", read.GetProperty("name").GetString());
        Assert.Equal(48, read.GetProperty("bookingHorizonHours").GetInt32());
        Assert.Equal(["44109"], read.GetProperty("communes").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task A_sector_time_zone_defaults_to_its_departments()
    {
        var code = World.NewCode();
        var created = await (await api.Admin().PutJson($"/v1/sectors/{code}", new { name = "Saint-Denis", department = "974", communes = new[] { "97411" } }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("Indian/Reunion", created.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task Corsican_commune_codes_are_checked_against_the_reference()
    {
        await world.Sector(communes: ["2A004"], department: "2A");
        await (await api.Admin().PutJson($"/v1/sectors/{World.NewCode()}", new { name = "x", department = "2A", communes = new[] { "20004" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "communes[0]");
    }

    [Theory]
    [InlineData("""{"name":"","department":"44","communes":["44109"]}""", "name")]
    [InlineData("""{"name":"x","department":"99","communes":["44109"]}""", "department")]
    [InlineData("""{"name":"x","department":"44","communes":[]}""", "communes")]
    [InlineData("""{"name":"x","department":"44","communes":["44109","99999"]}""", "communes[1]")]
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"timeZone":"Mars/Olympus"}""", "timeZone")]
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"bookingHorizonHours":0}""", "bookingHorizonHours")]
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"bookingHorizonHours":169}""", "bookingHorizonHours")]
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"cpts":"123456789"}""", "cpts")]
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"cpts":"750712184"}""", "cpts")]
    public async Task Sector_validation_names_the_field(string body, string field)
    {
        var code = World.NewCode();
        await (await api.Admin().PutRaw($"/v1/sectors/{code}", body)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
        await (await api.Admin().GetAsync($"/v1/sectors/{code}")).ExpectProblem(HttpStatusCode.NotFound, "sector_not_found");
    }

    [Fact]
    public async Task A_sector_code_with_odd_characters_is_refused()
    {
        await (await api.Admin().PutJson("/v1/sectors/a%20b", new { name = "x", department = "44", communes = new[] { "44109" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "code");
    }

    [Fact]
    public async Task Sectors_are_listed_by_cursor()
    {
        for (var i = 0; i < 3; i++) await world.Sector();
        var seen = new List<string>();
        string? next = null;
        do
        {
            var page = await (await api.Admin().GetAsync("/v1/sectors?limit=2" + (next is null ? "" : "&after=" + next))).Expect(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("code").GetString()!));
            next = page.GetProperty("next").GetString();
        } while (next is not null);
        Assert.True(seen.Count >= 3);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        await (await api.Admin().GetAsync("/v1/sectors?limit=501")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "limit");
        await (await api.Admin().GetAsync("/v1/sectors?after=%25%25")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "after");
    }

    [Fact]
    public async Task A_cpts_owns_the_sectors_it_lists()
    {
        var s1 = await world.Sector();
        var s2 = await world.Sector();
        var finess = await world.Cpts(s1, s2);
        Assert.Equal(finess, (await (await api.Admin().GetAsync($"/v1/sectors/{s1}")).Expect(HttpStatusCode.OK)).GetProperty("cpts").GetString());

        await (await api.Admin().PutJson($"/v1/cpts/{finess}", new { name = "Renamed", sectors = new[] { s2 } })).Expect(HttpStatusCode.OK);
        var cpts = await (await api.Admin().GetAsync($"/v1/cpts/{finess}")).Expect(HttpStatusCode.OK);
        Assert.Equal([s2], cpts.GetProperty("sectors").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await (await api.Admin().GetAsync($"/v1/sectors/{s1}")).Expect(HttpStatusCode.OK)).GetProperty("cpts").ValueKind);
    }

    [Fact]
    public async Task Cpts_validation_checks_finess_and_sectors()
    {
        await (await api.Admin().PutJson("/v1/cpts/750712185", new { name = "x", sectors = Array.Empty<string>() }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "finess");
        await (await api.Admin().PutJson("/v1/cpts/750712184", new { name = "x", sectors = new[] { "no-such-sector" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "sectors");
        var corsica = "2A000001" + Sas.Domain.Identifiers.Luhn.CheckDigit("20000001");
        await (await api.Admin().PutJson($"/v1/cpts/{corsica}", new { name = "CPTS Ajaccio", sectors = Array.Empty<string>() })).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_commune_answers_with_the_sectors_covering_it()
    {
        var code = await world.Sector(communes: ["2A004"], department: "2A");
        var commune = await (await api.Admin().GetAsync("/v1/communes/2A004")).Expect(HttpStatusCode.OK);
        Assert.Equal("Ajaccio", commune.GetProperty("name").GetString());
        Assert.Contains(code, commune.GetProperty("sectors").EnumerateArray().Select(s => s.GetString()));

        await (await api.Admin().GetAsync("/v1/communes/20004")).ExpectProblem(HttpStatusCode.NotFound, "commune_not_found");
        await (await api.Admin().GetAsync("/v1/communes/2C004")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "inseeCode");
    }

    [Fact]
    public async Task A_postal_code_answers_its_communes()
    {
        var list = await (await api.Admin().GetAsync("/v1/communes?postalCode=20000")).Expect(HttpStatusCode.OK);
        Assert.Contains("2A004", list.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("inseeCode").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, list.GetProperty("next").ValueKind);
        await (await api.Admin().GetAsync("/v1/communes?postalCode=00000")).ExpectProblem(HttpStatusCode.NotFound, "postal_code_not_found");
        await (await api.Admin().GetAsync("/v1/communes?postalCode=4400")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "postalCode");
    }
}
