namespace Sas.Api.Infrastructure.Data;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>Section <c>Database</c>, plus <c>ConnectionStrings:Sas</c>.</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Resolved at startup: <c>ConnectionStrings:Sas</c>, or the SQLite default file.</summary>
    public string ConnectionString { get; set; } = "";

    public SqlDialect Dialect => Provider == DatabaseProvider.SqlServer ? SqlDialect.SqlServer : SqlDialect.Sqlite;
}
