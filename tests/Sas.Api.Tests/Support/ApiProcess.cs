using System.Diagnostics;

namespace Sas.Api.Tests.Support;

/// <summary>The API as an operator starts it: its own process (the build in the test output), settings as environment variables.</summary>
public static class ApiProcess
{
    public sealed record Ended(int ExitCode, string Out, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Runs the API until it exits by itself (a refused start), at most a minute.</summary>
    public static async Task<Ended> RunUntilExitAsync(string environment, params (string Key, string Value)[] settings)
    {
        var folder = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet", ["Sas.Api.dll", "--contentRoot", folder, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["DOTNET_ENVIRONMENT"] = environment;
        UseTestDatabase(start);
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("the API kept running: it did not refuse to start");
        }
        return new Ended(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Starts the API from <paramref name="workingDirectory"/> (with <c>--contentRoot</c> when given, as an operator
    /// would type it), reads its output until it listens, then stops it: the start-up log.
    /// </summary>
    public static async Task<string> StartupLogAsync(string environment, string workingDirectory, string? contentRoot)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Sas.Api.dll");
        string[] args = contentRoot is null ? [dll, "--urls", "http://127.0.0.1:0"] : [dll, "--contentRoot", contentRoot, "--urls", "http://127.0.0.1:0"];
        var start = new ProcessStartInfo("dotnet", args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        UseTestDatabase(start);
        start.Environment["Logging__Console__FormatterName"] = "simple";

        using var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                log.AppendLine(line);
                if (line.Contains("Now listening on", StringComparison.Ordinal)) return log.ToString();
            }
            throw new Xunit.Sdk.XunitException($"the API stopped before listening:\n{log}{await process.StandardError.ReadToEndAsync()}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>A database of its own on the suite's engine (<see cref="TestEngine"/>).</summary>
    private static void UseTestDatabase(ProcessStartInfo start)
    {
        start.Environment["Database__Provider"] = TestEngine.Provider;
        start.Environment["ConnectionStrings__Sas"] = TestEngine.IsPostgres
            ? PostgresServer.CreateDatabase()
            : $"Data Source={Path.Combine(Path.GetTempPath(), $"sas-process-{Guid.NewGuid():N}.db")}";
    }
}
