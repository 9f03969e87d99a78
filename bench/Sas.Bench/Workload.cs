using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sas.Bench;

/// <summary>
/// The requests of the national-peak profile against one API (its clients and keys, the slots to book), each an
/// <see cref="Operation"/>. Bookings and holds take slots nobody else is booking, as real regulators almost always
/// do, from a pool found by searching; the race for one slot is measured apart (<see cref="ContendedAsync"/>).
/// Syncs come from two sets of GPs: those whose software sends the same week again, and those whose week changes.
/// </summary>
public sealed class Workload
{
    private readonly HttpClient http;
    private readonly DatasetInfo data;
    private readonly string adminKey;
    private readonly string[] regulatorKeys;
    private readonly string cptsKey;
    private readonly string[] gpKeys;
    private readonly ConcurrentQueue<long> free;
    private readonly ConcurrentDictionary<long, int> winners = new();
    private readonly SyncWeek week = SyncWeek.Start(DateTime.UtcNow);
    private readonly int[] changes;

    /// <summary>Pooled requests posted and not yet accepted, with the pool member (a sync GP's index) that will accept each.</summary>
    private readonly ConcurrentQueue<(string Id, int Member)> posted = new();

    /// <summary>The sync GPs that joined the pool (issue #32): the first of them, each in their own sector.</summary>
    private const int PoolMembers = 20;
    private readonly string from, to;

