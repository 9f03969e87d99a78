using System.Net;
using System.Text.Json;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

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
