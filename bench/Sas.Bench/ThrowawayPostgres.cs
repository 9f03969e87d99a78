using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sas.Bench;

/// <summary>
/// A PostgreSQL cluster for one process's lifetime, started from the server binaries on this machine: <c>initdb</c> in
/// a temporary folder, a free loopback port, as the <c>postgres</c> user when running as root (initdb refuses root),
/// without fsync (a throwaway cluster), stopped and deleted when the process ends. The tests and the bench use it
/// when no server is given.
/// </summary>
public static class ThrowawayPostgres
{
    private static readonly Lazy<string> Started = new(StartCluster, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary><c>initdb</c> and <c>pg_ctl</c> on the PATH, or in Debian's <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (off the PATH); null when absent.</summary>
    public static string? Binaries { get; } = FindBinaries();

    /// <summary>A connection string to the cluster's <c>postgres</c> database as its superuser, starting it on first use.</summary>
    public static string ConnectionString => Started.Value;

    private static string StartCluster()
    {
        var bin = Binaries ?? throw new InvalidOperationException("No PostgreSQL server binaries here (initdb, pg_ctl): install PostgreSQL's server (Debian: postgresql-15).");
        var folder = Directory.CreateTempSubdirectory("sas-pg-").FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", ["-R", "postgres:postgres", folder]);
        var port = FreePort();
        var data = Path.Combine(folder, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale"], asRoot);
        // Durability is a throwaway cluster's least concern: without fsync it starts and runs faster.
        var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "log"), "-w", "-t", "60", "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot); } catch (InvalidOperationException) { }
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static string? FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        if (onPath is not null) return onPath;
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian)) return null;
        return Directory.GetDirectories(debian)
            .Select(v => Path.Combine(v, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var version) ? version : 0)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command to its end (as the <c>postgres</c> user when asked), failing with its output.</summary>
    private static void Run(string file, string[] args, bool asPostgres = false)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {error}{output.Result}");
    }
}
