using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file on a connection of its own, so that the writer never
/// does (see <see cref="SqliteWriter"/>). The writer's connection has SQLite's automatic checkpoint switched off and
/// tells this one after each commit; once it has written <c>pages</c> pages to the log since the last checkpoint, a
/// passive checkpoint runs here: it copies what no reader still needs and waits for nobody, as SQLite's own does.
/// </summary>
internal sealed class SqliteCheckpointer(Func<CancellationToken, Task<DbConnection>> open, int pages) : IAsyncDisposable
{
    // One checkpoint asked for at most: asked again while one runs, the next copies what came meanwhile.
    private readonly Channel<bool> asked = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private Task? loop;
    private long writtenAtLast;

    public long Runs;
    public long Failures;

    /// <summary>A new writer connection: its automatic checkpoint off, its page count from zero.</summary>
    public void Attach(DbConnection writer)
    {
        using var pragma = writer.CreateCommand();
        pragma.CommandText = "PRAGMA wal_autocheckpoint = 0";
        pragma.ExecuteNonQuery();
        writtenAtLast = 0;
        loop ??= Task.Run(LoopAsync);
    }

    /// <summary>After each commit of the writer: a checkpoint once enough pages went to the log.</summary>
    public void Committed(DbConnection writer)
    {
        if (writer is not SqliteConnection { Handle: { } handle }) return;
        // The pages this connection has written to the log since it opened (SQLITE_DBSTATUS_CACHE_WRITE).
        raw.sqlite3_db_status(handle, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 0);
        if (written - writtenAtLast < pages) return;
        writtenAtLast = written;
        asked.Writer.TryWrite(true);
    }

    private async Task LoopAsync()
    {
        DbConnection? connection = null;
        while (await asked.Reader.WaitToReadAsync())
        {
            asked.Reader.TryRead(out _);
            try
            {
                connection ??= await open(CancellationToken.None);
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                await checkpoint.ExecuteNonQueryAsync();
                Interlocked.Increment(ref Runs);
            }
            catch (Exception)
            {
                // Nothing is lost: the log keeps every page until a later checkpoint copies it. Start afresh then.
                Interlocked.Increment(ref Failures);
                if (connection is not null) await connection.DisposeAsync();
                connection = null;
            }
        }
        if (connection is not null) await connection.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        asked.Writer.TryComplete();
        if (loop is not null) await loop;
    }
}
