using System.Data.Common;
using System.Globalization;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Search;

namespace Sas.Bench;

/// <summary>
/// The slot index under chaos (<c>--index-chaos</c>, and a short run in the test suite): two API nodes on one database,
/// bookings, holds, syncs, withdrawals and the expiry job writing through either, while the index's reads fail, wait
/// and lose their connection at random, feed rows are aged and pruned, and on PostgreSQL backends are killed. Checkers
/// ask each node, over and over, for a random search checked against the search statement in the same snapshot
/// (<see cref="IndexedSearch.CheckAsync"/>). The bar: not one mismatch.
/// </summary>
public static class IndexChaos
{
    public sealed record Result(long Checks, long Mismatches, long FailedChecks, long Writes, long Searches, long Reloads, long FaultsInjected, long BackendsKilled,
        long Rewinds, long ServerErrors, string ReloadReasons = "")
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Checks:N0} searches checked against the statement, {Mismatches} mismatches ({FailedChecks:N0} checks failed on injected faults); {Searches:N0} plain searches, {Writes:N0} writes answered, {Reloads} reloads ({ReloadReasons}), {FaultsInjected:N0} faults injected, {BackendsKilled:N0} backends killed, {Rewinds} rewinds of the database, {ServerErrors} answers 5xx other than 503");
    }

    /// <summary>Random faults in the index's reads: a few percent fail, some wait; for one node.</summary>
    private sealed class ChaosHooks(int seed, double failShare) : SlotIndexHooks
    {
        private readonly Random random = new(seed);
        private long injected;

        public long Injected => Interlocked.Read(ref injected);
        public volatile bool Calm;

        public override async ValueTask BeforeReadAsync(IndexRead read)
        {
            if (Calm) return;
            double roll;
            lock (random) roll = random.NextDouble();
            if (roll < failShare)
            {
                Interlocked.Increment(ref injected);
                throw new IOException($"chaos: the {read} read failed");
            }
            if (roll < failShare * 3) await Task.Delay(TimeSpan.FromMilliseconds(roll * 400));
        }
    }

    private const string AdminKey = "chaos-bootstrap-admin-key-0123456789";

    /// <summary>
    /// On <paramref name="connectionString"/>'s database; on PostgreSQL without one, on a cluster of the run's own (from
    /// this machine's server binaries), which the run takes back in time as a failover does. A server given is not
    /// rewound: the run does not own it.
    /// </summary>
    public static async Task<Result> RunAsync(DatabaseProvider provider, string? connectionString, TimeSpan duration, int seed, TextWriter log)
    {
        if (connectionString is not null)
        {
            await using var copy = provider == DatabaseProvider.Sqlite ? new SqliteRewind(connectionString) : null;
            return await RunAsync(provider, connectionString, duration, seed, log, copy);
        }
        if (provider != DatabaseProvider.PostgreSql) throw new ArgumentNullException(nameof(connectionString), "Only PostgreSQL runs on a cluster of its own.");
        using var cluster = new ThrowawayPostgres.Cluster(maxConnections: 300);
        var own = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "sas_chaos", MaxPoolSize = 50, Timeout = 30 }.ConnectionString;
        return await RunAsync(provider, own, duration, seed, log, new ClusterRewind(cluster));
    }

    /// <summary>
    /// Issue #28's defect 3: the database taken back to an earlier copy while the nodes run — a failover to a replica
    /// that lagged, or a file restored — so that changes a node applied are gone and positions it read past are handed
    /// out again. The nodes must notice and read their index anew.
    /// </summary>
    private abstract class DatabaseRewind : IAsyncDisposable
    {
        /// <summary>The wait before the next copy is kept.</summary>
        public abstract TimeSpan Pause(Random r);

        public abstract Task KeepAsync();
        public abstract Task RewindAsync();
        public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The server stopped for a copy of its data folder, later crashed and started from it.</summary>
    private sealed class ClusterRewind(ThrowawayPostgres.Cluster cluster) : DatabaseRewind
    {
        /// <summary>Each copy and each rewind restarts the server, seconds of the run: one of each in the suite's 25 s.</summary>
        public override TimeSpan Pause(Random r) => TimeSpan.FromMilliseconds(r.Next(15_000, 25_000));

        public override Task KeepAsync() => Task.Run(cluster.Keep);
        public override Task RewindAsync() => Task.Run(cluster.Rewind);
    }

    /// <summary>SQLite's online backup, into a file of its own and later back over the live database.</summary>
    private sealed class SqliteRewind(string connectionString) : DatabaseRewind
    {
        private readonly string kept = Path.Combine(Path.GetTempPath(), $"sas-chaos-kept-{Guid.NewGuid():N}.db");

        public override TimeSpan Pause(Random r) => TimeSpan.FromMilliseconds(r.Next(2000, 4000));

        private string Kept => new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = kept, Pooling = false }.ToString();

        public override Task KeepAsync() => CopyAsync(connectionString, Kept);
        public override Task RewindAsync() => CopyAsync(Kept, connectionString);

        /// <summary>The whole copy in one step, which needs the destination's write lock: tried again while a writer holds it.</summary>
        private static async Task CopyAsync(string from, string to)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var source = new Microsoft.Data.Sqlite.SqliteConnection(from);
                    await using var destination = new Microsoft.Data.Sqlite.SqliteConnection(to);
                    await source.OpenAsync();
                    await destination.OpenAsync();
                    source.BackupDatabase(destination);
                    return;
                }
                catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < 100) // SQLITE_BUSY, SQLITE_LOCKED
                {
                    await Task.Delay(20);
                }
            }
        }

        public override ValueTask DisposeAsync()
        {
            foreach (var file in new[] { kept, kept + "-wal", kept + "-shm" }) File.Delete(file);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<Result> RunAsync(DatabaseProvider provider, string connectionString, TimeSpan duration, int seed, TextWriter log, DatabaseRewind? rewind)
    {
        var hooks = new[] { new ChaosHooks(seed, 0.02), new ChaosHooks(seed + 1, 0.02) };
        var settings = new Dictionary<string, string?> { ["Search:ShadowShare"] = "0", ["Search:VerifyMinutes"] = "2" };
        var nodes = new List<ApiHost>();
        await using var postgres = provider == DatabaseProvider.PostgreSql ? await PostgresAsDeployed.StartAsync(connectionString, AdminKey) : null;
        foreach (var h in hooks)
            nodes.Add(await ApiHost.StartAsync(provider, postgres?.NodeLogin ?? connectionString, AdminKey, "NORMAL", s => s.AddSingleton<SlotIndexHooks>(h), settings));
        try
        {
            return await RunAsync(provider, connectionString, nodes, hooks, rewind, duration, seed, log);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    /// <summary>
    /// PostgreSQL as docs/deployment.md runs it, and as a busy cluster is: the schema made once by its owner, the nodes
    /// on a login with read and write rights only (issue #28's defect 7: the feed's triggers must not need more), and a
    /// transaction left open in another database most of the time (20 s out of 22), which holds the cluster's xmin back (defect 5: the
    /// nodes must still read only what is new, not reload on every read; nor on every read after a prune).
    /// </summary>
    private sealed class PostgresAsDeployed : IAsyncDisposable
    {
        private readonly string owner;
        private readonly string role;

        // The owner's own connections unpooled: the run kills backends, and a pooled one could be handed back dead.
        private PostgresAsDeployed(string owner, string role, string login) =>
            (this.owner, this.role, NodeLogin) = (new Npgsql.NpgsqlConnectionStringBuilder(owner) { Pooling = false }.ConnectionString, role, login);

        public string NodeLogin { get; }

        public static async Task<PostgresAsDeployed> StartAsync(string owner, string adminKey)
        {
            await (await ApiHost.StartAsync(DatabaseProvider.PostgreSql, owner, adminKey)).DisposeAsync(); // the owner's one start: the schema
            var role = $"sas_chaos_{Guid.NewGuid():N}"[..26];
            var deployed = new PostgresAsDeployed(owner, role, await ReadWriteLogin.CreateAsync(owner, role, "chaos-rw"));
            deployed.idling = deployed.IdleAsync(deployed.stop.Token);
            return deployed;
        }

        private readonly CancellationTokenSource stop = new();
        private Task idling = Task.CompletedTask;

        /// <summary>
        /// A session in another database that holds a transaction open 20 s out of 22, with more changes than one
        /// catch-up applies written behind it: the cluster's oldest running transaction stays behind thousands of the
        /// feed's rows (re-reading them all on every read reloads every time), and in the seconds between, the prune can
        /// reach the rows the run ages.
        /// </summary>
        private async Task IdleAsync(CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    // A new session each time: a rewind of the cluster ends the last one.
                    await using var elsewhere = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(owner) { Database = "postgres" }.ConnectionString);
                    await elsewhere.OpenAsync(ct);
                    await using var open = await elsewhere.BeginTransactionAsync(ct);
                    await elsewhere.ExecuteScalarAsync<string>("SELECT pg_current_xact_id()::text", transaction: open);
                    // A busy cluster meanwhile: more changes than one catch-up applies, behind the idle transaction.
                    await using (var c = new Npgsql.NpgsqlConnection(owner))
                    {
                        await c.OpenAsync(ct);
                        await c.ExecuteAsync($"INSERT INTO slot_changes (slot_id) SELECT id FROM slots CROSS JOIN generate_series(1, 100) LIMIT {Sas.Api.Search.SlotFeed.MaxChanges + 1}");
                    }
                    await Task.Delay(TimeSpan.FromSeconds(20), ct);
                    await open.CommitAsync(CancellationToken.None);
                    await Task.Delay(TimeSpan.FromSeconds(2), ct);
                }
                catch (OperationCanceledException) { return; }
                catch (DbException) // killed with the others, or the cluster rewound: the next round writes it
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await idling;
            await using var c = new Npgsql.NpgsqlConnection(owner);
            await c.OpenAsync();
            await c.ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    private static async Task<Result> RunAsync(DatabaseProvider provider, string connectionString, List<ApiHost> nodes, ChaosHooks[] hooks, DatabaseRewind? rewind,
        TimeSpan duration, int seed, TextWriter log)
    {
        var http = nodes.Select(n => new HttpClient { BaseAddress = new Uri(n.Url), DefaultRequestHeaders = { { "X-Api-Key", AdminKey } } }).ToArray();
        foreach (var h in hooks) h.Calm = true;
        var (sectors, gps) = await SeedAsync(http[0], seed);
        foreach (var h in hooks) h.Calm = false;

        long writes = 0, searches = 0, checks = 0, failedChecks = 0, killed = 0, rewinds = 0, serverErrors = 0;
        var bookings = new System.Collections.Concurrent.ConcurrentQueue<string>(); // made, to be cancelled
        using var stop = new CancellationTokenSource(duration);
        var token = stop.Token;
        var db = nodes.Select(n => n.Services.GetRequiredService<Db>()).ToArray();
        var indexes = nodes.Select(n => n.Services.GetRequiredService<IndexedSearch>()).ToArray();
        var stores = nodes.Select(n => n.Services.GetRequiredService<SearchStore>()).ToArray();
        var fhir = nodes.Select(n => n.Services.GetRequiredService<Sas.Api.Fhir.FhirSlotStore>()).ToArray();
        var mismatchesBefore = indexes.Sum(i => i.Mismatches);
        var quiet = new bool[2]; // a node neither searched nor checked for a while

        async Task Loop(Func<Random, Task> step, int worker)
        {
            var random = new Random(seed * 100 + worker);
            while (!token.IsCancellationRequested)
            {
                try { await step(random); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or DbException or IOException or StorageUnavailableException) { }
            }
        }

        // A write counts when the node answered it (a 409 too); a 503 says the database could not answer (it was down or
        // rewound); any other 5xx is a defect: a database fault must never answer 500 (issue #28's item 8).
        void Answered(HttpResponseMessage response)
        {
            using (response) Count(response);
        }
        void Count(HttpResponseMessage response)
        {
            if ((int)response.StatusCode < 500) Interlocked.Increment(ref writes);
            else ServerError(response);
        }
        void ServerError(HttpResponseMessage response)
        {
            if ((int)response.StatusCode >= 500 && response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable) Interlocked.Increment(ref serverErrors);
        }

        SearchQuery Query(Random random)
        {
            var now = DateTime.UtcNow;
            var picked = sectors.Where(_ => random.Next(2) == 0).DefaultIfEmpty(sectors[0]).Select(s => new SectorBound(s, now.AddHours(random.Next(1, 30)))).ToList();
            return new SearchQuery(picked, now.AddMinutes(random.Next(0, 120)), now, random.Next(2) == 0 ? "chaos-a" : "chaos-b",
                random.Next(4) == 0 ? (Sas.Domain.Slots.Modality)random.Next(3) : null, null, random.Next(1, 40));
        }

        var tasks = new List<Task>
        {
            // Holds on random slots, through either node, then booked with the hold or released (a hold left to expire
            // would outlast the run: the slots would stay held, the feed still); and the bookings cancelled, which frees
            // their slots to be held again.
            Loop(async r =>
            {
                var slot = await RandomSlotAsync(db[0], r);
                if (slot is null) return;
                var client = http[r.Next(2)];
                using var held = await client.PostAsync($"/v1/slots/{slot}/hold", null, token);
                Count(held);
                if (!held.IsSuccessStatusCode) return;
                var holdId = (await held.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(token)).GetProperty("holdId").GetString();
                if (r.Next(4) == 0)
                {
                    Answered(await http[r.Next(2)].DeleteAsync($"/v1/holds/{holdId}", token));
                    return;
                }
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/bookings") { Content = JsonContent.Create(Booking(slot.Value, holdId)) };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                using var booked = await http[r.Next(2)].SendAsync(request, token);
                Count(booked);
                if (booked.IsSuccessStatusCode) bookings.Enqueue((await booked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(token)).GetProperty("id").GetString()!);
            }, 1),
            Loop(async r =>
            {
                if (!bookings.TryDequeue(out var booking)) { await Task.Delay(20, token); return; }
                Answered(await http[r.Next(2)].PostAsJsonAsync($"/v1/bookings/{booking}/cancellation", new { by = "patient", reason = "Chaos" }, token));
            }, 4),
            // Withdrawals, and syncs that create, move and withdraw.
            Loop(async r =>
            {
                var client = http[r.Next(2)];
                if (r.Next(2) == 0 && await RandomSlotAsync(db[0], r) is { } slot) Answered(await client.DeleteAsync($"/v1/slots/{slot}", token));
                else Answered(await SyncAsync(client, gps[r.Next(gps.Count)], r, token));
            }, 2),
            // The expiry job on either node; and now and then one node goes quiet while the feed's newest rows are
            // aged past the hour and pruned: it must find out it missed them.
            Loop(async r =>
            {
                if (r.Next(3) == 0)
                {
                    var node = r.Next(2);
                    quiet[node] = true;
                    await Task.Delay(r.Next(100, 400), token);
                    await using (var c = await db[0].OpenAsync(token))
                        await c.ExecuteAsync(provider == DatabaseProvider.PostgreSql
                            ? "UPDATE slot_changes SET changed_at = now() - interval '2 hours' WHERE seq > (SELECT MAX(seq) - 30 FROM slot_changes)"
                            : "UPDATE slot_changes SET changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 hours') WHERE seq > (SELECT MAX(seq) - 30 FROM slot_changes)");
                    await nodes[r.Next(2)].Services.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>().RunAsync(token);
                    quiet[node] = false;
                }
                else await nodes[r.Next(2)].Services.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>().RunAsync(token);
                await Task.Delay(r.Next(50, 300), token);
            }, 3),
        };
        // Plain searches through the API, a regulator's and the platform's (FHIR), and the checkers.
        var rpps = gps.Select(g => g.Rpps).ToArray();
        for (var w = 0; w < 2; w++)
            tasks.Add(Loop(async r =>
            {
                var node = r.Next(2);
                if (quiet[node]) { await Task.Delay(5, token); return; }
                using var answer = await http[node].GetAsync(r.Next(4) == 0 ? Bench.FhirQuery(rpps, r) : $"/v1/slots?sector={sectors[r.Next(sectors.Count)]}&limit=20", token);
                ServerError(answer);
                Interlocked.Increment(ref searches);
            }, 10 + w));
        for (var w = 0; w < 4; w++)
        {
            var node = w % 2;
            tasks.Add(Loop(async r =>
            {
                if (quiet[node]) { await Task.Delay(5, token); return; }
                try
                {
                    if (r.Next(4) == 0)
                    {
                        // The FHIR query's way in: some GPs' free slots from a day's window.
                        var now = DateTime.UtcNow;
                        var some = gps.Where(_ => r.Next(3) == 0).Select(g => g.Rpps).DefaultIfEmpty(gps[0].Rpps).ToList();
                        var (from, to) = (now.AddMinutes(r.Next(0, 60)), now.AddHours(r.Next(2, 30)));
                        await indexes[node].CheckFreeSlotsAsync(some, from, to, now, c => fhir[node].StatementAsync(c, some, from, to, now, CancellationToken.None), token);
                    }
                    else await indexes[node].CheckAsync(Query(r), (c, q) => stores[node].StatementAsync(c, q, CancellationToken.None), token);
                    Interlocked.Increment(ref checks);
                }
                catch (Exception e) when (e is DbException or IOException or StorageUnavailableException)
                {
                    Interlocked.Increment(ref failedChecks);
                }
            }, 20 + w));
        }
        if (provider == DatabaseProvider.PostgreSql)
            tasks.Add(Loop(async r =>
            {
                await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
                await admin.OpenAsync(token);
                var name = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database;
                killed += await admin.ExecuteScalarAsync<long>(
                    $"SELECT COUNT(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid() ORDER BY random() LIMIT 1) AS one");
                await Task.Delay(r.Next(100, 500), token);
            }, 30));

        if (rewind is not null)
            tasks.Add(Loop(async r =>
            {
                // A copy kept, a few seconds of writes, then the database taken back to it while one node is quiet: the
                // other's writes meanwhile take positions the quiet one had read past.
                await Task.Delay(Interlocked.Read(ref rewinds) == 0 ? TimeSpan.FromMilliseconds(r.Next(2000, 4000)) : rewind.Pause(r), token);
                await rewind.KeepAsync();
                await Task.Delay(r.Next(3000, 5000), token);
                var node = r.Next(2);
                quiet[node] = true;
                await rewind.RewindAsync();
                await Task.Delay(r.Next(300, 800), token);
                quiet[node] = false;
                Interlocked.Increment(ref rewinds);
            }, 40));

        var progress = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(30), token); } catch (OperationCanceledException) { break; }
                log.WriteLine($"  {Interlocked.Read(ref checks):N0} checked, {indexes.Sum(i => i.Mismatches) - mismatchesBefore} mismatches, {Interlocked.Read(ref writes):N0} writes");
            }
        });
        await Task.WhenAll(tasks);
        await progress;
        foreach (var client in http) client.Dispose();
        var reasons = indexes.SelectMany(i => i.ReloadsByReason).GroupBy(r => r.Key).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Sum(r => r.Value)}");
        return new Result(checks, indexes.Sum(i => i.Mismatches) - mismatchesBefore, failedChecks, writes, searches, indexes.Sum(i => i.Reloads),
            hooks.Sum(h => h.Injected), killed, rewinds, serverErrors, string.Join(", ", reasons));
    }

    private static object Booking(long slot, string? holdId) => new
    {
        slotId = slot, holdId, reason = "Chaos", regularDoctor = "has", regularDoctorContacted = true, origin = "sas",
        requestedAt = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        patient = new { lastName = "Chaos", firstName = "Test", birthDate = "1980-01-01", phone = "0612345678", commune = "44109" },
    };

    private static async Task<long?> RandomSlotAsync(Db db, Random r)
    {
        await using var c = await db.OpenAsync();
        var ids = (await c.QueryAsync<long>("SELECT id FROM slots WHERE status IN ('available', 'held') AND start_utc > @now", new { now = DateTime.UtcNow.AddMinutes(15) })).AsList();
        return ids.Count == 0 ? null : ids[r.Next(ids.Count)];
    }

    /// <summary>The next six hours of a GP, as practice software sends them: some slots kept, some moved, some new, the rest withdrawn.</summary>
    private static async Task<HttpResponseMessage> SyncAsync(HttpClient client, (string Rpps, string Sector) gp, Random r, CancellationToken ct)
    {
        var from = DateTime.UtcNow.AddMinutes(20);
        from = new DateTime(from.Year, from.Month, from.Day, from.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);
        var slots = Enumerable.Range(0, 12).Where(_ => r.Next(3) != 0).Select(i =>
        {
            var start = from.AddMinutes(30 * i + (r.Next(4) == 0 ? 5 : 0));
            return new { start = Wire(start), end = Wire(start.AddMinutes(20)), sector = gp.Sector, site = "cab", modality = r.Next(5) == 0 ? "teleconsultation" : "in_person", externalId = $"s{i}" };
        }).ToList();
        return await client.PutAsJsonAsync($"/v1/practitioners/{gp.Rpps}/slots?from={Uri.EscapeDataString(Wire(from))}&to={Uri.EscapeDataString(Wire(from.AddHours(6)))}", new { slots }, ct);
    }

    private static async Task Ok(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"seeding {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static string Wire(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Three sectors of Nantes, eight GPs across them, and a day of slots each, some starting within minutes.</summary>
    private static async Task<(List<string> Sectors, List<(string Rpps, string Sector)> Gps)> SeedAsync(HttpClient admin, int seed)
    {
        var run = $"{seed % 1000:D3}{DateTime.UtcNow.Ticks / 10_000 % 1000:D3}";
        var sectors = new List<string>();
        foreach (var (i, commune) in new[] { "44109", "44162", "44143" }.Index())
        {
            var code = $"CH-{run}-{i}";
            await Ok(await admin.PutAsJsonAsync($"/v1/sectors/{code}", new { name = code, department = "44", communes = new[] { commune }, bookingHorizonHours = 30 }));
            sectors.Add(code);
        }
        var gps = new List<(string, string)>();
        for (var g = 0; g < 8; g++)
        {
            var payload = $"5{run}{g:D3}";
            var rpps = payload + Sas.Domain.Identifiers.Luhn.CheckDigit(payload);
            var sector = sectors[g % 3];
            await Ok(await admin.PutAsJsonAsync($"/v1/practitioners/{rpps}", new
            {
                firstName = "Chaos", lastName = $"Docteur{g}", sectors = new[] { sector }, overflowPerDay = 0,
                sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue du Test", commune = "44109", postalCode = "44000", siret = "73282932000074" } },
            }));
            gps.Add((rpps, sector));
            var now = DateTime.UtcNow;
            for (var k = 0; k < 16; k++)
            {
                var start = now.AddMinutes(2 + 45 * k + g);
                await Ok(await admin.PostAsJsonAsync($"/v1/practitioners/{rpps}/slots", new
                {
                    start = Wire(start), end = Wire(start.AddMinutes(15)), sector, site = "cab", modality = k % 4 == 0 ? "home_visit" : "in_person",
                }));
            }
        }
        return (sectors, gps);
    }
}
