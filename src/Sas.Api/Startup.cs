using Microsoft.Data.Sqlite;
using Sas.Api.Bookings;
using Sas.Api.Clients;
using Sas.Api.Console;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Outbox;
using Sas.Api.Jobs;
using Sas.Api.Notifications;
using Sas.Api.Demo;
using Sas.Api.Fhir;
using Sas.Api.Health;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Infrastructure.Json;
using Sas.Api.Infrastructure.OpenApi;
using Sas.Api.Infrastructure.Security;
using Sas.Api.Infrastructure.Telemetry;
using Sas.Api.Practitioners;
using Sas.Api.Requests;
using Sas.Api.Rules;
using Sas.Api.Reports;
using Sas.Api.Reference;
using Sas.Api.Regulators;
using Sas.Api.Search;
using Sas.Api.Slots;
using Sas.Api.Territory;

namespace Sas.Api;

/// <summary>The wiring, in the order Program.cs calls it: services, start-up work, middleware, routes.</summary>
public static class Startup
{
    public static WebApplicationBuilder AddSasServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Options are read when first resolved, not here, so hosts and tests can still change configuration.
        services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section)
            .PostConfigure<IConfiguration, IWebHostEnvironment>(ResolveConnectionString)
            .Check(o => o.ConnectionString.Length > 0 ? null : $"Database:Provider is {o.Provider} but ConnectionStrings:Sas is not set.")
            .Validate(o => o.SqliteSynchronous.ToUpperInvariant() is "FULL" or "NORMAL" or "EXTRA", "Database:SqliteSynchronous must be FULL, NORMAL or EXTRA.");
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<Db>();
        services.AddSasHealthChecks();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Geography.LoadEmbedded());
        services.AddValidatedOptions<BookingOptions>("Booking");
        services.AddValidatedOptions<KeyCacheOptions>(KeyCacheOptions.Section);
        services.AddSingleton(sp => new KeyCache(sp.GetRequiredService<TimeProvider>(), TimeSpan.FromSeconds(sp.GetRequiredService<KeyCacheOptions>().KeyCacheSeconds)));
        services.AddSingleton<ClientStore>();
        services.AddValidatedOptions<TerritoryOptions>(TerritoryOptions.Section);
        services.AddSingleton(sp => new TerritoryCacheLifetime(TimeSpan.FromSeconds(sp.GetRequiredService<TerritoryOptions>().CacheSeconds)));
        services.AddSingleton<TerritoryStore>();
        services.AddSingleton<PractitionerStore>();
        services.AddSingleton<SlotStore>();
        services.AddSingleton<SlotWithdrawal>();
        services.AddSingleton<Rules.RuleStore>();
        services.AddSingleton<Rules.RuleService>();
        services.AddSingleton<Requests.RequestStore>();
        services.AddSingleton<Requests.RequestService>();
        services.AddValidatedOptions<SearchOptions>(SearchOptions.Section);
        services.AddSingleton<IndexedSearch>();
        services.AddSingleton(sp => new FhirSlotStore(sp.GetRequiredService<Db>(), IndexedSearch.IfUsed(sp)));
        // The slot index where the engine has its change feed; Search:Index=false answers every search by its statement.
        services.AddSingleton(sp => new SearchStore(sp.GetRequiredService<Db>(), IndexedSearch.IfUsed(sp)));
        services.AddWarmUp<SlotIndexWarmUp>();
        services.AddHostedService<SlotIndexFollower>();
        services.AddSingleton<BookingStore>();
        services.AddSingleton<BookingService>();
        services.AddSingleton<HoldService>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<BookingRaceHook>();
        services.AddSingleton<Idempotency>();
        services.AddSingleton<Audit>();
        services.AddSingleton<Outbox>();
        services.AddValidatedOptions<Sas.Domain.Reports.MajorationPolicy>("Majoration")
            .Validate(m => m.Amount >= 0 && m.WeeklyCap >= 0 && m.MaxDelayHours is > 0 and <= 24 * 14 && m.EligibleOrigins.Length > 0,
                "Majoration: Amount and WeeklyCap must not be negative, MaxDelayHours between 1 and 336, EligibleOrigins not empty.");
        services.AddValidatedOptions<Privacy.PrivacyOptions>(Privacy.PrivacyOptions.Section);
        services.AddValidatedOptions<SasOptions>(SasOptions.Section)
            // Demo data creates publicly known API keys: only on a developer's machine, whatever the environment is called.
            .Check<SasOptions, IHostEnvironment>((o, env) => !o.DemoData || env.IsDevelopment() ? null
                : $"Sas:DemoData is on in {env.EnvironmentName}. Demo data creates publicly known API keys and is for Development only; set Sas:DemoData=false.")
            .Validate(o => string.IsNullOrEmpty(o.BootstrapAdminKey) || o.BootstrapAdminKey.Length >= 16, "Sas:BootstrapAdminKey must be at least 16 characters.");
        services.AddSingleton<Regulators.TermsStore>();
        services.AddSingleton<Reports.StatsStore>();
        services.AddSingleton<Reports.ReportService>();
        services.AddTransient<Reports.StatsJob>();
        services.AddTransient<DemoData>();

        services.ConfigureHttpJsonOptions(o => JsonSetup.Configure(o.SerializerOptions));
        services.AddSasProblems();
        services.AddSasAuth();
        services.AddSasOpenApi();
        services.AddSasSecurity();
        services.AddSasProxies();
        services.AddSasKeyRing(builder.Configuration);
        builder.AddSasJobs();
        builder.AddSasFhir();
        builder.AddSasConsole();
        builder.AddSasTelemetry();
        services.AddHostedService<Infrastructure.WarmUpGate>(); // after every warm-up: the server listens once they are done
        return builder;
    }

    /// <summary><c>ConnectionStrings:Sas</c>; SQLite defaults to a file in App_Data.</summary>
    private static void ResolveConnectionString(DatabaseOptions options, IConfiguration config, IWebHostEnvironment env)
    {
        var configured = config.GetConnectionString("Sas");
        if (!string.IsNullOrWhiteSpace(configured)) options.ConnectionString = configured;
        else if (options.Provider == DatabaseProvider.Sqlite && options.ConnectionString.Length == 0)
            options.ConnectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(env.ContentRootPath, "App_Data", "sas.db"),
                DefaultTimeout = 30, // also the busy timeout: writers wait for each other instead of failing
                ForeignKeys = true,
                Pooling = true,
            }.ToString();
    }

    /// <summary>Refuses unsafe configurations, migrates, then creates the bootstrap admin and the demo data.</summary>
    public static async Task InitialiseAsync(this WebApplication app)
    {
        var config = app.Configuration;
        app.RefuseInvalidSettings();
        var sas = app.Services.GetRequiredService<SasOptions>();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sas.Startup");
        // A published build started from another folder takes that folder as its content root and silently runs
        // without its appsettings*.json (demo data, FHIR settings...): say so, since nothing else would.
        if (!File.Exists(Path.Combine(app.Environment.ContentRootPath, "appsettings.json")))
            logger.LogWarning("No appsettings.json in the content root {ContentRoot}: this build's settings files are not read. Start a published build with --contentRoot <its folder>.", app.Environment.ContentRootPath);
        var database = app.Services.GetRequiredService<DatabaseOptions>();
        Migrations.Apply(database, logger);
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // Microsoft.Data.Sqlite's async calls run synchronously: each query holds a pool thread. Start with
            // enough threads that a burst does not wait for the pool to grow one thread at a time.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, database.SqliteMinThreads), io);
        }

        if (sas.BootstrapAdminKey is { Length: > 0 } bootstrapKey)
            await app.Services.GetRequiredService<ClientStore>().EnsureKeyAsync("Bootstrap admin", Roles.Admin, [], bootstrapKey, default);
        if (sas.DemoData) await app.Services.GetRequiredService<DemoData>().SeedAsync(default);
        JobsSetup.RegisterRecurringJobs(app.Services);
    }

    public static WebApplication UseSasPipeline(this WebApplication app)
    {
        app.UseSasSecurityHeaders();
        app.UseSasForwardedHeaders();
        app.UseSasProblems();
        app.UseSasSecurity();
        // Only under /swagger: both middlewares match every request's path against their own patterns, at half a
        // kilobyte a request for the API's own calls.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase), swagger =>
        {
            swagger.UseSwagger(o => o.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_1);
            swagger.UseSwaggerUI(o => o.SwaggerEndpoint($"/swagger/{OpenApiSetup.DocumentName}/swagger.json", "SAS booking API v1"));
        });
        app.UseSasFhirCertificateForwarding();
        app.UseFailedKeyLimit();
        app.UseAuthentication();
        app.UseSasConsole();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseSasStorageRetry(); // last: only the endpoint runs again
        return app;
    }

    public static WebApplication MapSasEndpoints(this WebApplication app)
    {
        app.MapHealth();
        app.MapErrorPage();

        var v1 = app.MapGroup("/v1").RequireAuthorization(Policies.AnyRole);
        v1.MapSectors();
        v1.MapCpts();
        v1.MapCommunes();
        v1.MapClients();
        v1.MapPractitioners();
        v1.MapSlots();
        v1.MapRules();
        v1.MapRequests();
        v1.MapSearch();
        v1.MapHolds();
        v1.MapBookings();
        v1.MapWebhooks();
        v1.MapReports();
        v1.MapAudit();
        app.MapFhir();
        app.MapRegulators();
        app.MapSasConsole();
        app.MapJobsDashboard();
        app.MapSasMetrics();
        return app;
    }
}