    private Workload(HttpClient http, DatasetInfo data, string adminKey, string[] regulatorKeys, string cptsKey, string[] gpKeys, IEnumerable<long> pool)
    {
        (this.http, this.data, this.adminKey, this.regulatorKeys, this.cptsKey, this.gpKeys) = (http, data, adminKey, regulatorKeys, cptsKey, gpKeys);
        free = new ConcurrentQueue<long>(pool);
        changes = new int[gpKeys.Length];
        from = Uri.EscapeDataString(DateTime.UtcNow.AddDays(-365).ToString("yyyy-MM-dd'T'HH:00:00'Z'"));
        to = Uri.EscapeDataString(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:00:00'Z'"));
    }

    /// <summary>Slots left to book or hold, each once.</summary>
    public int FreeSlots => free.Count;

    /// <summary>Slots booked more than once by this workload (the database's own count is checked besides).</summary>
    public int DoubleBookings => winners.Count(w => w.Value > 1);

    /// <summary>Creates the clients, syncs every sync GP's week once (so the unchanged ones are unchanged from the start) and finds <paramref name="poolSize"/> bookable slots.</summary>
    public static async Task<Workload> CreateAsync(HttpClient http, DatasetInfo data, string adminKey, int poolSize, TextWriter log, Func<int, IReadOnlyList<long>>? freeSlots = null)
    {
        Task<string> NewKey(string role, IEnumerable<string> scope) => Bench.NewKeyAsync(http, adminKey, role, scope);
        var departments = Sas.Api.Reference.Geography.LoadEmbedded().Communes.Select(c => c.Department).Distinct().ToArray();
        var regulators = new[] { await NewKey("regulator", departments), await NewKey("regulator", departments), await NewKey("regulator", departments) };
        var cpts = await NewKey("cpts", [data.CptsFiness]);
        var gps = new List<string>();
        foreach (var rpps in data.SyncPractitioners) gps.Add(await NewKey("practitioner", [rpps]));

        // Hosted: straight from the database (a search's pages would take a national minute to gather tens of thousands).
        var pool = freeSlots?.Invoke(poolSize).ToList() ?? [];
        var seen = pool.ToHashSet();
        foreach (var postal in data.PostalCodes.OrderBy(p => p, StringComparer.Ordinal))
        {
            if (pool.Count >= poolSize) break;
            using var search = Bench.Get($"/v1/slots?postalCode={postal}&limit=100", regulators[0]);
            using var found = await http.SendAsync(search);
            if (!found.IsSuccessStatusCode) continue;
            foreach (var item in (await found.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray())
                if (seen.Add(item.GetProperty("id").GetInt64())) pool.Add(item.GetProperty("id").GetInt64());
        }
        log.WriteLine($"  {pool.Count:N0} bookable slots found for the bookings and holds");
        var workload = new Workload(http, data, adminKey, regulators, cpts, [.. gps], pool.OrderBy(_ => Random.Shared.Next()));
        for (var i = 0; i < gps.Count; i++)
            if (await workload.Send(Bench.Put(workload.SyncUrl(i), workload.week.Body(data.SyncSectors[i], (int?)null), gps[i])) != Outcome.Ok)
                throw new InvalidOperationException("the first sync of a bench GP failed");
        for (var i = 0; i < Math.Min(PoolMembers, gps.Count); i++)
            if (await workload.Send(Bench.Put($"/v1/practitioners/{data.SyncPractitioners[i]}/pool", new { weekdays = new[] { 1, 2, 3, 4, 5, 6, 7 }, from = "00:00", until = "23:59" }, gps[i])) != Outcome.Ok)
                throw new InvalidOperationException("a bench GP could not join the pool");
        return workload;
    }

    private string SyncUrl(int i) => $"/v1/practitioners/{data.SyncPractitioners[i]}/slots?from={week.From}&to={week.To}";

    /// <summary>The profile's operations, by the names <see cref="PeakProfile.PerSecond"/> uses.</summary>
    public IReadOnlyDictionary<string, Operation> Operations => new Dictionary<string, Operation>
    {
        ["search"] = new("search", 1, r => Send(Bench.Get($"/v1/slots?postalCode={data.PostalCodes[r.Next(data.PostalCodes.Length)]}&limit=20", regulatorKeys[r.Next(3)]))),
        ["hold"] = new("hold", 1, r => free.TryDequeue(out var slot)
            ? Send(Bench.Post($"/v1/slots/{slot}/hold", null, regulatorKeys[r.Next(3)]))
            : Task.FromResult(Outcome.Skipped)),
        ["booking"] = new("booking", 1, r => free.TryDequeue(out var slot) ? Book(slot, regulatorKeys[r.Next(3)]) : Task.FromResult(Outcome.Skipped)),
        // The first half of the sync GPs send their week again; the second half change one slot each time.
        ["sync_unchanged"] = new("sync_unchanged", 1, r =>
        {
            var i = r.Next(gpKeys.Length / 2);
            return Send(Bench.Put(SyncUrl(i), week.Body(data.SyncSectors[i], (int?)null), gpKeys[i]));
        }),
        ["sync_changed"] = new("sync_changed", 1, r =>
        {
            var i = gpKeys.Length / 2 + r.Next(gpKeys.Length - gpKeys.Length / 2);
            var change = Interlocked.Increment(ref changes[i]);
            return Send(Bench.Put(SyncUrl(i), week.Body(data.SyncSectors[i], change), gpKeys[i]));
        }),
        ["request_post"] = new("request_post", 1, r => PostRequest(r.Next(Math.Min(PoolMembers, gpKeys.Length)), regulatorKeys[r.Next(3)])),
        ["request_accept"] = new("request_accept", 1, _ => posted.TryDequeue(out var request) ? AcceptRequest(request.Id, request.Member) : Task.FromResult(Outcome.Skipped)),
        ["fill_rate_year"] = new("fill_rate_year", 1, _ => Send(Bench.Get($"/v1/reports/fill-rate?cpts={data.CptsFiness}&from={from}&to={to}&groupBy=month", cptsKey))),
        // The national SAS platform's aggregation query, as the ANS test kit times it: 25 GPs, now to the end of D+2.
        ["fhir_slots_25gps"] = new("fhir_slots_25gps", 1, r => Send(Bench.Get(Bench.FhirQuery(data.SyncPractitioners, r), adminKey))),
    };

    /// <summary>
    /// The 409 path: <paramref name="clients"/> regulators book the same slot at once, for <paramref name="slots"/> slots in
    /// turn. Exactly one wins each; the others' refusals are what is timed.
    /// </summary>
    public async Task<OperationResult> ContendedAsync(int slots, int clients)
    {
        var refusals = new List<double>();
        long errors = 0, wins = 0;
        for (var s = 0; s < slots && free.TryDequeue(out var slot); s++)
        {
            using var go = new ManualResetEventSlim(false);
            var racers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                go.Wait();
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var outcome = await Book(slot, regulatorKeys[c % 3]);
                return (outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            })).ToList();
            go.Set();
            foreach (var (outcome, ms) in await Task.WhenAll(racers))
            {
                if (outcome == Outcome.Ok) wins++;
                else if (outcome == Outcome.Conflict) lock (refusals) refusals.Add(ms);
                else errors++;
            }
        }
        var sorted = refusals.Order().ToArray();
        return new OperationResult("booking_contended", sorted.Length + wins, double.NaN, OpenLoop.Percentile(sorted, 0.5), OpenLoop.Percentile(sorted, 0.95),
            OpenLoop.Percentile(sorted, 0.99), sorted.Length, errors, OpenLoop.Percentile(sorted, 0.999));
    }

