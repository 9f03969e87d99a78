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
    [InlineData("""{"name":null,"department":"44","communes":["44109"]}""", "name")]                   // null for a required string
    [InlineData("""{"department":"44","communes":["44109"]}""", "name")]                               // missing
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"bookingHorizonHours":"24"}""", "bookingHorizonHours")]
    [InlineData("""{"name":"x","department":"44","communes":["44109"],"bookingHorizonHours":99999999999}""", "bookingHorizonHours")]
    [InlineData("[]", "body")]
    public async Task Malformed_json_is_a_400_problem_naming_the_field_and_stores_nothing(string body, string field)
    {
        var code = World.NewCode();
        await (await api.Admin().PutRaw($"/v1/sectors/{code}", body)).ExpectProblem(HttpStatusCode.BadRequest, "malformed_request", field);
        await (await api.Admin().GetAsync($"/v1/sectors/{code}")).ExpectProblem(HttpStatusCode.NotFound, "sector_not_found");
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
