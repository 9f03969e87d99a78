using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Infrastructure.Telemetry;

/// <summary>Section <c>Metrics</c>: the Prometheus scrape endpoint.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    public bool Enabled { get; set; } = true;
    public string Path { get; set; } = "/metrics";
    /// <summary>
    /// When set, the endpoint answers only to connections accepted on this port (add it to the listening URLs), without
    /// credentials, for a scraper inside the network; otherwise it is admin-only.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 65535)]
    public int? Port { get; set; }
}

/// <summary>
/// OpenTelemetry: traces and metrics of ASP.NET Core, HttpClient (webhooks, the SAS platform) and the runtime, plus
/// <see cref="SasMetrics"/>. Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and scraped by
/// Prometheus at <see cref="MetricsOptions.Path"/>. Query-string values are redacted by the instrumentation.
/// </summary>
public static class TelemetrySetup
{
    public static WebApplicationBuilder AddSasTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<SasMetrics>();
        services.AddSingleton<OutboxSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxSampler>());
        services.AddValidatedOptions<MetricsOptions>(MetricsOptions.Section)
            .Validate(o => o.Path.StartsWith('/') && !o.Path.Contains('?'), "Metrics:Path must be a path starting with '/' (no query).");

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sas-booking-api"))
            .WithMetrics(m =>
            {
                m.AddMeter(SasMetrics.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation();
                m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp) m.AddOtlpExporter();
            });
        // Traces only go somewhere over OTLP: without a collector, tracing each request built an Activity and its tags
        // for nobody, allocated on every request.
        if (otlp)
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        return builder;
    }

    public static WebApplication MapSasMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<MetricsOptions>();
        if (!options.Enabled) return app;
        if (options.Port is { } port)
        {
            // The port the connection came in on, as the server accepted it: RequireHost matched the Host header, which
            // any caller of the public port could set to the metrics port's.
            var path = new PathString(options.Path);
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Connection.LocalPort == port && http.Request.Path == path);
        }
        else app.MapPrometheusScrapingEndpoint(options.Path).RequireAuthorization(Policies.Admin);
        return app;
    }
}
