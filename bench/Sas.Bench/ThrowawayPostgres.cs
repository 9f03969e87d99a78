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
    private static readonly Lazy<Cluster> Started = new(() => new Cluster(maxConnections: 1000), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary><c>initdb</c> and <c>pg_ctl</c> on the PATH, or in Debian's <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (off the PATH); null when absent.</summary>
    public static string? Binaries { get; } = FindBinaries();

    /// <summary>A connection string to the shared cluster's <c>postgres</c> database as its superuser, starting it on first use.</summary>
    public static string ConnectionString => Started.Value.ConnectionString;

    /// <summary>
    /// A cluster of its own, stopped and deleted when disposed (or when the process ends): for a test that needs the
    /// server's own settings (its default 100 connections) or restarts it.
    /// </summary>
    public sealed class Cluster : IDisposable
    {
        private readonly string bin, folder, data, options;
        private readonly bool asRoot = Environment.UserName == "root";
        private int stopped;

        public string ConnectionString { get; }

        /// <param name="maxConnections">PostgreSQL's <c>max_connections</c>; null keeps the server's default (100).</param>
        public Cluster(int? maxConnections = null)
        {
            bin = Binaries ?? throw new InvalidOperationException("No PostgreSQL server binaries here (initdb, pg_ctl): install PostgreSQL's server (Debian: postgresql-15).");
            folder = Directory.CreateTempSubdirectory("sas-pg-").FullName;
            if (asRoot) Run("chown", ["-R", "postgres:postgres", folder]);
            var port = FreePort();
            data = Path.Combine(folder, "data");
            Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale"], asRoot);
            // Durability is a throwaway cluster's least concern: without fsync it starts and runs faster.
            options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                + (maxConnections is { } max ? $" -c max_connections={max}" : "");
            PgCtl("start");
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        }

        /// <summary>Stops the server at once (as a crash would: <c>-m immediate</c>) and starts it again.</summary>
        public void Restart()
        {
            Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot);
            PgCtl("start");
        }

        private string Kept => Path.Combine(folder, "kept");

        /// <summary>Stops the server cleanly, keeps a copy of its data folder, and starts it again.</summary>
        public void Keep() => CopyStopped("fast", data, Kept);

        /// <summary>
        /// Crashes the server and starts it from the copy <see cref="Keep"/> made, as a failover to a replica that lagged
        /// does: every change since is gone, and the transaction ids after the copy's are handed out again.
        /// </summary>
        public void Rewind() => CopyStopped("immediate", Kept, data);

        /// <summary>Stops the server (<c>pg_ctl</c>'s mode), puts a copy of one folder in place of the other, starts it again.</summary>
        private void CopyStopped(string mode, string from, string to)
        {
            Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", mode, "stop"], asRoot);
            try
            {
                Run("rm", ["-rf", to], asRoot);
                Run("cp", ["-a", from, to], asRoot);
            }
            finally { PgCtl("start"); }
        }

        private void PgCtl(string verb) =>
            Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "log"), "-w", "-t", "60", verb], asRoot);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref stopped, 1) != 0) return;
            try { Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot); } catch (InvalidOperationException) { }
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
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
