using Dapper;
using Microsoft.Data.Sqlite;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Tests;

/// <summary>SQLite readers take turns, so the single writer keeps a share of the CPU; writes never wait for a turn.</summary>
public sealed class SqliteReaderTests : IAsyncDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"sas-readers-{Guid.NewGuid():N}.db");
    private readonly Db db;

    public SqliteReaderTests()
    {
        db = new Db(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={path};Pooling=True", SqliteReaders = 1 });
        using var c = new SqliteConnection($"Data Source={path}");
        c.Execute("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY)");
    }

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

    public async ValueTask DisposeAsync()
    {
        await db.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(path + suffix); } catch (IOException) { /* the OS will clean the temp folder */ }
    }
}
