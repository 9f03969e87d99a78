using DbUp;
using DbUp.Builder;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// Applies <c>db/migrations/&lt;engine&gt;/*.sql</c> (embedded) with DbUp, one transaction per script. On a server
/// engine several nodes may start at once: the migration runs under a database-wide lock
/// (<c>pg_advisory_lock</c>, <c>sp_getapplock</c>), so one node migrates and the others then find nothing to do.
/// </summary>
public static class Migrations
{
    /// <summary>The lock's name on SQL Server, and its key on PostgreSQL (any fixed number: ours is "SASMIGR" in ASCII).</summary>
    private const string LockName = "sas:migrations";
    private const long LockKey = 0x5341534D494752;

    public static void Apply(DatabaseOptions options, ILogger logger)
    {
        var prefix = Prefix(options.Provider);
        UpgradeEngineBuilder builder;
        IDisposable? migrationLock = null;
        switch (options.Provider)
        {
            case DatabaseProvider.SqlServer:
                EnsureDatabase.For.SqlDatabase(options.ConnectionString, Quiet);
                migrationLock = SqlServerLock(options.ConnectionString);
                builder = DeployChanges.To.SqlDatabase(options.ConnectionString);
                break;
            case DatabaseProvider.PostgreSql:
                EnsurePostgresDatabase(options.ConnectionString);
                migrationLock = PostgresLock(options.ConnectionString);
                builder = DeployChanges.To.PostgresqlDatabase(options.ConnectionString);
                break;
            default:
                PrepareSqliteFile(options.ConnectionString);
                builder = DeployChanges.To.SqliteDatabase(options.ConnectionString);
                break;
        }

        using (migrationLock)
        {
            var result = builder
                .WithScriptsEmbeddedInAssembly(typeof(Migrations).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build()
                .PerformUpgrade();

            if (!result.Successful)
                throw new StartupRefusedException($"Database migration failed at {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
            foreach (var script in result.Scripts)
                logger.LogInformation("Applied migration {Script}", script.Name);
        }
    }

    /// <summary>Names of the scripts the given engine has, in order: what /health/ready compares with the journal.</summary>
    public static IReadOnlyList<string> ScriptNames(DatabaseProvider provider)
    {
        var prefix = Prefix(provider);
        return typeof(Migrations).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>DbUp's default log is the console, where its database creation writes the server's connection string (host, port, user; the password masked).</summary>
    private static readonly DbUp.Engine.Output.IUpgradeLog Quiet = new DbUp.Engine.Output.NoOpUpgradeLog();

    private static string Prefix(DatabaseProvider provider) => $"migrations.{DatabaseOptions.MigrationsFolder(provider)}.";

    /// <summary>
    /// DbUp's own EnsureDatabase checks then creates: two nodes starting together may both see no database, and the
    /// second CREATE DATABASE fails with 42P04. That loser has nothing left to do.
    /// </summary>
    private static void EnsurePostgresDatabase(string connectionString)
    {
        try
        {
            EnsureDatabase.For.PostgresqlDatabase(connectionString, Quiet);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
        }
    }

    /// <summary>
    /// A session-level advisory lock on a connection of its own, released when the connection closes: unpooled, since a
    /// pooled connection given back stays open with its lock (the next node waited for the pool to drop it, 5 minutes).
    /// </summary>
    private static NpgsqlConnection PostgresLock(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", LockKey);
        command.CommandTimeout = 0; // another node's migration takes what it takes
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>An application lock owned by the session, released when the connection closes (unpooled, as PostgreSQL's).</summary>
    private static SqlConnection SqlServerLock(string connectionString)
    {
        var connection = new SqlConnection(new SqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new SqlCommand("sp_getapplock", connection) { CommandType = System.Data.CommandType.StoredProcedure, CommandTimeout = 0 };
        command.Parameters.AddWithValue("@Resource", LockName);
        command.Parameters.AddWithValue("@LockMode", "Exclusive");
        command.Parameters.AddWithValue("@LockOwner", "Session");
        command.Parameters.AddWithValue("@LockTimeout", -1);
        var result = command.Parameters.Add("@Result", System.Data.SqlDbType.Int);
        result.Direction = System.Data.ParameterDirection.ReturnValue;
        command.ExecuteNonQuery();
        if ((int)result.Value < 0) throw new StartupRefusedException($"Could not take the migration lock (sp_getapplock answered {result.Value}).");
        return connection;
    }

    /// <summary>The folder must exist, and WAL lets regulators read while practice software writes.</summary>
    private static void PrepareSqliteFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
    }
}
