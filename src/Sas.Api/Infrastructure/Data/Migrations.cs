using DbUp;
using DbUp.Builder;
using Microsoft.Data.Sqlite;

namespace Sas.Api.Infrastructure.Data;

/// <summary>Applies <c>db/migrations/&lt;engine&gt;/*.sql</c> (embedded) with DbUp, one transaction per script.</summary>
public static class Migrations
{
    public static void Apply(DatabaseOptions options, ILogger logger)
    {
        var prefix = options.Provider == DatabaseProvider.SqlServer ? "migrations.sqlserver." : "migrations.sqlite.";
        UpgradeEngineBuilder builder;
        if (options.Provider == DatabaseProvider.SqlServer)
        {
            EnsureDatabase.For.SqlDatabase(options.ConnectionString);
            builder = DeployChanges.To.SqlDatabase(options.ConnectionString);
        }
        else
        {
            PrepareSqliteFile(options.ConnectionString);
            builder = DeployChanges.To.SqliteDatabase(options.ConnectionString);
        }

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

    /// <summary>Names of the scripts the given engine has, in order: what /health/ready compares with the journal.</summary>
    public static IReadOnlyList<string> ScriptNames(DatabaseProvider provider)
    {
        var prefix = provider == DatabaseProvider.SqlServer ? "migrations.sqlserver." : "migrations.sqlite.";
        return typeof(Migrations).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
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
