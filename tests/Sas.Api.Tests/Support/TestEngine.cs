namespace Sas.Api.Tests.Support;

/// <summary>
/// The engine this build of the suite runs on: SQLite (Sas.Api.Tests), or PostgreSQL (Sas.Api.PostgresTests: the
/// same test sources compiled with <c>SAS_TEST_POSTGRES</c>). The one parameter of <see cref="SasApiFactory"/>.
/// </summary>
public static class TestEngine
{
#if SAS_TEST_POSTGRES
    public const string Provider = "PostgreSql";
#else
    public const string Provider = "Sqlite";
#endif

    public static bool IsPostgres => Provider == "PostgreSql";

    /// <summary>The engine's dialect, for the few statements tests write themselves (lists: <c>IN @x</c> or <c>= ANY(@x)</c>).</summary>
    public static Sas.Api.Infrastructure.Data.SqlDialect Dialect => IsPostgres ? Sas.Api.Infrastructure.Data.SqlDialect.PostgreSql : Sas.Api.Infrastructure.Data.SqlDialect.Sqlite;
}
