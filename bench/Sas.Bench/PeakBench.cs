using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Reports;

namespace Sas.Bench;

/// <summary>What the server process spent during a phase, per second of it (CPU in cores) and in total.</summary>
public sealed record ServerSpend(double Seconds, double CpuCores, double AllocatedMbPerSecond, double PauseMsPerSecond, double Gen0, double Gen1, double Gen2,
    double TerritoryReads = 0, double IndexReloads = 0)
{
    public static ServerSpend Of(ServerStats d, double seconds) => new(Math.Round(seconds, 1), Math.Round(d.CpuSeconds / seconds, 2),
        Math.Round(d.AllocatedBytes / seconds / 1048576, 1), Math.Round(d.PauseSeconds * 1000 / seconds, 1), d.Gen0, d.Gen1, d.Gen2, d.TerritoryReads, d.IndexReloads);
}

/// <summary>
/// A step of the capacity ramp: the profile at this multiple of the national peak, its worst operation, and the slot
/// index's whole reads during it (each holds every search of the node for its length: issue #28's stall of a run), and
/// the CPU the server and the load generator spent in it, in cores (they share the machine's).
/// </summary>
public sealed record CapacityStep(double Multiple, double TotalPerSecond, string WorstOperation, double WorstP99, long Errors, bool Passed, double IndexReloads = 0,
    double ServerCores = 0, double GeneratorCores = 0);

public sealed record PeakResult(
    string Machine, long Slots, int Practitioners, int Sectors, string Engine, int Nodes, double LoadSeconds,
    double Multiple, IReadOnlyDictionary<string, double> PeakPerSecond, IReadOnlyList<OperationResult> Operations, ServerSpend Server,
    OperationResult Ceiling, IReadOnlyList<OperationResult> Alone, OperationResult Contended, IReadOnlyList<CapacityStep> Capacity, double CapacityMultiple,
    IReadOnlyDictionary<string, double> AllocatedBytesPerRequest, long DoubleBookings, double? FhirColdMs, DatabaseWorkResult? SearchDatabaseWork = null,
    double? SendLagP50Ms = null, double? SendLagP99Ms = null, BookingWorkResult? BookingDatabaseWork = null,
    IReadOnlyDictionary<string, double>? AnswerBytesAlone = null);

