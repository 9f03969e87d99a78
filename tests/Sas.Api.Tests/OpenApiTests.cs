using System.Net;
using System.Text.Json;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

[SqliteOnly("the contract, whatever the engine")]
public class OpenApiTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    public const string RegenerateHint = "Regenerate it with: SAS_UPDATE_OPENAPI=1 dotnet test --filter OpenApiTests, then commit openapi.yaml.";

    [Fact]
    public async Task The_committed_openapi_yaml_is_what_the_api_serves()
    {
        var served = (await api.Anonymous().GetStringAsync("/swagger/v1/swagger.yaml")).ReplaceLineEndings("\n");
        var path = Path.Combine(Repository.Root, "openapi.yaml");
        if (Environment.GetEnvironmentVariable("SAS_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, served);
        Assert.True(File.Exists(path), "openapi.yaml is missing at the repository root. " + RegenerateHint);
        var committed = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        Assert.True(committed == served, "openapi.yaml differs from what the API serves. " + RegenerateHint);
    }

    [Fact]
    public async Task The_error_page_lists_every_code_and_is_served_where_problem_types_point()
    {
        var path = Path.Combine(Repository.Root, "docs", "errors.md");
        var expected = Sas.Api.Infrastructure.Errors.ErrorCodes.RenderPage();
        if (Environment.GetEnvironmentVariable("SAS_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, expected);
        Assert.True(File.Exists(path) && (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n") == expected, "docs/errors.md differs from ErrorCodes. " + RegenerateHint);
        var served = await api.Anonymous().GetAsync("/docs/errors");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var text = await served.Content.ReadAsStringAsync();
        Assert.All(Sas.Api.Infrastructure.Errors.ErrorCodes.All, c => Assert.Contains($"<a id=\"{c.Code}\"></a>", text));
        var problem = await (await api.Admin().GetAsync("/v1/sectors/NOPE-404")).ExpectProblem(HttpStatusCode.NotFound, "sector_not_found");
        Assert.Equal("/docs/errors#sector_not_found", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_security_and_its_error_answers()
    {
        var doc = await (await api.Anonymous().GetAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        var ids = new HashSet<string>();
        var count = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject())
            {
                count++;
                var where = $"{op.Name.ToUpperInvariant()} {path.Name}";
                Assert.True(op.Value.TryGetProperty("operationId", out var id) && ids.Add(id.GetString()!), $"{where}: missing or repeated operationId");
                Assert.True(op.Value.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 10, $"{where}: no summary");
                var responses = op.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
                Assert.Contains(responses, r => r.StartsWith('2'));
                if (!path.Name.StartsWith("/v1", StringComparison.Ordinal)) continue;
                Assert.True(op.Value.TryGetProperty("security", out var security) && security.GetArrayLength() == 2, $"{where}: no security requirement");
                Assert.Contains("401", responses);
                Assert.Contains("403", responses);
                Assert.True(responses.Count(r => r.StartsWith('4')) >= 3, $"{where}: documents no error of its own");
            }
        Assert.True(count >= 17, $"only {count} operations");
    }
}

/// <summary>The contract check itself: it must refuse what the contract does not allow, or it proves nothing.</summary>
[SqliteOnly("the contract, whatever the engine")]
public class ContractCheckTests
{
    private static string? Check(string method, string path, int status, string mediaType, string body) =>
        Contract.Check(new HttpMethod(method), path, (HttpStatusCode)status, mediaType, System.Text.Encoding.UTF8.GetBytes(body), new HttpResponseMessage((HttpStatusCode)status));

    [Fact]
    public void It_refuses_an_undeclared_status_a_wrong_media_type_a_body_off_schema_and_an_unlisted_code()
    {
        const string hold = """{"holdId":"h","slotId":1,"expiresAt":"2026-11-24T07:15:00Z"}""";
        Assert.Null(Check("GET", "/v1/holds/h", 200, "application/json", hold));
        Assert.Contains("not declared", Check("GET", "/v1/holds/h", 418, "application/json", hold));
        Assert.Contains("not declared", Check("GET", "/v1/holds/h", 200, "text/html", "<p>hold</p>"));
        Assert.Contains("breaks the schema", Check("GET", "/v1/holds/h", 200, "application/json", """{"holdId":"h","slotId":1}"""));
        Assert.Contains("breaks the schema", Check("GET", "/v1/holds/h", 200, "application/json", """{"holdId":"h","slotId":1,"expiresAt":"tomorrow"}"""));
        Assert.Contains("breaks the schema", Check("GET", "/v1/holds/h", 200, "application/json", hold.Replace("}", ""","extra":1}""")));
        Assert.Contains("x-error-codes", Check("GET", "/v1/holds/h", 404, "application/problem+json",
            """{"type":"/docs/errors#slot_not_found","title":"Not found","status":404,"code":"slot_not_found","traceId":"t"}"""));
        Assert.Null(Check("GET", "/v1/holds/h", 404, "application/problem+json",
            """{"type":"/docs/errors#hold_not_found","title":"Not found","status":404,"code":"hold_not_found","traceId":"t"}"""));
        Assert.Contains("no operation", Check("GET", "/v1/nowhere/else", 200, "application/json", "{}"));
    }
}
