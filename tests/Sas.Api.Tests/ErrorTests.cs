using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class ErrorTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        await (await api.Admin().GetAsync("/v1/nothing-here")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await api.Anonymous().GetAsync("/nothing-at-all")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        await (await api.Admin().PatchAsync("/v1/sectors/x", new StringContent("{}"))).ExpectProblem(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ", "body")]                                                            // truncated
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"colour":"red"}""", "colour")]  // unknown field
    [InlineData("""{"name":"x","name":"y","department":"44","communes":["44109"]}""", "name")]         // duplicated key
    [InlineData("""{"name":12,"department":"44","communes":["44109"]}""", "name")]                     // wrong type
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"bookingHorizonHours":"24"}""", "bookingHorizonHours")]
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"bookingHorizonHours":99999999999}""", "bookingHorizonHours")]
    [InlineData("[]", "body")]
    public async Task Malformed_json_is_a_400_problem_naming_the_field_and_stores_nothing(string body, string field)
    {
        var code = World.NewCode();
        await (await api.Admin().PutRaw($"/v1/sectors/{code}", body)).ExpectProblem(HttpStatusCode.BadRequest, "malformed_request", field);
        await (await api.Admin().GetAsync($"/v1/sectors/{code}")).ExpectProblem(HttpStatusCode.NotFound, "sector_not_found");
    }

    [Theory]
    [InlineData("""{"name":null,"department":"44","communes":["44109"]}""", "name")]  // null for a required string
    [InlineData("""{"department":"44","communes":["44109"]}""", "name")]              // missing
    [InlineData("""{"name":"x"}""", "department", "communes")]                      // several missing: all named at once
    public async Task Missing_required_fields_are_a_422_naming_each_and_store_nothing(string body, params string[] fields)
    {
        var code = World.NewCode();
        var problem = await (await api.Admin().PutRaw($"/v1/sectors/{code}", body)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", fields[0]);
        foreach (var field in fields) Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field} not named in {problem}");
        await (await api.Admin().GetAsync($"/v1/sectors/{code}")).ExpectProblem(HttpStatusCode.NotFound, "sector_not_found");
    }

    [Fact]
    public async Task A_booking_missing_several_fields_names_every_one_under_its_full_path()
    {
        var sector = await world.Sector();
        var regulator = await world.ClientFor("regulator", sector);
        var body = """{"slotId":1,"patient":{"firstName":"Léa","birthDate":"1990-04-12","commune":"44109"},"regularDoctor":"has","origin":"sas"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/bookings") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var problem = await (await regulator.SendAsync(request)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "patient.lastName");
        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToArray();
        Assert.Equal(["patient.lastName", "patient.phone", "reason", "regularDoctorContacted", "requestedAt"], errors);
    }

    [Fact]
    public async Task A_sync_without_its_slot_list_is_refused_rather_than_read_as_an_empty_week()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromDays(1), sector);
        var from = World.Instant(api.Clock.GetUtcNow());
        var to = World.Instant(api.Clock.GetUtcNow().AddDays(7));
        await (await api.Admin().PutRaw($"/v1/practitioners/{rpps}/slots?from={from}&to={to}", "{}")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "slots");
        Assert.Equal("available", (await (await api.Admin().GetAsync($"/v1/slots/{slot}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused()
    {
        var deep = new string('[', 100) + new string(']', 100);
        await (await api.Admin().PutRaw($"/v1/sectors/{World.NewCode()}", $$"""{"name":"x","department":"44","communes":{{deep}}}"""))
            .ExpectProblem(HttpStatusCode.BadRequest, "malformed_request");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        var response = await api.Admin().PutAsync($"/v1/sectors/{World.NewCode()}", new StringContent("name=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        await response.ExpectProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task A_query_number_that_does_not_parse_names_the_parameter()
    {
        var sector = await world.Sector();
        await (await api.Admin().GetAsync($"/v1/slots?sector={sector}&limit=ten")).ExpectProblem(HttpStatusCode.BadRequest, "malformed_request", "limit");
    }

    [Fact]
    public async Task A_slot_id_that_is_not_a_number_is_a_404_problem()
    {
        await (await api.Admin().GetAsync("/v1/slots/abc")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }
}