/// <summary>
/// The default run: the API in its own process on a generated dataset, loaded open-loop with <see cref="PeakProfile"/>
/// at <see cref="BenchOptions.Multiple"/> times the national peak, then the 409 race, each read alone against the
/// ceiling, allocation per request of each operation alone (read from the server), and a ramp of the profile to find
/// the multiple it carries.
/// </summary>
public static class PeakBench
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";

    public static async Task<PeakResult> RunAsync(BenchOptions o, TextWriter log)
    {
        var now = DateTime.UtcNow;
        var (database, data) = Bench.Prepare(o, now, syncPractitioners: 64, log);

        // The statistics of the last days, rebuilt by the job's own code in this process before the server starts.
        await using (var host = await ApiHost.StartAsync(database.Provider, database.ConnectionString, AdminKey, o.Synchronous))
            await host.Services.GetRequiredService<StatsJob>().RecomputeAsync(now.Date.AddDays(-3), now.Date.AddDays(1), default);

        var servers = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < o.Nodes; i++) servers.Add(await ServerProcess.StartAsync(database.Provider, database.ConnectionString, AdminKey, o.Synchronous));
            log.WriteLine($"  API in {servers.Count} process(es) of its own: {string.Join(", ", servers.Select(s => s.Url))}");
            var result = await MeasureAsync(servers.Select(s => s.Url).ToList(), o, log, data, count => FreeSlots(database, count));
            if (o.AloneOnly || o.RampOnly) return result with { Engine = database.Provider.ToString(), Nodes = o.Nodes };
            log.WriteLine("A search's database work through the store and bare, in this process…");
            var work = await DatabaseWork.MeasureAsync(database, o.Slots >= 1_000_000 ? 2000 : 300);
            log.WriteLine("A booking's database work through the stores and bare, in this process…");
            var booking = await BookingWork.MeasureAsync(database, o.Slots >= 1_000_000 ? 300 : 50);
            return result with
            {
                DoubleBookings = result.DoubleBookings + database.DoubleBookings(), Engine = database.Provider.ToString(), Nodes = o.Nodes,
                SearchDatabaseWork = work, BookingDatabaseWork = booking,
            };
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
            database.Drop();
        }
    }

    /// <summary>
    /// Slots a regulator could book now and nobody holds: starting between an hour from now (past the cut-off, with room
    /// for the run) and 20 hours from now (within every sector's horizon), in random order.
    /// </summary>
    private static IReadOnlyList<long> FreeSlots(BenchDatabase database, int count)
    {
        using var c = database.Open();
        var now = DateTime.UtcNow;
        return Dapper.SqlMapper.Query<long>(c, $"""
            SELECT id FROM slots
             WHERE status = 'available' AND start_utc >= @from AND start_utc <= @to
             ORDER BY id
            """, new { from = now.AddHours(1), to = now.AddHours(20) })
            .OrderBy(_ => Random.Shared.Next()).Take(count).ToList();
    }

    /// <summary>Calls of each operation before the profile's warm-up: past the JIT's 30 calls to an optimised method.</summary>
    private const int PathWarmUpCalls = 60;

    private static async Task<PeakResult> MeasureAsync(IReadOnlyList<string> urls, BenchOptions o, TextWriter log, DatasetInfo data, Func<int, IReadOnlyList<long>>? freeSlots = null)
    {
        using var sockets = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var handler = new RoundRobin(urls.Select(u => new Uri(u)).ToList(), sockets);
        using var http = new HttpClient(handler) { BaseAddress = new Uri(urls[0]), Timeout = TimeSpan.FromSeconds(30) };
        // Each server's own counters (with several nodes, the first node's: the ramp and allocation are read there).
        using var first = new HttpClient { BaseAddress = new Uri(urls[0]) };

        // The platform's first query after start, alone, before anything else reaches the server: what a deployment costs
        // the first regulator (measured after the workload's setup, it also paid the index's catch-up of its 25 GPs' first
        // syncs, a bench's doing: 1.1-2.2 s there, 470 ms here on 2026-12-07).
        double? fhirCold = null;
        var started = Stopwatch.GetTimestamp();
        using (var cold = await http.SendAsync(Bench.Get(Bench.FhirQuery(data.SyncPractitioners, new Random(1)), AdminKey)))
            if (cold.IsSuccessStatusCode) fhirCold = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);

        var peak = PeakProfile.PerSecond;
        var bookingsAndHolds = (peak["booking"] + peak["hold"]) * (o.Multiple * (o.WarmUp + o.Duration).TotalSeconds
            + o.RampMultiples.Sum(m => m * o.Step.TotalSeconds)) + 2 * o.AllocationRate * (o.AllocationWindow.TotalSeconds + 1) + o.ContendedSlots + 2 * PathWarmUpCalls;
        var workload = await Workload.CreateAsync(http, data, AdminKey, (int)Math.Min(bookingsAndHolds * 1.1, 200_000), log, freeSlots);
        var ops = workload.Operations;
        Rated[] Profile(double multiple) => peak.Select(p => new Rated(ops[p.Key], p.Value * multiple)).ToArray();

        // Every path hot before the profile: at 10× the pooled request's 0.89 a second gave it 27 calls in the 30 s
        // warm-up, so the measured window met its first calls at the JIT's first tier (a node in service has long
        // compiled them again, optimised, as it did the booking's after its first 30 calls).
        log.WriteLine($"Warm-up: each operation {PathWarmUpCalls} times, one at a time, unmeasured…");
        var warming = new Random(2);
        foreach (var name in peak.Keys.OrderBy(n => n == "request_accept")) // the accepts take the requests posted
            for (var i = 0; i < PathWarmUpCalls; i++) await ops[name].Send(warming);
        if (o.AloneOnly)
        {
            // Unmeasured once first: without the profile's warm-up the runtime is still recompiling the hot paths (a
            // ceiling of 13,000/s against 45,000 after a full run's phases).
            log.WriteLine("Unmeasured, the same phases first:");
            await AloneAsync(workload, ops, o, log);
            var (aloneCeiling, aloneRuns, _) = await AloneAsync(workload, ops, o, log);
            return new PeakResult(Bench.Machine(), data.Slots, data.Practitioners, data.Sectors, "", 1, data.LoadTime.TotalSeconds, o.Multiple, peak, [],
                new ServerSpend(0, 0, 0, 0, 0, 0, 0, 0), aloneCeiling, aloneRuns, new OperationResult("booking_contended", 0, 0, 0, 0, 0, 0, 0, 0), [], 0,
                new Dictionary<string, double>(), workload.DoubleBookings, fhirCold);
        }
        log.WriteLine($"Warm-up: the profile at {o.Multiple:N0}× the national peak ({PeakProfile.Total * o.Multiple:N0} requests/s), unmeasured, {o.WarmUp.TotalSeconds:N0} s…");
        await OpenLoop.RunAsync(Profile(o.Multiple), o.WarmUp);
        if (o.RampOnly)
        {
            var (rampSteps, rampReached) = await RampAsync(first, o, Profile, log);
            return new PeakResult(Bench.Machine(), data.Slots, data.Practitioners, data.Sectors, "", 1, data.LoadTime.TotalSeconds, o.Multiple, peak, [],
                new ServerSpend(0, 0, 0, 0, 0, 0, 0, 0), new OperationResult("health_live", 0, 0, 0, 0, 0, 0, 0, 0), [], new OperationResult("booking_contended", 0, 0, 0, 0, 0, 0, 0, 0),
                rampSteps, rampReached, new Dictionary<string, double>(), workload.DoubleBookings, fhirCold);
        }
        log.WriteLine($"Profile at {o.Multiple:N0}×, open loop, {o.Duration.TotalSeconds:N0} s…");
        var before = await ServerStats.ReadAsync(first, AdminKey);
        var clock = Stopwatch.StartNew();
        var sendLags = new List<double>();
        var tenfold = new List<TimedRequest>();
        using var scraped = new CancellationTokenSource();
        var scraping = o.ScrapeEverySeconds is { } every ? ScrapeAsync(first, every, scraped.Token) : Task.FromResult(new List<double>());
        var results = await OpenLoop.RunAsync(Profile(o.Multiple), o.Duration, sendLags: sendLags, timeline: tenfold);
        await scraped.CancelAsync();
        if (await scraping is { Count: > 0 } scrapes) log.WriteLine("        metrics read at " + string.Join(", ", scrapes.Select(x => $"{x:N2}")) + " s");
        Slowest(tenfold, o.ScrapeEverySeconds is null ? 12 : 30, log);
        var lags = sendLags.Order().ToArray();
        var server = ServerSpend.Of((await ServerStats.ReadAsync(first, AdminKey)).Minus(before), clock.Elapsed.TotalSeconds);

        log.WriteLine($"The 409 path: {o.ContendedClients} regulators booking the same slot at once, {o.ContendedSlots} slots…");
        var contended = await workload.ContendedAsync(o.ContendedSlots, o.ContendedClients);

        var (ceiling, alone, answerBytes) = await AloneAsync(workload, ops, o, log);

        log.WriteLine("Allocation per request, each operation alone, read from the server…");
        var allocation = new Dictionary<string, double>();
        var idle = await AllocatedPerSecondIdleAsync(first, o.AllocationWindow);
        log.WriteLine($"  idle: {idle / 1024:N0} kB/s");
        foreach (var name in peak.Keys)
        {
            // Enough requests that the server's own background (the territory copy read again every 30 s) is a small share.
            var rate = name is "fill_rate_year" or "sync_changed" ? Math.Min(20, o.AllocationRate) : o.AllocationRate;
            await OpenLoop.RunAsync([new Rated(ops[name], rate)], TimeSpan.FromSeconds(1)); // this operation's paths warm
            // The process's allocated-bytes reading once went backwards across a window (by 312 MB, right after the
            // closed-loop phase's threads retired): such a window is measured again rather than reported as nothing.
            // So is a window in which the server read its territory copy again (several megabytes, every 25-30 s): it
            // once put 100 kB on each of the test's 90 searches. Holds and bookings use slots up: when a window finds
            // none left to take, the last window that served requests stands.
            (ServerStats Spent, double Seconds, OperationResult Run)? kept = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var a = await ServerStats.ReadAsync(first, AdminKey);
                var window = Stopwatch.StartNew();
                var measured = (await OpenLoop.RunAsync([new Rated(ops[name], rate)], o.AllocationWindow)).Single();
                var used = (await ServerStats.ReadAsync(first, AdminKey)).Minus(a);
                if (measured.Requests == 0) break;
                if (used.AllocatedBytes <= 0) continue;
                kept = (used, window.Elapsed.TotalSeconds, measured);
                if (used.TerritoryReads == 0) break;
            }
            if (kept is not { } k)
            {
                log.WriteLine($"  {name}: no window served a request with allocation measured");
                continue;
            }
            var (spent, seconds, run) = k;
            allocation[name] = Math.Round(Math.Max(0, spent.AllocatedBytes - idle * seconds) / Math.Max(1, run.Requests));
            log.WriteLine($"  {name}: {run.Requests} requests ({run.Conflicts} refused, {run.Errors} errors, {run.Skipped} not sent), {spent.AllocatedBytes / 1048576:N1} MB, {allocation[name] / 1024:N1} kB each");
        }

        var (steps, reached) = await RampAsync(first, o, Profile, log);

        return new PeakResult(Bench.Machine(), data.Slots, data.Practitioners, data.Sectors, "", 1, data.LoadTime.TotalSeconds,
            o.Multiple, peak, results, server, ceiling, alone, contended, steps, reached, allocation, workload.DoubleBookings, fhirCold,
            SendLagP50Ms: OpenLoop.Percentile(lags, 0.50), SendLagP99Ms: OpenLoop.Percentile(lags, 0.99), AnswerBytesAlone: answerBytes);
    }

    /// <summary>
    /// The capacity ramp: the profile at each multiple in turn until a p99 passes the limit or an error appears; each
    /// step with the server's collections and where its slowest answers fell.
    /// </summary>
    private static async Task<(List<CapacityStep> Steps, double Reached)> RampAsync(HttpClient first, BenchOptions o, Func<double, Rated[]> Profile, TextWriter log)
    {
        log.WriteLine($"Capacity: the profile at {string.Join(", ", o.RampMultiples)}× until a p99 passes {o.CapacityP99Ms} ms or an error appears, {o.Step.TotalSeconds:N0} s each…");
        var steps = new List<CapacityStep>();
        foreach (var multiple in o.RampMultiples)
        {
            await Task.Delay(o.StepGap);
            var stats = await ServerStats.ReadAsync(first, AdminKey);
            var timeline = new List<TimedRequest>();
            var (generatorBefore, generatorPaused, clock) = (Environment.CpuUsage.TotalTime, GC.GetTotalPauseDuration(), System.Diagnostics.Stopwatch.StartNew());
            var step = await OpenLoop.RunAsync(Profile(multiple), o.Step, timeline: timeline);
            // The step's own collections beside its reloads: a first step stalled right after the allocation phase.
            var during = (await ServerStats.ReadAsync(first, AdminKey)).Minus(stats);
            // Both processes' CPU: on a shared 2-core machine a step can be bound by the cores, not by a stall.
            var (serverCores, generatorCores) = (Math.Round(during.CpuSeconds / clock.Elapsed.TotalSeconds, 2),
                Math.Round((Environment.CpuUsage.TotalTime - generatorBefore).TotalSeconds / clock.Elapsed.TotalSeconds, 2));
            var reloads = during.IndexReloads;
            var worst = step.MaxBy(r => r.P99)!;
            var errors = step.Sum(r => r.Errors);
            var passed = worst.P99 <= o.CapacityP99Ms && errors == 0;
            steps.Add(new CapacityStep(multiple, Math.Round(PeakProfile.Total * multiple, 1), worst.Name, worst.P99, errors, passed, reloads, serverCores, generatorCores));
            log.WriteLine($"  {multiple,5:N0}× ({PeakProfile.Total * multiple,6:N0}/s): worst p99 {worst.P99} ms ({worst.Name}), errors {errors}, index reloads {reloads}, "
                + $"CPU server {serverCores:N2} + generator {generatorCores:N2} of {Environment.ProcessorCount} cores, generator's GC paused {(GC.GetTotalPauseDuration() - generatorPaused).TotalMilliseconds:N0} ms, server's GC paused {during.PauseSeconds * 1000:N0} ms (gen0 {during.Gen0:N0}, gen1 {during.Gen1:N0}, gen2 {during.Gen2:N0}), territory reads {during.TerritoryReads:N0} {(passed ? "" : "— stop")}");
            Slowest(timeline, passed ? 4 : 12, log);
            if (!passed) break;
        }
        var reached = steps.TakeWhile(s => s.Passed).Select(s => s.Multiple).DefaultIfEmpty(0).Max();
        log.WriteLine($"  the server's working set after the ramp: {(await ServerStats.ReadAsync(first, AdminKey)).WorkingSetBytes / 1048576:N0} MB");
        return (steps, reached);
    }

    /// <summary>The server's metrics read every <paramref name="every"/> seconds until stopped: when each read began (s).</summary>
    private static async Task<List<double>> ScrapeAsync(HttpClient server, double every, CancellationToken stop)
    {
        var at = new List<double>();
        var since = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(every), stop);
                at.Add(since.Elapsed.TotalSeconds);
                await ServerStats.ReadAsync(server, AdminKey);
            }
        }
        catch (OperationCanceledException) { return at; }
    }

    /// <summary>
    /// Where a run's slowest answers fell: together at one moment is a stall of the process (or of the generator, when
    /// they also left it late); spread over the run is a path too slow for its rate.
    /// </summary>
    private static void Slowest(List<TimedRequest> timeline, int count, TextWriter log)
    {
        foreach (var r in timeline.OrderByDescending(r => r.Ms).Take(count).OrderBy(r => r.DueSeconds))
            log.WriteLine($"        at {r.DueSeconds,6:N3} s: {r.Name} {r.Ms:N1} ms (left the generator {r.SendLagMs:N1} ms late)");
    }

    /// <summary>The ceiling (a health probe's answer), then each read alone against it, closed loop, with its answers' size.</summary>
    private static async Task<(OperationResult Ceiling, List<OperationResult> Alone, Dictionary<string, double> AnswerBytes)> AloneAsync(
        Workload workload, IReadOnlyDictionary<string, Operation> ops, BenchOptions o, TextWriter log)
    {
        log.WriteLine($"Ceiling and each read alone, {o.Clients} clients closed loop, {o.Step.TotalSeconds:N0} s each…");
        var ceiling = (await Load.RunAsync([new Operation("health_live", 1, _ => workload.Send(new HttpRequestMessage(HttpMethod.Get, "/health/live")))], o.Clients, o.Step)).Single();
        var alone = new List<OperationResult>();
        var answerBytes = new Dictionary<string, double>();
        foreach (var name in new[] { "search", "fhir_slots_25gps", "fill_rate_year" })
        {
            // The size of its answers: what loopback and the client must move as well, beside the server's work.
            var bytesBefore = Workload.BodyBytes;
            var run = (await Load.RunAsync([ops[name]], o.Clients, o.Step)).Single();
            alone.Add(run);
            if (run.Requests > 0) answerBytes[name] = (double)(Workload.BodyBytes - bytesBefore) / run.Requests;
        }
        log.WriteLine("  answers alone: " + string.Join(", ", answerBytes.Select(a => $"{a.Key} {a.Value / 1024:N1} kB")));
        return (ceiling, alone, answerBytes);
    }

    /// <summary>What the server allocates with nothing to do (timers, its own metrics), per second: taken off each operation's share.</summary>
    private static async Task<double> AllocatedPerSecondIdleAsync(HttpClient server, TimeSpan window)
    {
        var a = await ServerStats.ReadAsync(server, AdminKey);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        return (await ServerStats.ReadAsync(server, AdminKey)).Minus(a).AllocatedBytes / clock.Elapsed.TotalSeconds;
    }
}
