#if !SAS_TEST_SQLSERVER // SQL Server answers searches by the statement: it has no slot index
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;
using Xunit.Abstractions;

namespace Sas.Api.Tests;

/// <summary>
/// The slot index under chaos, briefly (the bench's <c>--index-chaos</c> runs it for minutes): two nodes writing and
/// searching while reads fail, wait and lose their connection, feed rows are aged and pruned, and the database is taken
/// back to an earlier copy; every checked search equals the statement in the same snapshot, and no answer is a 5xx other
/// than 503. Alone: it keeps both cores busy.
/// </summary>
[Trait(Tier.Name, Tier.Slow)]
[Collection(nameof(TelemetryCollection))]
public class IndexChaosTests(ITestOutputHelper output)
{
    private const int MaxReloads = 100;

    [Fact]
    public async Task Two_nodes_under_faults_never_answer_a_search_the_statement_would_not()
    {
        // On PostgreSQL a cluster of the run's own when this machine can start one: the run rewinds it as a failover does.
        var rewound = !TestEngine.IsPostgres || Sas.Bench.ThrowawayPostgres.Binaries is not null;
        var connectionString = TestEngine.IsPostgres && rewound ? null : TestEngine.NewDatabase();
        try
        {
            var log = new StringWriter();
            var result = await Sas.Bench.IndexChaos.RunAsync(Enum.Parse<DatabaseProvider>(TestEngine.Provider), connectionString,
                TimeSpan.FromSeconds(25), seed: 20261206, log);
            output.WriteLine(result.ToString());
            Assert.Equal(0, result.Mismatches);
            Assert.Equal(0, result.ServerErrors); // a database down or rewound answers 503, never 500
            // The database taken back to an earlier copy while the nodes ran (issue #28's defect 3).
            if (rewound) Assert.True(result.Rewinds >= 1, result.ToString());
            Assert.True(result.Checks >= 300, result.ToString());
            Assert.True(result.FaultsInjected > 0 && result.Writes > 100, result.ToString()); // answered, not refused by a missing right
            // Whole reads only where a node must: its start, the verifications, the gaps the aged-and-pruned rows make,
            // the rewinds (18 to 59 in its runs, most of them prune gaps). On PostgreSQL a transaction is open in another
            // database most of the time: reading from its xmin reloads on every read past 5,000 changes (204 and 263).
            Assert.True(result.Reloads <= MaxReloads, result.ToString());
        }
        finally
        {
            if (connectionString is not null) TestEngine.DropDatabase(connectionString);
        }
    }
}
#endif
