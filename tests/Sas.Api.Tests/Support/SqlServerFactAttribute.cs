namespace Sas.Api.Tests.Support;

/// <summary>
/// A test that needs a real SQL Server: it runs when <c>SAS_TEST_SQLSERVER</c> holds a connection
/// string (the test creates and drops its own database there), and is skipped, saying so, otherwise.
/// </summary>
public sealed class SqlServerFactAttribute : Xunit.FactAttribute
{
    public const string Variable = "SAS_TEST_SQLSERVER";

    public SqlServerFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"No SQL Server here: set {Variable} to a connection string to run this test against SQL Server.";
    }
}

/// <summary>The API on SQL Server, in a database of its own that is dropped afterwards.</summary>
public sealed class SqlServerApiFactory : SasApiFactory
{
    private readonly string database = $"sas_test_{Guid.NewGuid():N}";

    public override string ConnectionString => new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(
        Environment.GetEnvironmentVariable(SqlServerFactAttribute.Variable)) { InitialCatalog = database }.ConnectionString;

    protected override string Provider => "SqlServer";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing || string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(SqlServerFactAttribute.Variable))) return;
        Microsoft.Data.SqlClient.SqlConnection.ClearAllPools();
        DbUp.DropDatabase.For.SqlDatabase(ConnectionString);
    }
}
