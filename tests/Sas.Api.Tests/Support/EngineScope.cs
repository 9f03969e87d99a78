using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The suite's tests run on every engine's build unless they say otherwise: a test class (or method) marked
/// <c>[SqliteOnly]</c> tests SQLite's own machinery, or nothing of the database at all (the contract, the bench,
/// process faults), and runs in Sas.Api.Tests only. The server-engine builds compile the same sources, and their
/// <see cref="EngineFactAttribute"/>'s discoverer finds no test in such a class, so a new test runs on PostgreSQL unless
/// it is marked, and nothing is listed by file name.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class SqliteOnlyAttribute(string why) : Attribute
{
    public string Why { get; } = why;

    /// <summary>The assembly the discoverers live in: each build of the suite is its own assembly.</summary>
    public const string Assembly =
#if SAS_TEST_POSTGRES
        "Sas.Api.PostgresTests";
#elif SAS_TEST_SQLSERVER
        "Sas.Api.SqlServerTests";
#else
        "Sas.Api.Tests";
#endif

    public static bool Excludes(ITestMethod method) =>
        TestEngine.Provider != "Sqlite"
        && (method.TestClass.Class.GetCustomAttributes(typeof(SqliteOnlyAttribute)).Any() || method.Method.GetCustomAttributes(typeof(SqliteOnlyAttribute)).Any());
}

public sealed class EngineFactDiscoverer(IMessageSink sink) : FactDiscoverer(sink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo fact) =>
        SqliteOnlyAttribute.Excludes(method) ? [] : base.Discover(options, method, fact);
}

public sealed class EngineTheoryDiscoverer(IMessageSink sink) : TheoryDiscoverer(sink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method, IAttributeInfo theory) =>
        SqliteOnlyAttribute.Excludes(method) ? [] : base.Discover(options, method, theory);
}