    /// <summary>A pooled request for a GP in the pool member's sector, within four hours; kept for an accept.</summary>
    private Task<Outcome> PostRequest(int member, string key)
    {
        var request = Bench.Post("/v1/requests", new
        {
            patient = new { lastName = "Bench", firstName = "Patient", birthDate = "1980-01-01", phone = "0612345678", commune = "44109" },
            reason = "Fièvre", regularDoctor = "has", regularDoctorContacted = true, origin = "sas",
            requestedAt = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), notAfter = DateTime.UtcNow.AddHours(4).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            profession = "general_practitioner", sector = data.SyncSectors[member],
        }, key);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return SendAsync(http, request, async response =>
            posted.Enqueue(((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, member)));
    }

    /// <summary>The pool member accepts, an hour from now: their overflow booking.</summary>
    private Task<Outcome> AcceptRequest(string id, int member)
    {
        var request = Bench.Post($"/v1/requests/{id}/accept", new { rpps = data.SyncPractitioners[member], start = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") }, gpKeys[member]);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return Send(request);
    }

    private async Task<Outcome> Book(long slot, string key)
    {
        var request = Bench.Post("/v1/bookings", Bench.Booking(slot), key);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var outcome = await Send(request);
        if (outcome == Outcome.Ok) winners.AddOrUpdate(slot, 1, (_, n) => n + 1);
        return outcome;
    }

    /// <summary>Sends and reads the whole answer (its time counts) into a pooled buffer.</summary>
    public Task<Outcome> Send(HttpRequestMessage request) => SendAsync(http, request);

    /// <summary>
    /// One request, its whole body received (its time counts) into a pooled buffer: buffering each 150 kB FHIR answer made
    /// gen-2 collections in the generator. A 409, 410 or 422 is a refusal (a conflict), any other failure an error.
    /// </summary>
    /// <summary>The answers' bytes read so far (bodies, not headers): what an operation alone moves per answer.</summary>
    public static long BodyBytes => Interlocked.Read(ref bodyBytes);
    private static long bodyBytes;

    public static async Task<Outcome> SendAsync(HttpClient http, HttpRequestMessage request, Func<HttpResponseMessage, Task>? onSuccess = null)
    {
        using (request)
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            if (response.IsSuccessStatusCode && onSuccess is not null) { await onSuccess(response); return Outcome.Ok; }
            await using (var body = await response.Content.ReadAsStreamAsync())
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
                try
                {
                    int read;
                    while ((read = await body.ReadAsync(buffer)) > 0) Interlocked.Add(ref bodyBytes, read);
                }
                finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
            }
            if (response.IsSuccessStatusCode) return Outcome.Ok;
            return response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Gone or HttpStatusCode.UnprocessableEntity ? Outcome.Conflict : Outcome.Error;
        }
    }
}
