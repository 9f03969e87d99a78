using System.Diagnostics;
using System.Text;

namespace Sas.Bench;

/// <summary>
/// The API in its own process, as it runs in production (the build beside the bench, <c>dotnet Sas.Api.dll</c>), so
/// that the load generator shares neither its heap, nor its collections, nor its thread pool: what the server
/// allocates and spends is read from the server alone (<see cref="ServerStats"/>).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly TaskCompletionSource<string> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        this.process = process;
        _ = Task.Run(() => Drain(process.StandardOutput));
        _ = Task.Run(() => Drain(process.StandardError));
    }

    public string Url { get; private set; } = "";

    public static async Task<ServerProcess> StartAsync(Sas.Api.Infrastructure.Data.DatabaseProvider provider, string connectionString, string adminKey, string synchronous)
    {
        var folder = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "Sas.Api.dll"), "--contentRoot", folder, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in Settings(provider, connectionString, adminKey, synchronous))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var server = new ServerProcess(Process.Start(start)!);
        try
        {
            server.Url = await server.listening.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>The bench's settings: production's wiring, jobs off (the bench drives the load), no rate limit, the admin key on /fhir.</summary>
    public static IEnumerable<(string Key, string Value)> Settings(Sas.Api.Infrastructure.Data.DatabaseProvider provider, string connectionString, string adminKey, string synchronous) =>
    [
        ("ASPNETCORE_ENVIRONMENT", "Benchmark"),
        ("Database:Provider", provider.ToString()),
        ("ConnectionStrings:Sas", connectionString),
        ("Sas:BootstrapAdminKey", adminKey),
        ("Sas:DemoData", "false"),
        ("Database:SqliteSynchronous", synchronous),
        ("Jobs:Enabled", "false"),
        ("Fhir:AllowApiKeys", "true"), // the bench measures the query, not the TLS handshake (connections are pooled)
        ("RateLimit:TokenLimit", "1000000000"),
        ("RateLimit:TokensPerPeriod", "1000000000"),
        ("Logging:LogLevel:Default", "Warning"),
        ("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information"),
        ("Logging:Console:FormatterName", "simple"),
    ];

    public string Log { get { lock (log) return log.ToString(); } }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private async Task Drain(StreamReader reader)
    {
        const string marker = "Now listening on: ";
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (log) log.AppendLine(line);
            if (line.IndexOf(marker, StringComparison.Ordinal) is >= 0 and var at) listening.TrySetResult(line[(at + marker.Length)..].Trim());
        }
        listening.TrySetException(new InvalidOperationException($"the API stopped before listening:\n{Log}"));
    }
}
