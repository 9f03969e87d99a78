using Dapper;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>SQLite readers take turns, so the single writer keeps a share of the CPU; writes never wait for a turn.</summary>
[SqliteOnly("SQLite's reader turns")]
public sealed class SqliteReaderTests : IAsyncDisposable
{
    private readonly TempSqliteDb temp = new("t (id INTEGER PRIMARY KEY)", readers: 1);
    private readonly Db db;

    public SqliteReaderTests() => db = temp.Db;

    [Fact]
    public async Task A_reader_waits_for_a_turn_that_comes_back_when_the_other_is_disposed_and_writes_go_ahead()
    {
        var first = await db.OpenAsync();
        var second = db.OpenAsync();
        await Task.Yield();
        Assert.False(second.IsCompleted); // one turn, taken

        // The writer has its own connection: a write lands while every reader's turn is taken.
        Assert.Equal(1, await db.ExecuteAsync("INSERT INTO t (id) VALUES (1)", null, default));
        Assert.Equal(1L, await first.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t"));

        await first.DisposeAsync();
        await using var next = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1L, await next.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t"));

        using var cancel = new CancellationTokenSource();
        var waiting = db.OpenAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting); // gives up its place, takes no turn
    }

    public ValueTask DisposeAsync() => temp.DisposeAsync();
}
