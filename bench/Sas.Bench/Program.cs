using System.Globalization;
using System.Text.Json;

namespace Sas.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Sas.Bench -- [--quick] [--slots N] [--seconds S] [--warmup S] [--multiple M]
/// (or --answer-size KB: what an answer of that size costs to move, whatever builds it)
/// [--synchronous FULL|NORMAL] [--reuse] [--alone: only each read alone against the ceiling] [--engine sqlite|postgres] [--nodes N] [--postgres CS] [--out FILE]
/// [--scrape-every S: the server's metrics read every S seconds in the 10× phase, beside its slowest answers] [--ramp: only the capacity ramp, after the warm-up]
/// The closed-loop mix of earlier runs: --closed [--clients K] [--only op1,op2] [--scale] [--engines] [--url URL --admin-key KEY]
/// The slot index under faults, checked against the statement: --index-chaos [--seconds S] [--engine sqlite|postgres]
/// A year of recurring availability (issue #31's limits): --rules [--gps N] [--engine sqlite|postgres]
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = args.Contains("--quick") ? BenchOptions.Quick : new BenchOptions();
        if (args.Contains("--reuse")) options = options with { Reuse = true };
        if (args.Contains("--closed")) options = options with { Closed = true };
        if (args.Contains("--alone")) options = options with { AloneOnly = true };
        if (args.Contains("--ramp")) options = options with { RampOnly = true };
        for (var i = 0; i < args.Length - 1; i++)
            options = args[i] switch
            {
                "--slots" => options with { Slots = long.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--clients" => options with { Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--seconds" => options with { Duration = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture)) },
                "--warmup" => options with { WarmUp = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture)) },
                "--url" => options with { Url = args[i + 1] },
                "--admin-key" => options with { AdminKey = args[i + 1] },
                "--out" => options with { Output = args[i + 1] },
                "--synchronous" => options with { Synchronous = args[i + 1].ToUpperInvariant() },
                "--only" => options with { Only = args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--engine" => options with { Engine = args[i + 1].ToLowerInvariant() },
                "--nodes" => options with { Nodes = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--multiple" => options with { Multiple = double.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--postgres" => options with { Postgres = args[i + 1] },
                "--scrape-every" => options with { ScrapeEverySeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                _ => options,
            };

        if (args.Contains("--index-chaos")) return await IndexChaosRun(options);
        if (args.Contains("--rules")) return await RulesRun(options, args);
        if (args.Contains("--scale")) return await Scale(options);
        if (args.Contains("--engines")) return await Engines(options);
        if (args.Contains("--db-work")) return await DbWork(options);
        if (Array.IndexOf(args, "--answer-size") is var size and >= 0)
            return await AnswerSize.RunAsync(options, double.Parse(args[size + 1], CultureInfo.InvariantCulture), Console.Out);
        if (!options.Closed && options.Url is null) return await Peak(options);

        var result = await Bench.RunAsync(options, Console.Out);
        Console.WriteLine();
        Console.WriteLine($"{result.Slots:N0} slots, {result.Practitioners:N0} GPs, {result.Sectors:N0} sectors; {result.Engine}, {result.Nodes} node(s); {result.Clients} clients, {result.DurationSeconds:N0} s per phase; {result.Machine}");
        Console.WriteLine($"{"operation",-16}{"requests",10}{"per s",10}{"× ceiling",11}{"p50 ms",9}{"p95 ms",9}{"p99 ms",9}{"conflicts",11}{"errors",8}");
        foreach (var r in result.Operations.Prepend(result.Ceiling))
            Console.WriteLine($"{r.Name,-16}{r.Requests,10:N0}{r.PerSecond,10:N1}{(r == result.Ceiling ? 1 : result.Ratios[r.Name]),11:N3}{r.P50,9}{r.P95,9}{r.P99,9}{r.Conflicts,11:N0}{r.Errors,8:N0}");
        Console.WriteLine($"double bookings: {result.DoubleBookings}");
        if (result.FhirColdMs is { } cold) Console.WriteLine($"first FHIR query after start, alone: {cold:N1} ms");
        if (result.BytesPer1000Refusals is { } growth) Console.WriteLine($"database growth per 1,000 refused booking attempts: {growth / 1024:N0} kB");
        if (result.MixMemory is { } m)
            Console.WriteLine($"during the mix: {m.AllocatedMb:N0} MB allocated, GCs gen0 {m.Gen0} / gen1 {m.Gen1} / gen2 {m.Gen2}, paused {m.PauseMs:N0} ms; peak working set {m.PeakWorkingSetMb:N0} MB");
        foreach (var line in Budgets.Check(result)) Console.WriteLine(line);
        if (options.Output.Length > 0) Write(options.Output, result);
        return Healthy(result) ? 0 : 1;
    }

    /// <summary>
    /// The slot index under chaos for --seconds (default 10 minutes), on --engine: two nodes, faults, rewinds, checks
    /// against the statement; fails on a single mismatch, or a single answer 5xx other than 503.
    /// </summary>
    private static async Task<int> IndexChaosRun(BenchOptions options)
    {
        var seconds = options.Duration == new BenchOptions().Duration ? 600 : options.Duration.TotalSeconds;
        // On PostgreSQL a cluster of the run's own, which it can rewind, unless a server is given.
        var ownCluster = options.Engine == "postgres" && options.Postgres is null && ThrowawayPostgres.Binaries is not null;
        var database = ownCluster ? null : BenchDatabase.Create(options);
        Console.WriteLine($"slot index chaos: {options.Engine}, two nodes, {seconds:N0} s");
        var result = await IndexChaos.RunAsync(ownCluster ? Sas.Api.Infrastructure.Data.DatabaseProvider.PostgreSql : database!.Provider, database?.ConnectionString, TimeSpan.FromSeconds(seconds),
            Environment.TickCount, Console.Out);
        Console.WriteLine(result);
        return result.Mismatches == 0 && result.ServerErrors == 0 ? 0 : 1;
    }

    /// <summary>A year of recurring availability (--gps, default 2,000) on --engine: issue #31's limits.</summary>
    private static async Task<int> RulesRun(BenchOptions options, string[] args)
    {
        var at = Array.IndexOf(args, "--gps");
        var gps = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 2000;
        var database = BenchDatabase.Create(options);
        Console.WriteLine($"rule generation: {options.Engine}, {gps:N0} GPs, a year");
        var result = await RuleGeneration.RunAsync(database, gps, options.Synchronous, Console.Out);
        Console.WriteLine(result);
        var met = result.GenerationSeconds < 60 && result.LongestTransactionMs <= 50 && result.EditP99Ms <= 40;
        Console.WriteLine(met ? "limits met: under a minute, writer held ≤ 50 ms, edit p99 ≤ 40 ms (the booking budget)" : "LIMITS NOT MET");
        return met ? 0 : 1;
    }

    private static string BookingLine(BookingWorkResult b) =>
        $"a booking's database work ({b.Bookings} bookings): {b.StoreMicroseconds:N1} µs through the stores, {b.BareMicroseconds:N1} µs bare, {b.Ratio:N1}×; bare with its commands made anew {b.BareUnpreparedMicroseconds:N1} µs";

    /// <summary>Only the database-work comparison, on the dataset (with --reuse, the one generated within the hour).</summary>
    private static async Task<int> DbWork(BenchOptions options)
    {
        var database = BenchDatabase.Create(options);
        if (Template.TryCopy(database.File, options, DateTime.UtcNow) is null)
        {
            Sas.Api.Infrastructure.Data.Migrations.Apply(new Sas.Api.Infrastructure.Data.DatabaseOptions { Provider = database.Provider, ConnectionString = database.ConnectionString }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            Dataset.Generate(database, options.Slots, DateTime.UtcNow, syncPractitioners: 64);
        }
        else Sas.Api.Infrastructure.Data.Migrations.Apply(new Sas.Api.Infrastructure.Data.DatabaseOptions { Provider = database.Provider, ConnectionString = database.ConnectionString }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var w = await DatabaseWork.MeasureAsync(database);
        Console.WriteLine(w is null ? "SQLite only" : $"a search's database work ({w.Rows} rows of sector {w.Sector}): {w.StoreMicroseconds:N1} µs through the statement, {w.BareMicroseconds:N1} µs bare, {w.Ratio:N1}×; {w.IndexMicroseconds:N1} µs from the slot index");
        if (await BookingWork.MeasureAsync(database) is { } b) Console.WriteLine(BookingLine(b));
        return 0;
    }

    /// <summary>The default run: open loop at a multiple of the national peak, the server in its own process.</summary>
    private static async Task<int> Peak(BenchOptions options)
    {
        var r = await PeakBench.RunAsync(options, Console.Out);
        Console.WriteLine();
        var capacity = $"capacity: {r.CapacityMultiple:N0}× the national peak (" + string.Join("; ", r.Capacity.Select(s => $"{s.Multiple:N0}× worst p99 {s.WorstP99} ms {s.WorstOperation}{(s.Errors > 0 ? $", {s.Errors} errors" : "")}")) + ")";
        if (options.RampOnly)
        {
            Console.WriteLine(capacity); // a diagnostic: no budgets, nothing written
            return 0;
        }
        Console.WriteLine($"{r.Slots:N0} slots, {r.Practitioners:N0} GPs, {r.Sectors:N0} sectors; {r.Engine}, {r.Nodes} node(s); {r.Machine}");
        Console.WriteLine($"Open loop at {r.Multiple:N0}× the national peak ({PeakProfile.Total * r.Multiple:N1} requests/s), latency from each request's due time:");
        Console.WriteLine($"{"operation",-18}{"target/s",10}{"done/s",9}{"requests",10}{"p50 ms",9}{"p99 ms",9}{"p99.9 ms",10}{"conflicts",11}{"errors",8}{"alloc kB",10}");
        foreach (var o in r.Operations)
            Console.WriteLine($"{o.Name,-18}{o.TargetPerSecond,10:N1}{o.PerSecond,9:N1}{o.Requests,10:N0}{o.P50,9}{o.P99,9}{o.P999,10}{o.Conflicts,11:N0}{o.Errors,8:N0}{r.AllocatedBytesPerRequest.GetValueOrDefault(o.Name) / 1024,10:N1}");
        Console.WriteLine($"server during it: {r.Server.CpuCores:N2} cores, {r.Server.AllocatedMbPerSecond:N1} MB/s allocated, GC paused {r.Server.PauseMsPerSecond:N1} ms/s (gen0 {r.Server.Gen0}, gen1 {r.Server.Gen1}, gen2 {r.Server.Gen2}); territory copy reads {r.Server.TerritoryReads}, slot index reloads {r.Server.IndexReloads}");
        if (r.SendLagP99Ms is { } lag)
            Console.WriteLine($"the generator sent each request p50 {r.SendLagP50Ms:N2} ms, p99 {lag:N2} ms after it was due: its share of every latency above");
        var c = r.Contended;
        Console.WriteLine($"the 409 path ({options.ContendedClients} at once on one slot): {c.Conflicts:N0} refusals, p50 {c.P50} ms, p99 {c.P99} ms, errors {c.Errors}");
        Console.WriteLine($"ceiling (health, closed loop): {r.Ceiling.PerSecond:N0}/s; alone: " + string.Join(", ", r.Alone.Select(a => $"{a.Name} {a.PerSecond:N0}/s ({a.PerSecond / r.Ceiling.PerSecond:N3}×)")));
        Console.WriteLine(capacity);
        Console.WriteLine($"double bookings: {r.DoubleBookings}");
        if (r.Operations.Sum(o => o.Skipped) is > 0 and var skipped)
            Console.WriteLine($"warning: {skipped} bookings or holds not sent, no free slot left: a larger dataset gives more");
        if (r.FhirColdMs is { } cold) Console.WriteLine($"first FHIR query after start, alone: {cold:N1} ms");
        if (r.BookingDatabaseWork is { } b) Console.WriteLine(BookingLine(b));
        if (r.SearchDatabaseWork is { } w)
            Console.WriteLine($"a search's database work ({w.Rows} rows of sector {w.Sector}): {w.StoreMicroseconds:N1} µs through the statement, {w.BareMicroseconds:N1} µs bare, {w.Ratio:N1}×; {w.IndexMicroseconds:N1} µs from the slot index");
        var budgets = Budgets.Check(r).ToList();
        foreach (var line in budgets) Console.WriteLine(line);
        if (options.Output.Length > 0) Write(options.Output, r);
        return r.DoubleBookings == 0 && r.Operations.All(o => o.Errors == 0) ? 0 : 1;
    }

    private static bool Healthy(BenchResult r) => r.DoubleBookings == 0 && r.Operations.All(o => o.Errors == 0);

    /// <summary>Search p99 as the data grows: the index must keep it flat.</summary>
    private static async Task<int> Scale(BenchOptions options)
    {
        var series = new List<object>();
        foreach (var size in new long[] { 100_000, 1_000_000, 5_000_000 })
        {
            var r = await Bench.RunAsync(options with { Slots = size, Output = "" }, Console.Out);
            var search = r.Operations.Single(o => o.Name == "search");
            series.Add(new { slots = r.Slots, loadSeconds = r.LoadSeconds, searchP50 = search.P50, searchP99 = search.P99, searchPerSecond = search.PerSecond });
            Console.WriteLine($"  {r.Slots,10:N0} slots: search p50 {search.P50} ms, p99 {search.P99} ms, {search.PerSecond:N0}/s (loaded in {r.LoadSeconds:N0} s)");
        }
        Write(Path.Combine(Path.GetDirectoryName(options.Output) ?? ".", "scale.json"), series);
        return 0;
    }

    /// <summary>The same mix on SQLite with one node, PostgreSQL with one, PostgreSQL with two, one after the other.</summary>
    private static async Task<int> Engines(BenchOptions options)
    {
        var runs = new List<BenchResult>();
        foreach (var (engine, nodes) in new[] { ("sqlite", 1), ("postgres", 1), ("postgres", 2) })
        {
            Console.WriteLine($"== {engine}, {nodes} node(s)");
            runs.Add(await Bench.RunAsync(options with { Engine = engine, Nodes = nodes, Reuse = false, Output = "" }, Console.Out));
        }
        Console.WriteLine();
        Console.WriteLine($"{runs[0].Slots:N0} slots, {runs[0].Clients} clients, {runs[0].DurationSeconds:N0} s per phase; {runs[0].Machine}");
        Console.WriteLine($"{"",-22}" + string.Join("", runs.Select(r => $"{$"{r.Engine} ×{r.Nodes}",24}")));
        void Row(string label, Func<BenchResult, string> cell) => Console.WriteLine($"{label,-22}" + string.Join("", runs.Select(r => $"{cell(r),24}")));
        Row("load s", r => r.LoadSeconds.ToString("N0", CultureInfo.InvariantCulture));
        Row("ceiling per s", r => r.Ceiling.PerSecond.ToString("N0", CultureInfo.InvariantCulture));
        foreach (var op in runs[0].Operations.Select(o => o.Name))
            Row($"{op} /s, p50/p99", r => r.Operations.Single(o => o.Name == op) is var x ? $"{x.PerSecond:N0}, {x.P50}/{x.P99}" : "");
        Row("double bookings", r => r.DoubleBookings.ToString(CultureInfo.InvariantCulture));
        Write(Path.Combine(Path.GetDirectoryName(options.Output) ?? ".", "engines.json"), runs);
        return runs.All(Healthy) ? 0 : 1;
    }

    private static void Write(string path, object value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions
        {
            WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // a percentile of no request is NaN
        }));
        Console.WriteLine($"written: {path}");
    }
}
