#if SAS_TEST_POSTGRES
using System.Net;
using Npgsql;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.MultiNode;

/// <summary>
/// Two nodes on a PostgreSQL server of their own, with its default 100 connections: the database's own failures (too
/// many clients, killed backends) answer 503 storage_unavailable and a retry, never 500.
/// </summary>
public sealed class DatabaseFaultTests : IDisposable
{
    private sealed class Node(string connectionString) : SasApiFactory
    {
        public override string ConnectionString => connectionString;
    }

    private readonly Sas.Bench.ThrowawayPostgres.Cluster server = new();
    private readonly string database;
    private readonly Node one, two;

    public DatabaseFaultTests()
    {
        // No pool size in the connection string: each node's own bound applies (Database:MaxPoolSize).
        database = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = $"sas_{Guid.NewGuid():N}" }.ConnectionString;
        one = new Node(database);
        two = new Node(database);
        _ = one.Server;
        _ = two.Server;
    }

    public void Dispose()
    {
        one.Dispose();
        two.Dispose();
        NpgsqlConnection.ClearAllPools();
        server.Dispose();
    }

    [Fact]
    public async Task A_thousand_bookings_at_once_through_two_nodes_are_booked_or_refused_never_500()
    {
        var world = new World(one);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var keys = new[] { await world.KeyFor("regulator", sector), await world.KeyFor("regulator", sector) };
        var slots = new List<long>();
        for (var i = 0; i < 20; i++) slots.Add(await world.PublishedSlot(rpps, TimeSpan.FromMinutes(60 + 30 * i), sector));
        var clients = new[] { one.WithKey(keys[0]), two.WithKey(keys[1]), one.WithKey(keys[1]), two.WithKey(keys[0]) };

        var answers = await Races.AllAtOnce(1000, i => clients[i % 4].Book(BookingRequests.Body(slots[i % 20]), key: $"race-{i}"));

        var unexpected = answers.Where(a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.Conflict)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} answers other than 201 and 409, e.g. {unexpected.FirstOrDefault().Status}: {unexpected.FirstOrDefault().Body}");
        Assert.Equal(20, answers.Count(a => a.Status == HttpStatusCode.Created));
    }

    /// <summary>Backends killed under searches and holds, and the server restarted: 200, 201, 409 or 503, never 500.</summary>
    [Fact]
    public async Task Killed_backends_and_a_restart_answer_503_at_worst()
    {
        var world = new World(one);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var key = await world.KeyFor("regulator", sector);
        var slots = new List<long>();
        for (var i = 0; i < 40; i++) slots.Add(await world.PublishedSlot(rpps, TimeSpan.FromMinutes(60 + 30 * i), sector));
        var clients = new[] { one.WithKey(key), two.WithKey(key) };
        var name = new NpgsqlConnectionStringBuilder(database).Database;

        using var stop = new CancellationTokenSource();
        var killer = Task.Run(async () =>
        {
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                await using var kill = new NpgsqlCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()", admin);
                await kill.ExecuteNonQueryAsync();
                await Task.Delay(50);
            }
        });
        var statuses = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, string Body)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var client = clients[i % 2];
            var answer = i % 4 == 0
                ? await client.PostAsync($"/v1/slots/{slots[i % 40]}/hold", null)
                : await client.GetAsync($"/v1/slots?sector={sector}");
            statuses.Add((answer.StatusCode, await answer.Content.ReadAsStringAsync()));
        });
        await stop.CancelAsync();
        await killer;

        server.Restart();
        for (var i = 0; i < 20; i++)
        {
            var answer = await clients[i % 2].GetAsync($"/v1/slots?sector={sector}");
            statuses.Add((answer.StatusCode, await answer.Content.ReadAsStringAsync()));
        }

        var errors = statuses.Where(s => (int)s.Status >= 500 && s.Status != HttpStatusCode.ServiceUnavailable).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} answers of 5xx other than 503, e.g. {errors.FirstOrDefault().Body}");
        Assert.All(statuses.Where(s => s.Status == HttpStatusCode.ServiceUnavailable), s => Assert.Contains("storage_unavailable", s.Body));
        Assert.Contains(statuses, s => s.Status == HttpStatusCode.OK); // it kept answering
    }
}
#endif
