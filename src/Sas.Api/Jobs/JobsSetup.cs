using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.SqlServer;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Notifications;

namespace Sas.Api.Jobs;

/// <summary>
/// Hangfire: on a server engine its storage is in the same database (several nodes share it), in-memory with SQLite.
/// Durable state is in our own tables (slot status, outbox, deliveries), so losing Hangfire's
/// in-memory queue loses nothing that the next recurring run does not redo.
/// <c>Jobs:Enabled=false</c> makes an API-only node: it can enqueue, it runs nothing.
/// Deliveries (webhooks, the SAS platform) have a queue and workers of their own: receivers are outside our control,
/// and however slow they are, the expiry, the statistics and the purge never wait behind them.
/// </summary>
public static class JobsSetup
{
    /// <summary>The queue of <see cref="NotificationDispatchJob"/>, served by its own workers.</summary>
    public const string DeliveriesQueue = "deliveries";

    /// <summary>Every other job's queue (Hangfire's default).</summary>
    public const string MaintenanceQueue = "default";

    /// <summary>Every recurring job: id, cron, time zone. Retry counts are on the job methods.</summary>
    public static readonly (string Id, string Cron, TimeZoneInfo TimeZone)[] Schedule =
    [
        (SlotExpiryJob.Id, SlotExpiryJob.Cron, TimeZoneInfo.Utc),
        (NotificationDispatchJob.Id, NotificationDispatchJob.Cron, TimeZoneInfo.Utc),
        (Reports.StatsJob.IncrementalId, Reports.StatsJob.IncrementalCron, TimeZoneInfo.Utc),
        (Reports.StatsJob.NightlyId, Reports.StatsJob.NightlyCron, Sas.Domain.Time.Zones.Find(Sas.Domain.Time.Zones.Mainland)),
        (Privacy.PatientPurgeJob.Id, Privacy.PatientPurgeJob.Cron, Sas.Domain.Time.Zones.Find(Sas.Domain.Time.Zones.Mainland)),
        (Bookings.IdempotencyExpiryJob.Id, Bookings.IdempotencyExpiryJob.Cron, TimeZoneInfo.Utc),
        (Console.SessionExpiryJob.Id, Console.SessionExpiryJob.Cron, TimeZoneInfo.Utc),
        (Rules.RuleJob.Id, Rules.RuleJob.Cron, TimeZoneInfo.Utc),
        (Requests.RequestExpiryJob.Id, Requests.RequestExpiryJob.Cron, TimeZoneInfo.Utc),
    ];

    public static WebApplicationBuilder AddSasJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<Infrastructure.Security.IHeaderPolicy>(new DashboardHeaderPolicy("/jobs"));
        services.AddSingleton<Infrastructure.Security.IHeaderPolicy>(new DashboardHeaderPolicy(ConsoleDashboardPath));
        services.AddValidatedOptions<WebhookOptions>(WebhookOptions.Section)
            // A lease shorter than one send (its attempts and their waits) would let a second node send it again meanwhile.
            .Validate(o => o.Lease > o.AttemptTimeout * (o.RetriesPerRun + 1), "Webhooks:Lease must be longer than AttemptTimeout × (RetriesPerRun + 1).")
            .Validate(o => o.BackoffCap >= o.BackoffBase, "Webhooks:BackoffCap must not be shorter than BackoffBase.");
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<DeliveryClient>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookVerifier>();
        WebhookSender.AddHttpClients(services);
        services.AddTransient<SlotExpiryJob>();
        services.AddTransient<NotificationDispatchJob>();
        services.AddTransient<Privacy.PatientPurgeJob>();
        services.AddTransient<Bookings.IdempotencyExpiryJob>();
        services.AddTransient<Console.SessionExpiryJob>();
        services.AddTransient<Rules.RuleJob>();
        services.AddTransient<Requests.RequestExpiryJob>();
        services.AddSingleton<DispatchTrigger>();

