using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>The SQLite group commit: writes waiting together share a commit, and each keeps its own outcome.</summary>
[SqliteOnly("SQLite's single writer and its group commit")]
public sealed class SqliteWriterTests : IAsyncDisposable
{
    private readonly TempSqliteDb temp = new("t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
    private readonly Db db;

    public SqliteWriterTests() => db = temp.Db;

    private Task<int> Insert(int id, string name, CancellationToken ct = default) =>
        db.InTransactionAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("INSERT INTO t (id, name) VALUES (@id, @name)", new { id, name }, tx, cancellationToken: ct)), ct);

    private async Task<List<long>> Ids()
    {
        await using var c = await db.OpenAsync();
        return (await c.QueryAsync<long>("SELECT id FROM t ORDER BY id")).AsList();
    }

    /// <summary>The first write waits inside its transaction; everything queued meanwhile is committed together after it.</summary>
    private async Task<List<Task<int>>> QueuedBehindABusyWrite(IEnumerable<Func<Task<int>>> writes)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = db.InTransactionAsync(async (c, tx) =>
        {
            entered.SetResult();
            await gate.Task;
            return await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (1, 'first')", transaction: tx);
        });
        await entered.Task;
        var queued = writes.Select(w => w()).ToList();
        gate.SetResult();
        await first;
        return queued;
    }

    [Fact]
    public async Task Writes_waiting_together_share_one_commit_and_all_land()
    {
        var queued = await QueuedBehindABusyWrite(Enumerable.Range(2, 10).Select(i => (Func<Task<int>>)(() => Insert(i, $"n{i}"))));
        Assert.All(await Task.WhenAll(queued), changed => Assert.Equal(1, changed));

        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), await Ids());
        Assert.Equal((2L, 11L), db.WriterCounts); // the busy write alone, then the ten that waited in one commit
    }

    [Fact]
    public async Task A_write_that_throws_is_rolled_back_alone_and_its_caller_gets_the_error()
    {
        var queued = await QueuedBehindABusyWrite(
        [
            () => Insert(2, "two"),
            () => db.InTransactionAsync<int>(async (c, tx) =>
            {
                await c.ExecuteAsync("INSERT INTO t (id, name) VALUES (3, 'three')", transaction: tx);
                throw new InvalidOperationException("business rule refused it");
            }),
            () => Insert(4, "two"), // unique name: the engine refuses it
            () => Insert(5, "five"),
        ]);

        Assert.Equal(1, await queued[0]);
        Assert.Equal("business rule refused it", (await Assert.ThrowsAsync<InvalidOperationException>(() => queued[1])).Message);
        Assert.True(db.Dialect.IsUniqueViolation(await Assert.ThrowsAsync<SqliteException>(() => queued[2])));
        Assert.Equal(1, await queued[3]);
        Assert.Equal([1L, 2L, 5L], await Ids()); // 3 was inserted, then rolled back with its savepoint
        Assert.Equal((2L, 5L), db.WriterCounts);
    }

    [Fact]
    public async Task A_write_cancelled_while_queued_never_runs()
    {
        using var cancel = new CancellationTokenSource();
        var queued = await QueuedBehindABusyWrite([() => { var t = Insert(2, "two", cancel.Token); cancel.Cancel(); return t; }, () => Insert(3, "three")]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued[0]);
        Assert.Equal(1, await queued[1]);
        Assert.Equal([1L, 3L], await Ids());
    }

    [Fact]
    public async Task The_work_runs_in_its_callers_context_so_the_audit_sees_the_request_trace()
    {
        using var activity = new Activity("request").Start();
        var seen = await db.InTransactionAsync((_, _) => Task.FromResult(Activity.Current?.TraceId.ToString()));
        Assert.Equal(activity.TraceId.ToString(), seen);
    }

    [Fact]
    public async Task The_log_is_checkpointed_beside_the_writer_never_in_its_commits()
    {
        await using var small = new TempSqliteDb("b (id INTEGER PRIMARY KEY, data BLOB NOT NULL)", checkpointPages: 32);
        // SQLite's own checkpoint, run by the commit that crosses its threshold, is off in the writer.
        Assert.Equal(0L, await small.Db.InTransactionAsync((c, tx) => c.ExecuteScalarAsync<long>("PRAGMA wal_autocheckpoint", transaction: tx)));

        for (var i = 0; i < 40; i++) // 40 commits of 4 pages or more: past the 32 pages more than once
            await small.Db.InTransactionAsync((c, tx) => c.ExecuteAsync("INSERT INTO b (id, data) VALUES (@i, zeroblob(16384))", new { i }, tx));

        var deadline = DateTime.UtcNow.AddSeconds(30); // the checkpoint runs on its own task: wait for it, boundedly
        while (small.Db.Checkpoints.Runs == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(small.Db.Checkpoints.Runs >= 1, "no checkpoint ran beside the writer");
        Assert.Equal(0, small.Db.Checkpoints.Failures);
        await using var c = await small.Db.OpenAsync();
        Assert.Equal(40L, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM b"));
    }

    /// <summary>
    /// A multi-row insert's statement journal in memory (in a temporary file it was a system call a page) and a larger
    /// cache, on the writer only, even when the pool hands it a handle a reader used before.
    /// </summary>
    [Fact]
    public async Task The_writer_keeps_its_statement_journal_in_memory_and_a_larger_cache_readers_do_not()
    {
        static Task<long> Pragma(DbConnection c, string name, DbTransaction? tx = null) => c.ExecuteScalarAsync<long>($"PRAGMA {name}", transaction: tx);
        await using (var reader = await db.OpenAsync()) // configured as a reader, then back to the pool
            Assert.Equal((0L, -2000L), (await Pragma(reader, "temp_store"), await Pragma(reader, "cache_size")));

        var writer = await db.InTransactionAsync(async (c, tx) => (await Pragma(c, "temp_store", tx), await Pragma(c, "cache_size", tx)));

        Assert.Equal((2L, -64L * 1024), writer); // MEMORY, and DatabaseOptions.SqliteWriterCacheMegabytes' 64 MiB
        await using var after = await db.OpenAsync();
        Assert.Equal(-2000L, await Pragma(after, "cache_size"));
    }

    public ValueTask DisposeAsync() => temp.DisposeAsync();
}
