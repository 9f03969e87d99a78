using System.Data;
using System.Data.Common;
using System.Threading.Channels;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// Group commit for SQLite, which has one writer at a time. Write transactions of this process queue here;
/// one loop takes every write waiting, runs each in its own savepoint of a single transaction on a connection
/// it keeps open, and commits once. A write that throws is rolled back to its savepoint and only its caller
/// sees the exception; the others commit. Each caller is answered after the commit that holds its write, so
/// durability is unchanged (<c>synchronous=FULL</c> still syncs before anyone is told), but a burst of
/// bookings shares one sync of the log instead of paying one each: the sync was half the cost of a write.
/// <para>
/// The log is copied back into the database file (a checkpoint) by a connection of its own, beside the writer, once
/// the writer has written <c>checkpointPages</c> pages to it since the last: left to SQLite, the commit that crosses
/// its threshold copies the log itself, and every write queued behind it waits (the rules job's longest
/// transactions); a larger log also copies a page changed by many commits once.
/// </para>
/// </summary>
public sealed class SqliteWriter : IAsyncDisposable
{
    private readonly Channel<IWrite> queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<CancellationToken, Task<DbConnection>> open;
    private readonly int maxBatch;
    private readonly Task loop;
    private readonly SqliteCheckpointer? checkpointer;

    /// <param name="open">Opens the writer's connection.</param>
    /// <param name="maxBatch">Writes sharing one commit at most.</param>
    /// <param name="openCheckpointer">Opens the checkpoint's own connection; null leaves checkpoints to SQLite in the writer.</param>
    /// <param name="checkpointPages">Pages written to the log between two checkpoints.</param>
    public SqliteWriter(Func<CancellationToken, Task<DbConnection>> open, int maxBatch,
        Func<CancellationToken, Task<DbConnection>>? openCheckpointer = null, int checkpointPages = 0)
    {
        this.open = open;
        this.maxBatch = Math.Max(1, maxBatch);
        if (openCheckpointer is not null && checkpointPages > 0) checkpointer = new SqliteCheckpointer(openCheckpointer, checkpointPages);
        loop = Task.Run(LoopAsync);
    }

    /// <summary>How many transactions were committed, and how many writes they held: for the tests and the bench.</summary>
    public long Commits { get; private set; }
    public long Writes { get; private set; }

    /// <summary>Checkpoints run beside the writer, and failed (the next one copies what they did not): for the tests.</summary>
    public long Checkpoints => checkpointer?.Runs ?? 0;
    public long CheckpointFailures => checkpointer?.Failures ?? 0;

    public Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var write = new Write<T>(work, ct);
        if (!queue.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(SqliteWriter), "The database writer has stopped.");
        return write.Task;
    }

    private async Task LoopAsync()
    {
        DbConnection? connection = null;
        var batch = new List<IWrite>(maxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < maxBatch && queue.Reader.TryRead(out var write))
                if (!write.CancelIfRequested()) batch.Add(write);
            if (batch.Count == 0) continue;
            try
            {
                if (connection is null)
                {
                    connection = await open(CancellationToken.None);
                    checkpointer?.Attach(connection);
                }
                await using (var tx = await connection.BeginTransactionAsync(IsolationLevel.Serializable))
                {
                    if (batch.Count == 1)
                    {
                        // Alone: the transaction itself is the savepoint.
                        if (!await batch[0].RunAsync(connection, tx)) { await tx.RollbackAsync(); batch[0].Complete(); continue; }
                    }
                    else
                    {
                        foreach (var write in batch)
                        {
                            await tx.SaveAsync("w");
                            if (!await write.RunAsync(connection, tx)) await tx.RollbackAsync("w");
                            await tx.ReleaseAsync("w");
                        }
                    }
                    await tx.CommitAsync();
                }
                Commits++;
                Writes += batch.Count;
                checkpointer?.Committed(connection);
                foreach (var write in batch) write.Complete();
            }
            catch (Exception e)
            {
                // The transaction could not be committed: none of its writes happened. Start afresh.
                foreach (var write in batch) write.Fail(e);
                if (connection is not null) await connection.DisposeAsync();
                connection = null;
            }
        }
        if (connection is not null) await connection.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
        if (checkpointer is not null) await checkpointer.DisposeAsync();
    }

    private interface IWrite
    {
        bool CancelIfRequested();
        /// <summary>Runs the work; false when it threw, and its changes must be rolled back.</summary>
        Task<bool> RunAsync(DbConnection connection, DbTransaction tx);
        void Complete();
        void Fail(Exception e);
    }

    private sealed class Write<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) : IWrite
    {
        private readonly TaskCompletionSource<T> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // The caller's ambient context (its trace, for the audit trail; its logging scope) goes with the work.
        private readonly ExecutionContext? context = ExecutionContext.Capture();
        private T? result;
        private Exception? error;

        public Task<T> Task => answer.Task;

        public bool CancelIfRequested() => ct.IsCancellationRequested && answer.TrySetCanceled(ct);

        public async Task<bool> RunAsync(DbConnection connection, DbTransaction tx)
        {
            try
            {
                Task<T> started = null!;
                if (context is null) started = work(connection, tx);
                else ExecutionContext.Run(context, _ => started = work(connection, tx), null);
                result = await started;
                return true;
            }
            catch (Exception e)
            {
                error = e;
                return false;
            }
        }

        public void Complete()
        {
            if (error is OperationCanceledException && ct.IsCancellationRequested) answer.TrySetCanceled(ct);
            else if (error is not null) answer.TrySetException(error);
            else answer.TrySetResult(result!);
        }

        public void Fail(Exception e) => answer.TrySetException(error ?? e);
    }
}
