using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Infrastructure;
using Sas.Api.Search;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// A node takes its first request with its slot index read and FHIR warmed: hosted services start before the server,
/// and the gate, registered after the warm-ups, waits for them (up to Search:WarmUpSeconds).
/// </summary>
public sealed class WarmUpGateTests
{
    private sealed class Gated : SasApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Search:WarmUpSeconds", "30")];
    }

    [Fact]
    public async Task The_host_is_started_once_its_slot_index_is_read_and_fhir_warmed()
    {
        using var api = new Gated();
        var warmUps = api.Services.GetServices<IWarmUp>().ToList(); // the host has started: the server would listen now

        Assert.Equal(2, warmUps.Count);
        Assert.All(warmUps, w => Assert.True(w.Done.IsCompletedSuccessfully, $"{w.GetType().Name} not done at start"));
        var index = api.Services.GetRequiredService<IndexedSearch>();
        Assert.Equal("start", index.LastReloadReason);
        await (await api.Admin().GetAsync("/health/ready")).Expect(System.Net.HttpStatusCode.OK);
    }
}
