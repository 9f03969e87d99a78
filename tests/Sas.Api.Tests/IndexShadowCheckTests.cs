#if !SAS_TEST_SQLSERVER // SQL Server answers searches by the statement: it has no slot index
using System.Diagnostics.Metrics;
using System.Net;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Sas.Api.Search;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// The index proves itself while it serves: searches are also answered by the statement in the background, in one
/// snapshot; a difference is logged by slot id, counted, and mended. Here every search is checked, and a write the feed
/// never saw (its trigger disabled for one statement) makes the index wrong on purpose.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public class IndexShadowCheckTests(IndexShadowCheckTests.Host api) : IClassFixture<IndexShadowCheckTests.Host>
{
    public sealed class Host : SasApiFactory
    {
        public LogCapture Logs { get; } = new();

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Search:ShadowShare", "1"), new("Search:VerifyMinutes", "10080")];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(l => l.AddProvider(Logs));
        }
    }

    [Fact]
    public async Task A_search_the_statement_answers_otherwise_is_logged_counted_and_mended()
    {
        var world = new World(api);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var slots = new[] { await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector), await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector) };
        var index = api.Services.GetRequiredService<IndexedSearch>();
        Assert.Equal(slots, SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        await Until(() => Task.FromResult(true)); // the first search's own check has run (or is under way)
        using var mismatches = new MetricCollector<long>(api.Services.GetRequiredService<IMeterFactory>(), Sas.Api.Infrastructure.Telemetry.SasMetrics.MeterName, "sas.search.index.mismatches");

        using (var c = api.OpenDb())
        {
            c.Execute(TestEngine.IsPostgres ? "ALTER TABLE slots DISABLE TRIGGER slot_changes_slot" : "DROP TRIGGER slot_changes_slot_updated");
            c.Execute("UPDATE slots SET status = 'withdrawn' WHERE id = @slot", new { slot = slots[0] });
            c.Execute(TestEngine.IsPostgres ? "ALTER TABLE slots ENABLE TRIGGER slot_changes_slot"
                : "CREATE TRIGGER slot_changes_slot_updated AFTER UPDATE ON slots BEGIN INSERT INTO slot_changes (slot_id) VALUES (NEW.id); END;");
        }
        var before = index.Mismatches;
        await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK); // may still show it: the feed never said

        await Until(() => Task.FromResult(index.Mismatches > before));
        Assert.Equal([slots[1]], SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        Assert.True(mismatches.GetMeasurementSnapshot().Sum(m => m.Value) >= 1);
        var warning = Assert.Single(api.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("slot index held", StringComparison.Ordinal));
        Assert.Contains(slots[0].ToString(System.Globalization.CultureInfo.InvariantCulture), warning.Message);
        Assert.DoesNotContain(BookingRequests.PatientLastName, string.Concat(api.Logs.Lines));
    }

    /// <summary>The check runs in the background: waited for on the real clock, 30 s at most.</summary>
    private static async Task Until(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("the background check did not report within 30 s");
            await Task.Delay(20);
        }
    }
}
#endif
