using Microsoft.Data.SqlClient;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The SQL Server the SQL Server build of the suite runs on (Sas.Api.SqlServerTests): <c>SAS_TEST_SQLSERVER</c> (a
/// connection string to a server where the tests may create and drop databases), or else SQL Server 2022 in a container
/// (Testcontainers) when a Docker engine answers. Each API host gets a database of its own, created and migrated by the
/// API at start-up, dropped afterwards. Without either, the tests are skipped, saying why.
/// </summary>
public static class SqlServerServer
{
    public const string Variable = "SAS_TEST_SQLSERVER";

    public static string? Unavailable { get; } =
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) || DockerAnswers() ? null
            : $"No SQL Server here: set {Variable} to a connection string, or run a Docker engine for Testcontainers (README: SQL Server).";

    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A connection string to a database that does not exist yet.</summary>
    public static string NewDatabase() => new SqlConnectionStringBuilder(Server.Value) { InitialCatalog = $"sas_test_{Guid.NewGuid():N}" }.ConnectionString;

    public static void DropDatabase(string connectionString)
    {
        SqlConnection.ClearAllPools();
        try { DbUp.DropDatabase.For.SqlDatabase(connectionString); }
        catch (SqlException) { /* a container goes with its databases; a shared server keeps one stray database */ }
    }

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given) return given;
#if SAS_TEST_SQLSERVER
        var container = new Testcontainers.MsSql.MsSqlBuilder("mcr.microsoft.com/mssql/server:2022-latest").Build();
        container.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return container.GetConnectionString();
#else
        throw new InvalidOperationException(Unavailable);
#endif
    }

    private static bool DockerAnswers() =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");
}