        // The storage is a DI singleton, registered before AddHangfire (which only adds one if missing), and
        // never Hangfire's static JobStorage.Current: two hosts in one process (tests) must not share a queue.
        services.AddSingleton<JobStorage>(sp =>
        {
            var db = sp.GetRequiredService<DatabaseOptions>();
            // A worker may hold a connection for its job's length: one each, and a few for the schedulers and heartbeats.
            var workers = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsOptions>>().Value;
            var connections = db.JobsConnectionString(workers.DeliveryWorkers + workers.MaintenanceWorkers + 5);
            // On a server engine every node shares the queues, the recurring jobs and the distributed locks.
            return db.Provider switch
            {
                DatabaseProvider.SqlServer => new SqlServerStorage(connections, new SqlServerStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true }),
                // Workers poll the queue every second (the package's default is 15 s): a booking's webhooks leave within
                // about a second of the dispatch it enqueues, as with SQL Server's storage.
                DatabaseProvider.PostgreSql => new PostgreSqlStorage(
                    new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connections, PostgresJobOptions),
                    PostgresJobOptions),
                _ => new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromHours(6) }),
            };
        });
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddValidatedOptions<JobsOptions>(JobsOptions.Section)
            .ValidateInProduction(o => !o.Dashboard.AllowNonAdmins, "Jobs:Dashboard:AllowNonAdmins is true: the jobs dashboard must stay admin-only in Production.");
        var jobs = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        if (jobs.Enabled)
        {
            services.AddHangfireServer(o =>
            {
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:maintenance";
                o.Queues = [MaintenanceQueue];
                o.WorkerCount = jobs.MaintenanceWorkers;
            });
            services.AddHangfireServer(o =>
            {
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:deliveries";
                o.Queues = [DeliveriesQueue];
                o.WorkerCount = jobs.DeliveryWorkers;
            });
        }
        return builder;
    }

    private static readonly PostgreSqlStorageOptions PostgresJobOptions = new()
    {
        SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1),
    };

    public static void RegisterRecurringJobs(IServiceProvider services)
    {
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        var options = (string id) => new RecurringJobOptions { TimeZone = Schedule.Single(s => s.Id == id).TimeZone };
        jobs.AddOrUpdate<SlotExpiryJob>(SlotExpiryJob.Id, j => j.RunAsync(CancellationToken.None), SlotExpiryJob.Cron, options(SlotExpiryJob.Id));
        jobs.AddOrUpdate<NotificationDispatchJob>(NotificationDispatchJob.Id, DeliveriesQueue, j => j.RunAsync(CancellationToken.None), NotificationDispatchJob.Cron, options(NotificationDispatchJob.Id));
        jobs.AddOrUpdate<Reports.StatsJob>(Reports.StatsJob.IncrementalId, j => j.IncrementalAsync(CancellationToken.None), Reports.StatsJob.IncrementalCron, options(Reports.StatsJob.IncrementalId));
        jobs.AddOrUpdate<Reports.StatsJob>(Reports.StatsJob.NightlyId, j => j.NightlyAsync(CancellationToken.None), Reports.StatsJob.NightlyCron, options(Reports.StatsJob.NightlyId));
        jobs.AddOrUpdate<Privacy.PatientPurgeJob>(Privacy.PatientPurgeJob.Id, j => j.RunAsync(CancellationToken.None), Privacy.PatientPurgeJob.Cron, options(Privacy.PatientPurgeJob.Id));
        jobs.AddOrUpdate<Bookings.IdempotencyExpiryJob>(Bookings.IdempotencyExpiryJob.Id, j => j.RunAsync(CancellationToken.None), Bookings.IdempotencyExpiryJob.Cron, options(Bookings.IdempotencyExpiryJob.Id));
        jobs.AddOrUpdate<Console.SessionExpiryJob>(Console.SessionExpiryJob.Id, j => j.RunAsync(CancellationToken.None), Console.SessionExpiryJob.Cron, options(Console.SessionExpiryJob.Id));
        jobs.AddOrUpdate<Rules.RuleJob>(Rules.RuleJob.Id, j => j.RunAsync(CancellationToken.None), Rules.RuleJob.Cron, options(Rules.RuleJob.Id));
        jobs.AddOrUpdate<Requests.RequestExpiryJob>(Requests.RequestExpiryJob.Id, j => j.RunAsync(CancellationToken.None), Requests.RequestExpiryJob.Cron, options(Requests.RequestExpiryJob.Id));
    }

    /// <summary>Where an administrator signed in to the console opens the dashboard with the console's cookie.</summary>
    public const string ConsoleDashboardPath = Console.ConsoleSetup.Path + "/jobs";

    /// <summary>
    /// The dashboard at /jobs for programs and tools (an admin's API key or token), and at /console/jobs for people (an
    /// admin signed in to the console: a browser sends no key, and the console's cookie is scoped to /console). Both
    /// behind the admin role; Hangfire's own local-only filter is replaced, not relied on.
    /// </summary>
    public static void MapJobsDashboard(this WebApplication app)
    {
        var options = new DashboardOptions { Authorization = [], AsyncAuthorization = [], DashboardTitle = "SAS jobs", AppPath = Console.ConsoleSetup.Path };
        var dashboard = app.MapHangfireDashboard("/jobs", options);
        // Jobs:Dashboard:AllowNonAdmins is for a developer's machine only; Production refuses to start with it.
        if (app.Services.GetRequiredService<JobsOptions>().Dashboard.AllowNonAdmins) dashboard.AllowAnonymous();
        else dashboard.RequireAuthorization(Policies.Admin);

        app.MapHangfireDashboard(ConsoleDashboardPath, options).RequireAuthorization(
            new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Console.ConsoleSetup.Scheme).RequireRole(Roles.Admin).Build());
    }
}

/// <summary>
/// Hangfire's dashboard, for people: its own scripts (files from this origin, no inline script) and its polling; never
/// cached. At both mount points.
/// </summary>
internal sealed class DashboardHeaderPolicy(PathString path) : Infrastructure.Security.IHeaderPolicy
{
    public PathString Path { get; } = path;

    public ValueTask ApplyAsync(HttpContext http, IHeaderDictionary headers)
    {
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Asks for a dispatch right after a booking change, so practice software hears of it at once, not at the next minute.
/// Called after the change has committed: if Hangfire's queue refuses the job, the change still stands and its
/// outbox event is durable, so the recurring dispatch sends it within a minute. The caller is answered as done.
/// </summary>
public sealed class DispatchTrigger(IBackgroundJobClient jobs, ILogger<DispatchTrigger> logger)
{
    public void Now()
    {
        try
        {
            jobs.Enqueue<NotificationDispatchJob>(JobsSetup.DeliveriesQueue, j => j.RunAsync(CancellationToken.None));
        }
        catch (BackgroundJobClientException e)
        {
            logger.LogWarning("Could not queue an immediate dispatch ({Reason}); the every-minute dispatch will send the event", e.InnerException?.Message ?? e.Message);
        }
    }
}
