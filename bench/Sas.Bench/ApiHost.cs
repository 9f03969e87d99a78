using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api;

namespace Sas.Bench;

/// <summary>The API as it runs in production (Kestrel, the same wiring), in this process, on a loopback port.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private ApiHost(WebApplication app, string url) { this.app = app; Url = url; }

    public string Url { get; }
    public IServiceProvider Services => app.Services;

    public static async Task<ApiHost> StartAsync(Sas.Api.Infrastructure.Data.DatabaseProvider provider, string connectionString, string adminKey, string synchronous = "FULL",
        Action<IServiceCollection>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Benchmark", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:Sas"] = connectionString,
            ["Sas:BootstrapAdminKey"] = adminKey,
            ["Sas:DemoData"] = "false",
            ["Database:SqliteSynchronous"] = synchronous,
            ["Jobs:Enabled"] = "false",
            ["Fhir:AllowApiKeys"] = "true", // the bench measures the query, not the TLS handshake (connections are pooled)
            ["RateLimit:TokenLimit"] = "1000000000",
            ["RateLimit:TokensPerPeriod"] = "1000000000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddSasServices();
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        await app.InitialiseAsync();
        app.UseSasPipeline();
        app.MapSasEndpoints();
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiHost(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
