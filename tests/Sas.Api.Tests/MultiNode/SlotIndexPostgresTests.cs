#if SAS_TEST_POSTGRES
using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sas.Api.Search;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.MultiNode;

/// <summary>
/// Alone in the cluster: a transaction of a test running in parallel (in its own database) is in every snapshot, so a
/// node that read while it ran may not know whether the prune removed rows of it, and reads again (see the prune test).
/// </summary>
[CollectionDefinition(nameof(ClusterWideCollection), DisableParallelization = true)]
public sealed class ClusterWideCollection;

/// <summary>The slot index on what only PostgreSQL has: other transactions in the cluster, and logins with fewer rights.</summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class SlotIndexPostgresTests
{
    private sealed class Host(string? connectionString = null) : SasApiFactory
    {
        public override string ConnectionString => connectionString ?? base.ConnectionString;

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Search:VerifyMinutes", "10080"), new("Search:CheckAfterReload", "false")];
    }

    /// <summary>
    /// A transaction left open elsewhere in the cluster (another database, an idle session) does not make every read of
    /// the feed read again everything since it began: 5,001 changes are read once (more than a catch-up applies: one
    /// reload), and the searches after read only what is new.
    /// </summary>
    [Fact]
    public async Task A_long_transaction_elsewhere_does_not_make_every_search_read_everything_again()
    {
        using var api = new Host();
        var world = new World(api);
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);

        await using var idle = new NpgsqlConnection(api.ConnectionString);
        await idle.OpenAsync();
        await using var open = await idle.BeginTransactionAsync();
        await idle.ExecuteScalarAsync<long>("SELECT pg_current_xact_id()::text::bigint", transaction: open); // it holds an id, and the cluster's xmin
        using (var c = api.OpenDb())
            c.Execute("""
                INSERT INTO slots (rpps, sector_code, site_id, start_utc, end_utc, modality, status, created_at, updated_at)
                SELECT @rpps, @sector, 'cab', now() + (g * interval '10 minutes') + interval '3 days', now() + (g * interval '10 minutes') + interval '3 days 5 minutes',
                       'in_person', 'available', now(), now()
                  FROM generate_series(1, 5001) AS g
                """, new { rpps, sector });
        var index = api.Services.GetRequiredService<IndexedSearch>();
        var reloads = index.Reloads;

        for (var i = 0; i < 10; i++) await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);

        Assert.True(index.Reloads - reloads <= 1, $"{index.Reloads - reloads} reloads for 10 searches");
    }

    /// <summary>
    /// A session idle in a transaction elsewhere in the cluster while the expiry job prunes the feed's old rows: the rows
    /// of later transactions stay until it ends (a node's position is as low as that session), so the searches after the
    /// prune read only what is new. Pruning them made every search after every prune a gap, and a whole read (the
    /// index chaos run found 3,662 reloads in 25 s).
    /// </summary>
    [Fact]
    public async Task A_session_idle_elsewhere_while_the_feed_is_pruned_does_not_make_every_search_read_everything_again()
    {
        using var api = new Host();
        var world = new World(api);
        var sector = await world.Sector(horizon: 168);
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);

        await using var idle = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(api.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await idle.OpenAsync();
        await using var open = await idle.BeginTransactionAsync();
        await idle.ExecuteScalarAsync<long>("SELECT pg_current_xact_id()::text::bigint", transaction: open);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        using (var c = api.OpenDb()) c.Execute("UPDATE slot_changes SET changed_at = now() - interval '2 hours'"); // as if it idled for two hours
        // The node reads just before the prune: a transaction elsewhere that ran at its read and ended before the prune
        // (which the feed's age, made up here, turns into a long one) would leave it unsure, and it would read again.
        Assert.Equal([slot], SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        await api.Services.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>().RunAsync(CancellationToken.None);
        var index = api.Services.GetRequiredService<IndexedSearch>();
        var reloads = index.Reloads;

        for (var i = 0; i < 10; i++) Assert.Equal([slot], SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));

        Assert.True(index.Reloads == reloads, $"read again ({index.LastReloadReason})");
        Assert.True(api.Count("SELECT COUNT(*) FROM slot_changes WHERE slot_id = @slot", new { slot }) > 0, "the row of a transaction later than the idle one was pruned");
    }

    /// <summary>
    /// A node running with read and write rights on the tables, as docs/deployment.md grants them, and no right on the
    /// feed's sequence (the feed's ids are its only serial numbers, the only ones table rights do not cover): its
    /// bookings still write the feed, whose triggers run as their owner.
    /// </summary>
    [Fact]
    public async Task A_login_without_rights_on_the_feed_still_books_and_searches()
    {
        var database = PostgresServer.CreateDatabase();
        var role = $"sas_rw_{Guid.NewGuid():N}"[..24];
        try
        {
            var login = await Sas.Bench.ReadWriteLogin.CreateAsync(database, role, "rw-password");
            using var api = new Host(login);
            var world = new World(api);
            var sector = await world.Sector();
            var rpps = await world.Practitioner([sector]);
            var regulator = await world.ClientFor("regulator", sector);
            var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
            Assert.Equal([slot], SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
            await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created);
            Assert.Empty(SearchTests.Ids(await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)));
        }
        finally
        {
            PostgresServer.DropDatabase(database);
            await using var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Database = "postgres" }.ConnectionString);
            await server.OpenAsync();
            await server.ExecuteAsync($"DROP ROLE IF EXISTS {role}");
        }
    }

    /// <summary>What PostgreSQL's positions say after a failover or a restart, and after a prune past them.</summary>
    [Fact]
    public void A_feed_that_restarted_went_back_or_lost_rows_to_the_prune_is_a_gap()
    {
        var since = new FeedPosition(1000, [990, 995], 42);
        Assert.Null(SlotFeed.Gap(since, new FeedRead(new FeedPosition(1010, [], 42), [], 989)));
        Assert.Equal("pruned", SlotFeed.Gap(since, new FeedRead(new FeedPosition(1010, [], 42), [], 990)));
        Assert.Equal("restarted", SlotFeed.Gap(since, new FeedRead(new FeedPosition(1010, [], 43), [], 0)));
        Assert.Equal("went back", SlotFeed.Gap(since, new FeedRead(new FeedPosition(900, [], 42), [], 0)));
    }
}
#endif
