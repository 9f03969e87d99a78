namespace Sas.Api.Tests.Support;

/// <summary>
/// <c>[Fact]</c> and <c>[Theory]</c> in the PostgreSQL build of the suite (Sas.Api.PostgresTests aliases them): a
/// test runs when PostgreSQL is there (<see cref="PostgresServer"/>) and is skipped, saying why, otherwise, so
/// that <c>dotnet test</c> passes on a machine with only the .NET SDK. CI fails on skipped tests.
/// </summary>
public sealed class EngineFactAttribute : Xunit.FactAttribute
{
    public EngineFactAttribute()
    {
        if (PostgresServer.Unavailable is { } why) Skip = why;
    }
}

/// <inheritdoc cref="EngineFactAttribute"/>
public sealed class EngineTheoryAttribute : Xunit.TheoryAttribute
{
    public EngineTheoryAttribute()
    {
        if (PostgresServer.Unavailable is { } why) Skip = why;
    }
}
