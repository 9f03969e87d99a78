#if SAS_TEST_POSTGRES
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.MultiNode;

/// <summary>How a server engine's write transactions run (docs/isolation.md): READ COMMITTED, a lost one run again.</summary>
public class ServerTransactionTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private Db Db => api.Services.GetRequiredService<Db>();

    [Fact]
    public async Task Write_transactions_run_at_read_committed()
    {
        _ = api.Admin();
        var level = await Db.InTransactionAsync((c, tx) => c.ExecuteScalarAsync<string>(new CommandDefinition("SHOW transaction_isolation", transaction: tx)));
        Assert.Equal("read committed", level);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    [InlineData(PostgresErrorCodes.DeadlockDetected)]
    public async Task A_transaction_that_lost_to_another_runs_again_whole(string sqlState)
    {
        _ = api.Admin();
        var runs = 0;
        var answer = await Db.InTransactionAsync(async (c, tx) =>
        {
            if (++runs == 1) throw new PostgresException("lost", "ERROR", "ERROR", sqlState);
            return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 42", transaction: tx));
        });
        Assert.Equal((2, 42L), (runs, answer));
    }

    [Fact]
    public async Task Any_other_error_is_not_retried()
    {
        _ = api.Admin();
        var runs = 0;
        await Assert.ThrowsAsync<PostgresException>(() => Db.InTransactionAsync<int>((_, _) =>
        {
            runs++;
            throw new PostgresException("no", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation);
        }));
        Assert.Equal(1, runs);
    }
}
#endif
