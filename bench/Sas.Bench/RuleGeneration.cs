using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Reference;
using Sas.Api.Rules;
using Sas.Domain.Identifiers;

namespace Sas.Bench;

/// <summary>What a year of recurring availability cost: the job's runs, its longest transaction, and rule edits' latency.</summary>
public sealed record RuleGenerationResult(
    string Engine, int Gps, long Slots, int Runs, double GenerationSeconds, int Transactions, double LongestTransactionMs,
    double IdleRunMs, double EditP50Ms, double EditP99Ms, double EditMaxMs)
{
    public override string ToString() =>
        $"{Gps:N0} GPs, one afternoon a week each (14:00–18:00, 20 min), for a year on {Engine}: {Slots:N0} slots made in {GenerationSeconds:N1} s by {Runs} runs of the job " +
        $"({Transactions:N0} transactions, the longest {LongestTransactionMs:N1} ms); a run with nothing to make {IdleRunMs:N0} ms; " +
        $"rule edits p50 {EditP50Ms:N1} ms, p99 {EditP99Ms:N1} ms, max {EditMaxMs:N1} ms";
}

/// <summary>
/// Issue #31's limit: a year of rules for 2,000 GPs made in under a minute, the writer never held more than 50 ms at a
/// time, and a rule edit within the booking budget. The API runs in this process on a clock the bench moves: each rule
/// is given through the API (its first week made at once), a sample of them edited through the API, then the rules job
/// runs once per week of the year (a sector books a week ahead at most, so each run makes a whole week: the heaviest
/// a run can be; the hourly job makes a 168th of it).
/// </summary>
public static class RuleGeneration
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";

    private sealed class MovableClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset now = start;
        public override DateTimeOffset GetUtcNow() => now;
        public void Advance(TimeSpan by) => now += by;
    }

    public static async Task<RuleGenerationResult> RunAsync(BenchDatabase database, int gps, string synchronous, TextWriter log)
    {
        var clock = new MovableClock(new DateTimeOffset(2027, 1, 4, 5, 0, 0, TimeSpan.Zero)); // a Monday, 06:00 in Paris
        // The API as deployed (docs/deployment.md) prepares no statement. The bench's loader has Npgsql prepare its own:
        // here a plan the API cached in the year's first week, made for a table a fiftieth of its size, would serve the
        // whole year compressed into a minute, which autovacuum (a minute between its rounds) never gets to analyze.
        var connection = database.Provider == DatabaseProvider.PostgreSql
            ? new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxAutoPrepare = 0 }.ConnectionString
            : database.ConnectionString;
        await using var host = await ApiHost.StartAsync(database.Provider, connection, AdminKey, synchronous,
            configure: s => s.AddSingleton<TimeProvider>(clock));
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

        var communes = Geography.LoadEmbedded().Communes.Where(c => c.Department == "44" && c.Type == "commune" && c.PostalCodes.Length > 0).ToList();
        var sectors = communes.GroupBy(c => "RG-44-" + c.PostalCodes[0][..3]).ToList();
        foreach (var s in sectors)
            await Send(http, HttpMethod.Put, $"/v1/sectors/{s.Key}", new { name = s.Key, department = "44", communes = s.Select(c => c.InseeCode).ToArray(), bookingHorizonHours = 168 });
        var days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" };
        var seeding = Stopwatch.StartNew();
        var rules = new (string Rpps, string Sector, string Rule, int Day)[gps];
        await Parallel.ForEachAsync(Enumerable.Range(0, gps), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var payload = $"5{i:D9}";
            var rpps = payload + Luhn.CheckDigit(payload);
            var sector = sectors[i % sectors.Count];
            await Send(http, HttpMethod.Put, $"/v1/practitioners/{rpps}", new
            {
                firstName = "Plage", lastName = $"Docteur{i}", sectors = new[] { sector.Key },
                sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue", commune = sector.First().InseeCode, postalCode = sector.First().PostalCodes[0] } },
            });
            var made = await Send(http, HttpMethod.Post, $"/v1/practitioners/{rpps}/rules", Rule(sector.Key, days[i % 5], "18:00"));
            rules[i] = (rpps, sector.Key, made.GetProperty("rule").GetProperty("id").GetString()!, i % 5);
        });
        log.WriteLine($"  {gps:N0} GPs and their rules given through the API in {seeding.Elapsed.TotalSeconds:N1} s");

        // Edits through the API, one at a time: what a practice waits for.
        var edits = new List<double>();
        foreach (var (rpps, sector, rule, day) in rules.Take(Math.Min(300, gps)))
        {
            var started = Stopwatch.GetTimestamp();
            await Send(http, HttpMethod.Put, $"/v1/practitioners/{rpps}/rules/{rule}", Rule(sector, days[day], "17:40"));
            edits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        edits.Sort();

        var service = host.Services.GetRequiredService<RuleService>();
        var generation = TimeSpan.Zero;
        int runs = 0, transactions = 0;
        var longest = TimeSpan.Zero;
        for (var week = 0; week < 52; week++)
        {
            clock.Advance(TimeSpan.FromDays(7));
            var started = Stopwatch.GetTimestamp();
            var run = await service.MakeAllAsync(RuleJob.System, CancellationToken.None);
            generation += Stopwatch.GetElapsedTime(started);
            runs++;
            transactions += run.Transactions;
            if (run.LongestTransaction > longest) longest = run.LongestTransaction;
        }
        var idle = Stopwatch.GetTimestamp();
        await service.MakeAllAsync(RuleJob.System, CancellationToken.None);
        var idleMs = Stopwatch.GetElapsedTime(idle).TotalMilliseconds;

        long slots;
        using (var c = database.Open()) slots = c.ExecuteScalar<long>("SELECT COUNT(*) FROM slots WHERE rule_id IS NOT NULL");
        return new RuleGenerationResult(database.IsSqlite ? "SQLite" : "PostgreSQL", gps, slots, runs, generation.TotalSeconds, transactions,
            longest.TotalMilliseconds, idleMs, Percentile(edits, 0.50), Percentile(edits, 0.99), edits.Count == 0 ? 0 : edits[^1]);
    }

    private static object Rule(string sector, string day, string end) => new
    {
        site = "cab", sector, modality = "in_person", weekdays = new[] { day }, startTime = "14:00", endTime = end, slotMinutes = 20,
        firstDay = "2027-01-04", lastDay = "2028-01-09",
    };

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<System.Text.Json.JsonElement> Send(HttpClient http, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
    }
}
