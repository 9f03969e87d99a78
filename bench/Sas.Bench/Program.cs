using System.Globalization;
using System.Text.Json;

namespace Sas.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Sas.Bench -- [--quick] [--slots N] [--clients K] [--seconds S] [--warmup S]
/// [--synchronous FULL|NORMAL] [--only op1,op2] [--reuse] [--scale] [--engine sqlite|postgres] [--nodes N] [--postgres CS]
/// [--engines] [--url URL --admin-key KEY] [--out FILE]
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = args.Contains("--quick") ? BenchOptions.Quick : new BenchOptions();
        if (args.Contains("--reuse")) options = options with { Reuse = true };
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
                "--postgres" => options with { Postgres = args[i + 1] },
                _ => options,
            };

        if (args.Contains("--scale")) return await Scale(options);
        if (args.Contains("--engines")) return await Engines(options);

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
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        Console.WriteLine($"written: {path}");
    }
}
