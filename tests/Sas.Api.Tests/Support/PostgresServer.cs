using Npgsql;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The PostgreSQL the tests run on: <c>SAS_TEST_POSTGRES</c> (a connection string to a server where the tests may
/// create and drop databases), or else a throwaway cluster started from the PostgreSQL binaries on this machine
/// (<see cref="Sas.Bench.ThrowawayPostgres"/>). Each API host gets a database of its own, copied from a template
/// migrated once.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "SAS_TEST_POSTGRES";

    /// <summary>Why the PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? Unavailable { get; } =
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) || Sas.Bench.ThrowawayPostgres.Binaries is not null ? null
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

    private static string Start() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? given : Sas.Bench.ThrowawayPostgres.ConnectionString;
}
