namespace Sas.Api.Tests.Support;

/// <summary>
/// <c>[Fact]</c> and <c>[Theory]</c> in the server-engine builds of the suite (Sas.Api.PostgresTests and
/// Sas.Api.SqlServerTests alias them): a test runs when its engine's server is there (<see cref="TestEngine.Unavailable"/>)
/// and is skipped, saying why, otherwise, so that <c>dotnet test</c> passes on a machine with only the .NET SDK. CI fails
/// on skipped PostgreSQL tests (it can start PostgreSQL), not on SQL Server's (it cannot).
/// </summary>
public sealed class EngineFactAttribute : Xunit.FactAttribute
{
    public EngineFactAttribute()
    {
        if (TestEngine.Unavailable is { } why) Skip = why;
    }
}

/// <inheritdoc cref="EngineFactAttribute"/>
public sealed class EngineTheoryAttribute : Xunit.TheoryAttribute
{
    public EngineTheoryAttribute()
    {
        if (TestEngine.Unavailable is { } why) Skip = why;
    }
}
