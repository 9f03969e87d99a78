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
        services.AddSingleton(sp => DatabaseOptionsFrom(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IWebHostEnvironment>()));
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<Db>();
        services.AddSasHealthChecks();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Geography.LoadEmbedded());
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Booking").Get<BookingOptions>() ?? new BookingOptions());

        services.AddSingleton(sp => new KeyCache(sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IConfiguration>().GetValue("Auth:KeyCacheSeconds", 10))));
        services.AddSingleton<ClientStore>();
        services.AddSingleton(sp => new TerritoryCacheLifetime(TimeSpan.FromSeconds(sp.GetRequiredService<IConfiguration>().GetValue("Territory:CacheSeconds", 30))));
        services.AddSingleton<TerritoryStore>();
        services.AddSingleton<PractitionerStore>();
        services.AddSingleton<SlotStore>();
        services.AddOptions<SearchOptions>().BindConfiguration(SearchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IndexedSearch>();
        services.AddSingleton(sp => new FhirSlotStore(sp.GetRequiredService<Db>(), IndexedSearch.IfUsed(sp)));
        // The slot index where the engine has its change feed; Search:Index=false answers every search by its statement.
        services.AddSingleton(sp => new SearchStore(sp.GetRequiredService<Db>(), IndexedSearch.IfUsed(sp)));
        services.AddHostedService<SlotIndexWarmUp>();
        services.AddSingleton<BookingStore>();
        services.AddSingleton<BookingService>();
        services.AddSingleton<HoldService>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<BookingRaceHook>();
        services.AddSingleton<Idempotency>();
        services.AddSingleton<Audit>();
        services.AddSingleton<Outbox>();
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Majoration").Get<Sas.Domain.Reports.MajorationPolicy>() ?? new Sas.Domain.Reports.MajorationPolicy());
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
        return builder;
    }

    /// <summary><c>Database:Provider</c> and <c>ConnectionStrings:Sas</c>; SQLite defaults to a file in App_Data.</summary>
    private static DatabaseOptions DatabaseOptionsFrom(IConfiguration config, IWebHostEnvironment env)
    {
        var options = config.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        var configured = config.GetConnectionString("Sas");
        if (!string.IsNullOrWhiteSpace(configured)) options.ConnectionString = configured;
        else if (options.Provider == DatabaseProvider.Sqlite)
            options.ConnectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(env.ContentRootPath, "App_Data", "sas.db"),
                DefaultTimeout = 30, // also the busy timeout: writers wait for each other instead of failing
                ForeignKeys = true,
                Pooling = true,
            }.ToString();
        else throw new StartupRefusedException($"Database:Provider is {options.Provider} but ConnectionStrings:Sas is not set.");
        return options;
    }

    /// <summary>Refuses unsafe configurations, migrates, then creates the bootstrap admin and the demo data.</summary>
    public static async Task InitialiseAsync(this WebApplication app)
    {
        var config = app.Configuration;
        var demo = config.GetValue("Sas:DemoData", false);
        SecuritySetup.GuardProduction(app);

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
            ThreadPool.SetMinThreads(Math.Max(workers, config.GetValue("Database:SqliteMinThreads", 64)), io);
        }

        if (config["Sas:BootstrapAdminKey"] is { Length: > 0 } bootstrapKey)
        {
            if (bootstrapKey.Length < 16) throw new StartupRefusedException("Sas:BootstrapAdminKey must be at least 16 characters.");
            await app.Services.GetRequiredService<ClientStore>().EnsureKeyAsync("Bootstrap admin", Roles.Admin, [], bootstrapKey, default);
        }
        if (demo) await app.Services.GetRequiredService<DemoData>().SeedAsync(default);
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
