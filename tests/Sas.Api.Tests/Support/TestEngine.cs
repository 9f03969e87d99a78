using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The engine this build of the suite runs on: SQLite (Sas.Api.Tests), PostgreSQL (Sas.Api.PostgresTests) or SQL Server
/// (Sas.Api.SqlServerTests), the same test sources compiled with <c>SAS_TEST_POSTGRES</c> or <c>SAS_TEST_SQLSERVER</c>.
/// The one parameter of <see cref="SasApiFactory"/>.
/// </summary>
public static class TestEngine
{
#if SAS_TEST_POSTGRES
    public const string Provider = "PostgreSql";
#elif SAS_TEST_SQLSERVER
    public const string Provider = "SqlServer";
#else
    public const string Provider = "Sqlite";
#endif

    public static bool IsPostgres => Provider == "PostgreSql";
    public static bool IsSqlServer => Provider == "SqlServer";

    /// <summary>The engine's dialect, for the few statements tests write themselves.</summary>
    public static SqlDialect Dialect => new DatabaseOptions { Provider = Enum.Parse<DatabaseProvider>(Provider) }.Dialect;

    /// <summary>Why this build's tests cannot run here (no server of its engine), or null when they can.</summary>
    public static string? Unavailable => Provider switch
    {
        "PostgreSql" => PostgresServer.Unavailable,
        "SqlServer" => SqlServerServer.Unavailable,
        _ => null,
    };

    /// <summary>A connection string to a new, empty database of this engine (the API creates and migrates it).</summary>
    public static string NewDatabase() => Provider switch
    {
        "PostgreSql" => PostgresServer.CreateDatabase(),
        "SqlServer" => SqlServerServer.NewDatabase(),
        _ => $"Data Source={Path.Combine(Path.GetTempPath(), $"sas-test-{Guid.NewGuid():N}.db")};Default Timeout=30;Foreign Keys=True;Pooling=True",
    };

    public static void DropDatabase(string connectionString)
    {
        if (IsPostgres) PostgresServer.DropDatabase(connectionString);
        else if (IsSqlServer) SqlServerServer.DropDatabase(connectionString);
    }
}
