using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Reports;

namespace Sas.Bench;

public sealed record BenchOptions
{
    public long Slots { get; init; } = 1_000_000;
    public int Clients { get; init; } = 32;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(45);
    public string? Url { get; init; }
    public string? AdminKey { get; init; }
    public string Output { get; init; } = Path.Combine("bench", "results", "latest.json");
    public string WorkFolder { get; init; } = Path.Combine(Path.GetTempPath(), "sas-bench");
    /// <summary>SQLite's synchronous mode for the hosted API: FULL (the default, durable per commit) or NORMAL.</summary>
    public string Synchronous { get; init; } = "FULL";
    /// <summary>Run only these operations of the mix, to measure one without the others' contention.</summary>
    public string[] Only { get; init; } = [];

    public static BenchOptions Quick => new() { Slots = 20_000, Clients = 8, Duration = TimeSpan.FromSeconds(5), Output = Path.Combine("bench", "results", "quick.json") };
}

public sealed record BenchResult(
    string Machine, long Slots, int Practitioners, int Sectors, int Clients, double DurationSeconds, double LoadSeconds,
    OperationResult Ceiling, IReadOnlyList<OperationResult> Operations, long DoubleBookings, IReadOnlyDictionary<string, double> Ratios);

public static class Bench
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";

    public static async Task<BenchResult> RunAsync(BenchOptions o, TextWriter log)
    {
        if (o.Url is not null) return await RunAgainstAsync(o.Url, o.AdminKey ?? throw new ArgumentException("--url needs --admin-key"), o, log, null);

        Directory.CreateDirectory(o.WorkFolder);
        var file = Path.Combine(o.WorkFolder, $"bench-{o.Slots}.db");
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        var connection = new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 30, ForeignKeys = true, Pooling = true }.ToString();
        Migrations.Apply(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = connection }, NullLogger.Instance);
        var now = DateTime.UtcNow;
        log.WriteLine($"Generating {o.Slots:N0} slots…");
        var data = Dataset.Generate(connection, o.Slots, now, syncPractitioners: Math.Max(8, o.Clients * 2));
        log.WriteLine($"  {data.Slots:N0} slots, {data.Practitioners:N0} GPs, {data.Sectors:N0} sectors in {data.LoadTime.TotalSeconds:N1} s");
        ReportHistory(connection, data.CptsFiness, now);

        await using var host = await ApiHost.StartAsync(connection, AdminKey, o.Synchronous);
        var stats = Stopwatch.StartNew();
        await host.Services.GetRequiredService<StatsJob>().RecomputeAsync(now.Date.AddDays(-3), now.Date.AddDays(1), default);
        log.WriteLine($"  statistics for the last days rebuilt in {stats.Elapsed.TotalSeconds:N1} s");
        var result = await RunAgainstAsync(host.Url, AdminKey, o, log, data);
        using var c = new SqliteConnection(connection);
        var doubles = c.ExecuteScalar<long>("SELECT COUNT(*) FROM (SELECT slot_id FROM bookings WHERE status = 'booked' AND slot_id IS NOT NULL GROUP BY slot_id HAVING COUNT(*) > 1)");
        return result with { DoubleBookings = result.DoubleBookings + doubles };
    }

    /// <summary>A year of hourly aggregates for the busiest CPTS, so its one-year report reads what a real one would.</summary>
    private static void ReportHistory(string connection, string cpts, DateTime now)
    {
        using var c = new SqliteConnection(connection);
        c.Open();
        using var tx = c.BeginTransaction();
        var gps = c.Query<(string Rpps, string Sector)>("""
            SELECT ps.rpps, ps.sector_code FROM practitioner_sectors ps JOIN sectors s ON s.code = ps.sector_code WHERE s.cpts_finess = @cpts
            """, new { cpts }, tx).ToList();
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var rows = from gp in gps
                   from day in Enumerable.Range(3, 362)
                   from hour in new[] { 8, 13, 16 }
                   let utc = now.Date.AddDays(-day).AddHours(hour)
                   let local = TimeZoneInfo.ConvertTimeFromUtc(utc, paris)
                   select new
                   {
                       gp.Sector, gp.Rpps, Hour = utc, Booked = (day + hour) % 3 == 0 ? 1 : 0,
                       Day = Sas.Domain.Reports.Buckets.Day(local), Week = Sas.Domain.Reports.Buckets.Week(local), Month = Sas.Domain.Reports.Buckets.Month(local),
                       Weekday = Sas.Domain.Reports.Buckets.IsoWeekday(local), LocalHour = local.Hour,
                   };
        c.Execute("""
            INSERT INTO stats_hourly (sector_code, rpps, hour_utc, offered, booked, expired, offered_minutes, honoured, no_show, cancelled,
                                      overflow_bookings, sas_bookings, no_regular_doctor, regular_doctor_unavailable, majoration_eligible,
                                      local_day, local_week, local_month, local_weekday, local_hour)
            VALUES (@Sector, @Rpps, @Hour, 1, @Booked, 1 - @Booked, 20, @Booked, 0, 0, 0, @Booked, 0, 0, @Booked, @Day, @Week, @Month, @Weekday, @LocalHour)
            """, rows, tx);
        tx.Commit();
    }

    private static async Task<BenchResult> RunAgainstAsync(string url, string adminKey, BenchOptions o, TextWriter log, DatasetInfo? data)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = o.Clients * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        data ??= await ApiSeed.SeedAsync(http, adminKey, o.Slots, log);

        async Task<string> NewKey(string role, IEnumerable<string> scope)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/clients") { Content = JsonContent.Create(new { name = "bench " + role, role, scope }) };
            request.Headers.Add("X-Api-Key", adminKey);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
        }
        var departments = Sas.Api.Reference.Geography.LoadEmbedded().Communes.Select(c => c.Department).Distinct().ToArray();
        var regulatorKeys = new[] { await NewKey("regulator", departments), await NewKey("regulator", departments), await NewKey("regulator", departments) };
        var cptsKey = await NewKey("cpts", [data.CptsFiness]);
        var gpKeys = new List<string>();
        foreach (var rpps in data.SyncPractitioners) gpKeys.Add(await NewKey("practitioner", [rpps]));

        // Slots to race for: what regulators would find for the busiest postal codes.
        var hot = new List<long>();
        foreach (var postal in data.PostalCodes.Take(20))
        {
            using var search = Get($"/v1/slots?postalCode={postal}&limit=100", regulatorKeys[0]);
            using var found = await http.SendAsync(search);
            if (found.IsSuccessStatusCode)
                hot.AddRange((await found.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        }
        if (hot.Count == 0) throw new InvalidOperationException("no bookable slot found to race for");
        var winners = new ConcurrentDictionary<long, int>();
        var from = Uri.EscapeDataString(DateTime.UtcNow.AddDays(-365).ToString("yyyy-MM-dd'T'HH:00:00'Z'"));
        var to = Uri.EscapeDataString(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:00:00'Z'"));

        async Task<Outcome> Send(HttpRequestMessage request, Func<HttpResponseMessage, Task>? onSuccess = null)
        {
            using (request)
            using (var response = await http.SendAsync(request))
            {
                if (response.IsSuccessStatusCode) { if (onSuccess is not null) await onSuccess(response); return Outcome.Ok; }
                return response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Gone or HttpStatusCode.UnprocessableEntity ? Outcome.Conflict : Outcome.Error;
            }
        }

        var week = SyncWeek.Start(DateTime.UtcNow);
        var mix = new List<Operation>
        {
            new("search", 55, r => Send(Get($"/v1/slots?postalCode={data.PostalCodes[r.Next(data.PostalCodes.Length)]}&limit=20", regulatorKeys[r.Next(3)]))),
            new("hold", 8, r => Send(Post($"/v1/slots/{hot[r.Next(hot.Count)]}/hold", null, regulatorKeys[r.Next(3)]))),
            new("booking", 15, r =>
            {
                var slot = hot[r.Next(hot.Count)];
                var request = Post("/v1/bookings", Booking(slot), regulatorKeys[r.Next(3)]);
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                return Send(request, _ => { winners.AddOrUpdate(slot, 1, (_, n) => n + 1); return Task.CompletedTask; });
            }),
            new("sync_week", 15, r =>
            {
                var i = r.Next(gpKeys.Count);
                return Send(Put($"/v1/practitioners/{data.SyncPractitioners[i]}/slots?from={week.From}&to={week.To}", week.Body(data.SyncSectors[i], r), gpKeys[i]));
            }),
            new("fill_rate_year", 3, _ => Send(Get($"/v1/reports/fill-rate?cpts={data.CptsFiness}&from={from}&to={to}&groupBy=month", cptsKey))),
            // The national SAS platform's aggregation query, as the ANS test kit times it: 25 GPs, now to the end of D+2.
            new("fhir_slots_25gps", 4, r => Send(Get(FhirQuery(data.SyncPractitioners, r), adminKey))),
        };

        if (o.Only.Length > 0) mix = mix.Where(m => o.Only.Contains(m.Name)).ToList();
        log.WriteLine($"Ceiling: GET /health/live, {o.Clients} clients, {o.Duration.TotalSeconds:N0} s…");
        var ceiling = (await Load.RunAsync([new Operation("health_live", 1, _ => Send(new HttpRequestMessage(HttpMethod.Get, "/health/live")))], o.Clients, o.Duration)).Single();
        log.WriteLine($"Mix, {o.Clients} clients, {o.Duration.TotalSeconds:N0} s…");
        var results = await Load.RunAsync(mix, o.Clients, o.Duration);
        var ratios = results.ToDictionary(r => r.Name, r => Math.Round(r.PerSecond / ceiling.PerSecond, 3));
        return new BenchResult(Machine(), data.Slots, data.Practitioners, data.Sectors, o.Clients, o.Duration.TotalSeconds, data.LoadTime.TotalSeconds,
            ceiling, results, winners.Count(w => w.Value > 1), ratios);
    }

    private static string FhirQuery(string[] practitioners, Random r)
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var now = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, paris);
        var ids = practitioners.OrderBy(_ => r.Next()).Take(25).Select(rpps => $"urn:oid:1.2.250.1.71.4.2.1|8{rpps}");
        return "/fhir/Slot?_include=Slot:schedule&_include:iterate=Schedule:actor&status=free"
            + $"&start=ge{now:yyyy-MM-dd'T'HH:mm:ss}.000&start=le{now.Date.AddDays(3).AddSeconds(-1):yyyy-MM-dd'T'HH:mm:ss}.000"
            + $"&schedule.actor:Practitioner.identifier={Uri.EscapeDataString(string.Join(',', ids))}";
    }

    private static HttpRequestMessage Get(string path, string key) => WithKey(new HttpRequestMessage(HttpMethod.Get, path), key);
    private static HttpRequestMessage Post(string path, object? body, string key) => WithKey(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) }, key);
    private static HttpRequestMessage Put(string path, object body, string key) => WithKey(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) }, key);

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add("X-Api-Key", key);
        return request;
    }

    private static object Booking(long slot) => new
    {
        slotId = slot, reason = "Fièvre", regularDoctor = "has", regularDoctorContacted = true, origin = "sas",
        requestedAt = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        patient = new { lastName = "Bench", firstName = "Patient", birthDate = "1980-01-01", phone = "0612345678", commune = "44109" },
    };

    private static string Machine() => $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):N0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}

/// <summary>A GP's week as the practice software syncs it: 70 ten-minute slots early each morning (UTC), one of them changed each time.</summary>
public sealed record SyncWeek(DateTime FromUtc)
{
    public string From => Uri.EscapeDataString(FromUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
    public string To => Uri.EscapeDataString(FromUtc.AddDays(7).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));

    public static SyncWeek Start(DateTime now) => new(now.Date.AddDays(3));

    public object Body(string sector, Random random)
    {
        var changed = random.Next(70);
        return new
        {
            slots = Enumerable.Range(0, 70).Select(i =>
            {
                var start = FromUtc.AddDays(i / 10).AddHours(5).AddMinutes(10 * (i % 10));
                return new
                {
                    start = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), end = start.AddMinutes(10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                    sector, site = "cab", modality = i == changed ? "teleconsultation" : "in_person", externalId = $"w{i}",
                };
            }),
        };
    }
}
