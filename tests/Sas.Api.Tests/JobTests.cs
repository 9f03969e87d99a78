using System.Net;
using System.Reflection;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sas.Api.Jobs;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class JobTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    private Task<int> Expire() => api.Services.GetRequiredService<SlotExpiryJob>().RunAsync(CancellationToken.None);

    [Fact]
    public void Recurring_jobs_are_registered_with_explicit_ids_schedules_and_time_zones()
    {
        _ = api.CreateClient();
        using var connection = api.Services.GetRequiredService<JobStorage>().GetConnection();
        var jobs = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        Assert.Equal(["idempotency:expire", "notifications:dispatch", "patients:purge", "requests:expire", "rules:make-slots", "sessions:expire", "slots:expire", "stats:aggregate", "stats:recompute"], jobs.Keys.Order());
        Assert.Equal("47 * * * *", jobs["sessions:expire"].Cron);
        Assert.Equal("7 * * * *", jobs["rules:make-slots"].Cron);
        Assert.Equal("17 * * * *", jobs["idempotency:expire"].Cron);
        Assert.Equal("0 2 * * *", jobs["patients:purge"].Cron);
        Assert.Equal("Europe/Paris", jobs["patients:purge"].TimeZoneId);
        Assert.Equal("* * * * *", jobs["slots:expire"].Cron);
        Assert.Equal("* * * * *", jobs["notifications:dispatch"].Cron);
        Assert.Equal("*/5 * * * *", jobs["stats:aggregate"].Cron);
        Assert.Equal("30 3 * * *", jobs["stats:recompute"].Cron);
        Assert.Equal("Europe/Paris", jobs["stats:recompute"].TimeZoneId);
        Assert.All(jobs.Values.Where(j => j.Id is not ("stats:recompute" or "patients:purge")), j => Assert.Equal("UTC", j.TimeZoneId));
        Assert.Equal(JobsSetup.DeliveriesQueue, jobs["notifications:dispatch"].Job.Queue);
        Assert.All(jobs.Values.Where(j => j.Id != "notifications:dispatch"), j => Assert.Equal(JobsSetup.MaintenanceQueue, j.Job.Queue ?? JobsSetup.MaintenanceQueue));
    }

    /// <summary>Stands in for a dispatch run stuck on a receiver: it holds its worker until released.</summary>
    public static class StuckDelivery
    {
        public static readonly SemaphoreSlim Release = new(0);

        public static void Run() => Release.Wait(TimeSpan.FromMinutes(2));
    }

    /// <summary>
    /// Deliveries have workers of their own: with every one of them held by a receiver, the slot expiry (and every other
    /// maintenance job) still runs, and the dispatch asked for meanwhile waits in the deliveries queue, then runs. On a real
    /// Hangfire server; Hangfire keeps its own time, so this waits (at most 60 s) for its workers.
    /// </summary>
    [Fact]
    public async Task Maintenance_jobs_run_while_every_delivery_worker_is_held_by_a_receiver()
    {
        using var node = new JobNode();
        _ = node.CreateClient();
        var storage = node.Services.GetRequiredService<JobStorage>();
        var client = new BackgroundJobClient(storage);
        var stuck = Enumerable.Range(0, 2).Select(_ => client.Enqueue(JobsSetup.DeliveriesQueue, () => StuckDelivery.Run())).ToList();
        try
        {
            await Until(() => stuck.All(id => State(storage, id) == "Processing"), "the stuck deliveries to start", node);
            node.Services.GetRequiredService<DispatchTrigger>().Now();
            var expiry = client.Enqueue<SlotExpiryJob>(j => j.RunAsync(CancellationToken.None));
            await Until(() => State(storage, expiry) == "Succeeded", "the expiry to run", node);
            // The dispatch waits its turn (with the every-minute one, when a minute turned meanwhile).
            Assert.InRange(storage.GetMonitoringApi().EnqueuedCount(JobsSetup.DeliveriesQueue), 1, 2);
        }
        finally { StuckDelivery.Release.Release(2); }
        await Until(() => storage.GetMonitoringApi().EnqueuedCount(JobsSetup.DeliveriesQueue) == 0 && storage.GetMonitoringApi().ProcessingCount() == 0,
            "the dispatch to run once the deliveries' workers are free", node);
    }

    private static string? State(JobStorage storage, string id)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(id)?.Name;
    }

    /// <summary>Waits (real time) for Hangfire; when it gives up, says what the node's job servers logged meanwhile.</summary>
    private static async Task Until(Func<bool> condition, string what, JobNode node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"waited 60 s for {what}; the node logged:\n" +
                    string.Join("\n", node.Logs.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => e.ToString()).TakeLast(40)));
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData(typeof(SlotExpiryJob), "RunAsync")]
    [InlineData(typeof(NotificationDispatchJob), "RunAsync")]
    [InlineData(typeof(Sas.Api.Reports.StatsJob), "IncrementalAsync")]
    [InlineData(typeof(Sas.Api.Reports.StatsJob), "NightlyAsync")]
    [InlineData(typeof(Sas.Api.Privacy.PatientPurgeJob), "RunAsync")]
    [InlineData(typeof(Sas.Api.Console.SessionExpiryJob), "RunAsync")]
    public void Job_methods_state_their_retry_count(Type job, string method)
    {
        var retry = job.GetMethod(method)!.GetCustomAttribute<AutomaticRetryAttribute>();
        Assert.NotNull(retry);
        Assert.Equal(3, retry.Attempts);
    }

    [Fact]
    public void An_api_only_node_runs_no_job_server_and_a_job_node_does()
    {
        Assert.DoesNotContain(api.Services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("BackgroundJobServer", StringComparison.Ordinal));
        using var jobNode = new JobNode();
        _ = jobNode.CreateClient();
        Assert.Contains(jobNode.Services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("BackgroundJobServer", StringComparison.Ordinal));
    }

    private sealed class JobNode : SasApiFactory
    {
        public LogCapture Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(l => l.AddProvider(Logs));
        }

        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            KeyValuePair.Create<string, string?>("Jobs:Enabled", "true"),
            KeyValuePair.Create<string, string?>("Jobs:DeliveryWorkers", "2"),
            KeyValuePair.Create<string, string?>("Jobs:MaintenanceWorkers", "1"),
        ];
    }

    [Fact]
    public async Task The_dashboard_is_for_admins_only()
    {
        await (await api.Anonymous().GetAsync("/jobs")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        var regulator = await world.ClientFor("regulator", "44");
        await (await regulator.GetAsync("/jobs")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        var admin = await api.Admin().GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("SAS jobs", await admin.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unbooked_slots_whose_start_passed_expire_once_and_booked_ones_stay()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var available = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var held = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await regulator.PostAsync($"/v1/slots/{held}/hold", null)).Expect(HttpStatusCode.Created);
        var booked = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        await (await regulator.Book(BookingRequests.Body(booked, requestedAt: World.Local(api.Clock.GetUtcNow())))).Expect(HttpStatusCode.Created);
        var withdrawn = await world.PublishedSlot(rpps, TimeSpan.FromHours(1.5), sector);
        await (await api.Admin().DeleteAsync($"/v1/slots/{withdrawn}")).Expect(HttpStatusCode.NoContent);
        var later = await world.PublishedSlot(rpps, TimeSpan.FromHours(6), sector);

        api.Clock.Advance(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1));
        Assert.True(await Expire() >= 2);
        Assert.Equal(0, await Expire()); // the second run finds nothing

        string Status(long id) => (string)api.Rows("SELECT status FROM slots WHERE id = @id", new { id }).Single().status;
        Assert.Equal("expired", Status(available));
        Assert.Equal("expired", Status(held));
        Assert.Equal("booked", Status(booked));
        Assert.Equal("withdrawn", Status(withdrawn));
        Assert.Equal("available", Status(later));
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'slot.expired' AND slot_id = @available", new { available }));
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'slot.expired' AND slot_id = @booked", new { booked }));
    }

    [Fact]
    public async Task Expiry_works_in_batches_and_two_runs_at_once_expire_each_slot_once()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var from = api.Clock.GetUtcNow().AddHours(1);
        var slots = Enumerable.Range(0, 1500).Select(i => new
        {
            start = from.AddMinutes(5 * i).ToString("o"), end = from.AddMinutes(5 * i + 5).ToString("o"),
            sector, site = "cab", modality = "in_person", externalId = $"b{i}",
        }).ToList();
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}/slots?from={World.Instant(from)}&to={World.Instant(from.AddDays(7))}", new { slots })).Expect(HttpStatusCode.OK);
        api.Clock.Advance(TimeSpan.FromDays(7));

        var runs = await Task.WhenAll(Task.Run(Expire), Task.Run(Expire));
        Assert.True(runs.Sum() >= 1500);
        Assert.Equal(1500, api.Count("SELECT COUNT(*) FROM slots WHERE rpps = @rpps AND status = 'expired'", new { rpps }));
        Assert.Equal(1500, api.Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'slot.expired' AND rpps = @rpps", new { rpps }));
    }
}
