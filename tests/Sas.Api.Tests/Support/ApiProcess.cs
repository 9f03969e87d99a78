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
        string[] root = contentRoot is null ? [] : ["--contentRoot", contentRoot];
        await using var api = Running.Start(environment, workingDirectory, root, new Dictionary<string, string> { ["ConnectionStrings:Sas"] = TestDatabase() });
        await api.ListeningAsync();
        return api.Log;
    }

    /// <summary>An API process serving on a free loopback port until killed or disposed; its output is kept in <see cref="Log"/>.</summary>
    public sealed class Running : IAsyncDisposable
    {
        private readonly Process process;
        private readonly System.Text.StringBuilder log = new();
        private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Running(Process process)
        {
            this.process = process;
            _ = Task.Run(() => Drain(process.StandardOutput, seekAddress: true));
            _ = Task.Run(() => Drain(process.StandardError, seekAddress: false));
        }

        /// <summary>Starts the build in the test output with these settings (and the suite's engine) on a free port.</summary>
        public static Running Start(string environment, string workingDirectory, string[] args, IReadOnlyDictionary<string, string> settings)
        {
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Sas.Api.dll"), .. args, "--urls", "http://127.0.0.1:0"])
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
            start.Environment["Logging__Console__FormatterName"] = "simple";
            start.Environment["Database__Provider"] = TestEngine.Provider;
            foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            return new Running(Process.Start(start)!);
        }

        public string Log { get { lock (log) return log.ToString(); } }

        /// <summary>The base URL once the API listens (at most a minute).</summary>
        public Task<Uri> ListeningAsync() => listening.Task.WaitAsync(TimeSpan.FromMinutes(1));

        /// <summary>Ends the process at once, as a crash or an OOM kill would: no graceful shutdown.</summary>
        public void Kill()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        public async ValueTask DisposeAsync()
        {
            Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }

        private async Task Drain(StreamReader reader, bool seekAddress)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (log) log.AppendLine(line);
                const string marker = "Now listening on: ";
                if (seekAddress && line.IndexOf(marker, StringComparison.Ordinal) is >= 0 and var at) listening.TrySetResult(new Uri(line[(at + marker.Length)..].Trim()));
            }
            listening.TrySetException(new Xunit.Sdk.XunitException($"the API stopped before listening:\n{Log}"));
        }
    }

    /// <summary>A database of its own on the suite's engine (<see cref="TestEngine"/>).</summary>
    private static void UseTestDatabase(ProcessStartInfo start)
    {
        start.Environment["Database__Provider"] = TestEngine.Provider;
        start.Environment["ConnectionStrings__Sas"] = TestDatabase();
    }

    /// <summary>A connection string to a new database on the suite's engine.</summary>
    public static string TestDatabase() => TestEngine.NewDatabase();
}
