namespace Sas.Api.Tests.Support;

/// <summary>
/// <c>[Fact]</c> and <c>[Theory]</c> in the server-engine builds of the suite (Sas.Api.PostgresTests and
/// Sas.Api.SqlServerTests alias them): a test runs when its engine's server is there (<see cref="TestEngine.Unavailable"/>)
/// and is skipped, saying why, otherwise, so that <c>dotnet test</c> passes on a machine with only the .NET SDK. CI fails
/// on skipped PostgreSQL tests (it can start PostgreSQL), not on SQL Server's (it cannot). Tests of a class marked
/// <see cref="SqliteOnlyAttribute"/> are not found at all in these builds.
/// </summary>
[Xunit.Sdk.XunitTestCaseDiscoverer("Sas.Api.Tests.Support.EngineFactDiscoverer", SqliteOnlyAttribute.Assembly)]
public class EngineFactAttribute : Xunit.FactAttribute
{
    public EngineFactAttribute()
    {
        if (TestEngine.Unavailable is { } why) Skip = why;
    }
}

/// <inheritdoc cref="EngineFactAttribute"/>
[Xunit.Sdk.XunitTestCaseDiscoverer("Sas.Api.Tests.Support.EngineTheoryDiscoverer", SqliteOnlyAttribute.Assembly)]
public class EngineTheoryAttribute : Xunit.TheoryAttribute
{
    public EngineTheoryAttribute()
    {
        if (TestEngine.Unavailable is { } why) Skip = why;
    }
}
