namespace Sas.Bench;

/// <summary>The issue's budgets (2 cores, SQLite, 1 M slots, 32 clients), checked against a run.</summary>
public static class Budgets
{
    public static IEnumerable<string> Check(BenchResult r)
    {
        string Line(string what, double value, double limit, bool lowerIsBetter = true) =>
            $"budget {what}: {value:N2} (limit {limit:N2}) {((lowerIsBetter ? value <= limit : value >= limit) ? "met" : "MISSED")}";
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
}
