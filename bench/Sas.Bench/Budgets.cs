namespace Sas.Bench;

/// <summary>The issues' budgets (2 cores, SQLite, 1 M slots), checked against a run.</summary>
public static class Budgets
{
    /// <summary>Allocation per request in the server, each operation alone (issue #20); the test suite's guard allows a margin over these.</summary>
    public static readonly IReadOnlyDictionary<string, double> AllocationKb = new Dictionary<string, double>
    {
        ["search"] = 20, ["booking"] = 60, ["fhir_slots_25gps"] = 150,
    };

    /// <summary>The open-loop run at 10× the national peak (issue #20).</summary>
    public static IEnumerable<string> Check(PeakResult r)
    {
        OperationResult? Op(string name) => r.Operations.SingleOrDefault(o => o.Name == name);
        var at = $"at {r.Multiple:N0}×";
        // Pooled requests are held to the booking's budget (issue #32): posting writes a request and its offers, accepting books.
        foreach (var (name, limit) in new[] { ("search", 10.0), ("fhir_slots_25gps", 20), ("booking", 20), ("sync_unchanged", 25), ("sync_changed", 25), ("fill_rate_year", 200),
                     ("request_post", 20), ("request_accept", 20) })
            if (Op(name) is { } op) yield return Line($"{name} p99 ms {at}", op.P99, limit);
        yield return Line($"errors {at}", r.Operations.Sum(o => o.Errors), 0);
        yield return Line("capacity × national peak", r.CapacityMultiple, 50, lowerIsBetter: false);
        if (r.Alone.SingleOrDefault(a => a.Name == "search") is { } search)
            yield return Line("search alone × ceiling", search.PerSecond / r.Ceiling.PerSecond, 0.25, lowerIsBetter: false);
        foreach (var (name, kb) in AllocationKb)
            if (r.AllocatedBytesPerRequest.TryGetValue(name, out var bytes)) yield return Line($"{name} allocation kB per request", bytes / 1024, kb);
        yield return Line("double bookings", r.DoubleBookings, 0);
    }

    public static IEnumerable<string> Check(BenchResult r)
    {
        OperationResult? Op(string name) => r.Operations.SingleOrDefault(o => o.Name == name);
        if (Op("search") is { } search)
        {
            yield return Line("search p99 ms", search.P99, 25);
            yield return Line("search throughput × ceiling", r.Ratios["search"], 0.35, lowerIsBetter: false);
        }
        if (Op("booking") is { } booking) yield return Line("booking p99 ms", booking.P99, 40);
        if (Op("sync_week") is { } sync) yield return Line("sync of a 70-slot week p99 ms", sync.P99, 50);
        if (Op("fhir_slots_25gps") is { } fhir) yield return Line("FHIR slot search, 25 GPs, now..D+2, p99 ms", fhir.P99, 50);
        if (Op("fill_rate_year") is { } report) yield return Line("one-year fill-rate report p99 ms", report.P99, 200);
        if (r.Slots >= 1_000_000) yield return Line("loading 1 M slots s", r.LoadSeconds * 1_000_000 / r.Slots, 120);
        yield return Line("double bookings", r.DoubleBookings, 0);
    }

    /// <summary>A budget's line: the figure, its limit, met or MISSED.</summary>
    private static string Line(string what, double value, double limit, bool lowerIsBetter = true) =>
        $"budget {what}: {value:N2} (limit {limit:N2}) {((lowerIsBetter ? value <= limit : value >= limit) ? "met" : "MISSED")}";
}
