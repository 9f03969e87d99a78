using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The PostgreSQL the tests run on: <c>SAS_TEST_POSTGRES</c> (a connection string to a server where the tests may
/// create and drop databases), or else a throwaway cluster started from the PostgreSQL binaries on this machine
/// (<c>initdb</c> in a temporary folder, a free port, as the <c>postgres</c> user when running as root; stopped
/// when the test process ends). Each API host gets a database of its own, copied from a template migrated once.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "SAS_TEST_POSTGRES";

    /// <summary>Why the PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? Unavailable { get; } =
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) || FindBinaries() is not null ? null
            : $"No PostgreSQL here: set {Variable} to a connection string, or install PostgreSQL's server (Debian: postgresql-15) so the tests can start their own.";

    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> Template = new(CreateTemplate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A connection string to a fresh database with every migration applied and Hangfire's schema installed.</summary>
    public static string CreateDatabase()
    {
        var name = $"sas_test_{Guid.NewGuid():N}";
        Admin($"CREATE DATABASE {name} TEMPLATE {Template.Value}");
        return For(name);
    }

    /// <summary>A connection string to a database that does not exist yet: the API creates and migrates it at start-up.</summary>
    public static string NewDatabaseName() => For($"sas_test_{Guid.NewGuid():N}");

    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        try { Admin($"DROP DATABASE IF EXISTS {name} WITH (FORCE)"); }
        catch (NpgsqlException) { /* a throwaway cluster goes with its folder; a shared server keeps one stray database */ }
    }

    /// <summary>A connection string to <paramref name="database"/> on the server, small pools that let go of idle connections.</summary>
    public static string For(string database) => new NpgsqlConnectionStringBuilder(Server.Value)
    {
        Database = database,
        MaxPoolSize = 50,
        ConnectionIdleLifetime = 15,
        Timeout = 30,
    }.ConnectionString;

    private static void Admin(string sql)
    {
        using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server.Value) { Database = "postgres", Pooling = false }.ConnectionString);
        c.Open();
        using var command = new NpgsqlCommand(sql, c);
        command.ExecuteNonQuery();
    }

    private static string CreateTemplate()
    {
        var name = $"sas_template_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        Admin($"CREATE DATABASE {name}");
        var connection = new NpgsqlConnectionStringBuilder(For(name)) { Pooling = false }.ConnectionString;
        Migrations.Apply(new DatabaseOptions { Provider = DatabaseProvider.PostgreSql, ConnectionString = connection }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using (var c = new NpgsqlConnection(connection))
        {
            c.Open();
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(c, "hangfire");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Admin($"DROP DATABASE IF EXISTS {name} WITH (FORCE)"); } catch (NpgsqlException) { } };
        return name;
    }

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given) return given;
        var bin = FindBinaries() ?? throw new InvalidOperationException(Unavailable);
        var folder = Directory.CreateTempSubdirectory("sas-pg-").FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", ["-R", "postgres:postgres", folder]);
        var port = FreePort();
        var data = Path.Combine(folder, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale"], asRoot);
        // Durability is the tests' least concern: a throwaway cluster without fsync starts and runs faster.
        var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "log"), "-w", "-t", "60", "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot); } catch (InvalidOperationException) { }
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary><c>initdb</c> and <c>pg_ctl</c> on the PATH, or in Debian's <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (off the PATH).</summary>
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

    /// <summary>Runs a command to its end (as the <c>postgres</c> user when asked: initdb refuses root), failing with its output.</summary>
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
