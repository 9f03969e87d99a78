using Sas.Api.Tests.Support;
using Sas.Bench;

namespace Sas.Api.Tests;

/// <summary>The benchmark's quick mode, on a tiny dataset, so the bench cannot rot between runs.</summary>
[SqliteOnly("the bench on its default engine")]
[Trait(Tier.Name, Tier.Slow)]
public class BenchQuickTests
{
    [Fact]
    public async Task The_quick_bench_runs_every_operation_and_finds_no_double_booking()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"sas-bench-test-{Guid.NewGuid():N}");
        var output = Path.Combine(folder, "quick.json");
        var result = await Bench.Bench.RunAsync(BenchOptions.Quick with { Slots = 3000, Clients = 4, Duration = TimeSpan.FromSeconds(1.5), WarmUp = TimeSpan.FromSeconds(0.5), WorkFolder = folder, Output = output }, TextWriter.Null);

        Assert.Equal(0, result.DoubleBookings);
        Assert.True(result.Ceiling.Requests > 0);
        Assert.Equal(["search", "hold", "booking", "sync_week", "fill_rate_year", "fhir_slots_25gps"], result.Operations.Select(o => o.Name));
        Assert.All(result.Operations, o => Assert.Equal(0, o.Errors));
        Assert.Contains(result.Operations, o => o.Name == "search" && o.Requests > 0 && o.P99 >= o.P50);
        Assert.True(result.FhirColdMs > 0); // the platform's first query after start, timed alone
        Assert.InRange(result.BytesPer1000Refusals!.Value, 1, 400 * 1024); // a refusal keeps its code, not a copy of its answer (about 350 bytes a key)
        Assert.Contains(Budgets.Check(result), line => line.StartsWith("budget double bookings", StringComparison.Ordinal) && line.EndsWith("met", StringComparison.Ordinal));
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// A rare operation is measured even when the run ends before the seeded picks reach it: CI's slow machine once
    /// ended the quick run without one report (3% of the mix) and the test above failed.
    /// </summary>
    [Fact]
    public async Task A_run_too_short_for_the_picks_still_measures_every_operation()
    {
        Task<Outcome> Ok(Random _) => Task.FromResult(Outcome.Ok);
        var results = await Load.RunAsync([new Operation("common", 1000, Ok), new Operation("rare", 1, Ok), new Operation("rarer", 1, Ok)], workers: 2, TimeSpan.Zero);

        Assert.Equal(["common", "rare", "rarer"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal(1, r.Requests));
    }

    /// <summary>
    /// The default run's in-process measures of a search's and a booking's database work bind the API's own statements by
    /// their parameters' names: a statement given a new parameter must not break them only in the long run (it did once).
    /// </summary>
    [Fact]
    public async Task The_database_work_measures_run_the_apis_statements_as_they_are()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"sas-bench-test-{Guid.NewGuid():N}");
        var (database, _) = Bench.Bench.Prepare(BenchOptions.Quick with { Slots = 3000, WorkFolder = folder }, DateTime.UtcNow, syncPractitioners: 4, TextWriter.Null);
        try
        {
            Assert.NotNull(await DatabaseWork.MeasureAsync(database, runs: 5));
            Assert.NotNull(await BookingWork.MeasureAsync(database, runs: 5));
        }
        finally
        {
            database.Drop();
            Directory.Delete(folder, recursive: true);
        }
    }
}
