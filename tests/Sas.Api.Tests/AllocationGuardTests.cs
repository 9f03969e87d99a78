using Sas.Api.Tests.Support;
using Sas.Bench;

namespace Sas.Api.Tests;

/// <summary>
/// The benchmark's open-loop quick mode, the API in its own process: each operation's allocation per request, read
/// from the server's own counters, against ceilings. Allocation is stable across machines where time is not, so a
/// change that makes a request allocate half as much again fails here. The ceilings are this test's dataset's figures
/// of 2026-12-02 with half again as margin (search 16.8 kB from the slot index in the evening; afternoon figures:
/// unchanged sync 103, changed sync 166 and FHIR 120.5 since they read their slots by hand; booking 66, hold 26, report
/// 40 from the morning's); the budgets
/// (search 20 kB, booking 60, FHIR 150) are checked by the bench itself.
/// </summary>
[SqliteOnly("allocation per request, measured on the default engine")]
[Trait(Tier.Name, Tier.Slow)]
public class AllocationGuardTests
{
    /// <summary>kB per request, measured here on 2026-12-02 × 1.5 (rounded up).</summary>
    public static readonly IReadOnlyDictionary<string, double> CeilingKb = new Dictionary<string, double>
    {
        ["search"] = 26, ["booking"] = 100, ["hold"] = 40, ["fhir_slots_25gps"] = 181, ["sync_unchanged"] = 155, ["sync_changed"] = 250, ["fill_rate_year"] = 60,
    };

    [Fact]
    public async Task Each_operation_allocates_no_more_than_its_ceiling_in_the_server()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"sas-bench-guard-{Guid.NewGuid():N}");
        var options = BenchOptions.Quick with
        {
            Slots = 60_000, WorkFolder = folder, Output = "", Duration = TimeSpan.FromSeconds(1), WarmUp = TimeSpan.FromSeconds(1),
            RampMultiples = [20], Step = TimeSpan.FromSeconds(1), AllocationWindow = TimeSpan.FromSeconds(3), AllocationRate = 30, ContendedSlots = 2, ContendedClients = 4,
        };
        var log = new StringWriter();
        var result = await PeakBench.RunAsync(options, log);

        Assert.Equal(0, result.DoubleBookings);
        Assert.All(result.Operations, o => Assert.Equal(0, o.Errors));
        Assert.Equal(2, result.Contended.Requests - result.Contended.Conflicts); // two slots raced: one winner each
        // The database work of a search (statement, bare, slot index) and of a booking (stores, bare, bare unprepared) measured.
        Assert.True(result.SearchDatabaseWork is { StoreMicroseconds: > 0, BareMicroseconds: > 0, IndexMicroseconds: > 0 }, $"search work: {result.SearchDatabaseWork}");
        Assert.True(result.BookingDatabaseWork is { StoreMicroseconds: > 0, BareMicroseconds: > 0, BareUnpreparedMicroseconds: > 0 }, $"booking work: {result.BookingDatabaseWork}");
        foreach (var (name, ceiling) in CeilingKb)
        {
            Assert.True(result.AllocatedBytesPerRequest.TryGetValue(name, out var bytes) && bytes > 0, $"{name}: no allocation measured\n{log}");
            var kb = bytes / 1024;
            Assert.True(kb <= ceiling, $"{name} allocates {kb:N1} kB a request in the server, over its ceiling of {ceiling} kB\n{log}");
        }
        Directory.Delete(folder, recursive: true);
    }
}
