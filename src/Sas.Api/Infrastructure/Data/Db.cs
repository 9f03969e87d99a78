using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Polly;
using Polly.Retry;

namespace Sas.Api.Infrastructure.Data;

/// <summary>Opens connections to the configured engine and knows its dialect.</summary>
public sealed class Db : IAsyncDisposable
{
    static Db()
    {
        // Dapper maps DateTime itself and would never ask a handler for parameters: remove its map first.
        SqlMapper.RemoveTypeMap(typeof(DateTime));
        SqlMapper.RemoveTypeMap(typeof(DateTime?));
        SqlMapper.AddTypeHandler(new UtcDateTimeHandler());
    }

    private readonly DatabaseOptions options;

    /// <summary>
    /// SQLite has one writer at a time. Writes of this process queue on one writer, asynchronously, instead
    /// of meeting SQLITE_BUSY and sleeping in the driver's retry loop (which made write latency jump in steps
    /// under load), and the writes waiting together share one commit; readers are not
    /// affected (WAL). Created on first use, so hosts that never write open no connection for it.
    /// </summary>
    private readonly Lazy<SqliteWriter> sqliteWriter;

    private readonly SemaphoreSlim? readers;

    /// <summary>Set on every SQLite connection as it is opened (pooled connections keep them, setting them again is cheap).</summary>
    private readonly string sqlitePragmas;

    private readonly StorageHealth? storage;

    /// <summary>SQL Server's connection string, its pool bounded (<see cref="DatabaseOptions.MaxPoolSize"/>).</summary>
    private readonly string sqlServer;

    /// <summary>PostgreSQL's pooled connections (created on first use).</summary>
    private readonly Lazy<NpgsqlDataSource> postgres;

    /// <summary>
    /// A server transaction that lost to another (deadlock victim, serialization failure) runs again, whole, up to
    /// 3 more times with a short jittered wait: the work delegates only talk to the database, so a second run is
    /// the same as a first, and idempotency keys make a retried booking answer once.
    /// </summary>
    private readonly ResiliencePipeline transientRetry;

    /// <summary>The SQLite connection string as opened: the configured one without its foreign-keys switch.</summary>
    private readonly string sqliteConnectionString;

    public Db(DatabaseOptions options, StorageHealth? storage = null)
    {
        this.options = options;
        this.storage = storage;
        postgres = new(() => NpgsqlDataSource.Create(options.PooledConnectionString()));
        sqlServer = options.Provider == DatabaseProvider.SqlServer ? options.PooledConnectionString() : "";
        transientRetry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<DbException>(e => options.Dialect.IsTransient(e)),
                MaxRetryAttempts = 3,
                Delay = TimeSpan.FromMilliseconds(20),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
        // Foreign keys are switched on by the batch below, once per physical connection (the bundled SQLite has them
        // on by default; another build may not): left in the connection string, the driver runs its own PRAGMA on
        // every open, pooled or not: a statement parsed, and its allocations, on every request.
        sqliteConnectionString = options.Provider == DatabaseProvider.Sqlite
            ? new SqliteConnectionStringBuilder(options.ConnectionString) { ForeignKeys = null }.ToString()
            : options.ConnectionString;
        // The writer's statement journal (a multi-row insert's undo, spilled past 64 KiB) in memory, not in a temporary
        // file written page by page (a year of rules: 89 → 74 s); and a larger cache (SqliteWriterCacheMegabytes).
        var writerPragmas = $"PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{options.SqliteWriterCacheMegabytes * 1024}";
        sqliteWriter = new(() => new SqliteWriter(ct => OpenSqliteAsync(new StatementCachingConnection(sqliteConnectionString), ct, writerPragmas), options.SqliteMaxBatch,
            ct => OpenSqliteAsync(new PrefixedSqliteConnection(sqliteConnectionString), ct), options.SqliteCheckpointPages));
        sqlitePragmas = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000"
            + (options.SqliteSynchronous == "NORMAL" ? "; PRAGMA synchronous = NORMAL" : "")
            + $"; PRAGMA mmap_size = {Math.Max(0, (long)options.SqliteMmapMegabytes) * 1024 * 1024}";
        var turns = options.SqliteReaders ?? 2 * Environment.ProcessorCount;
        if (options.Provider == DatabaseProvider.Sqlite && turns > 0)
        {
            readers = new SemaphoreSlim(turns, turns);
            ReaderTurns = turns;
        }
    }

    /// <summary>SQLite reader turns in all, and free now (null without a limit, or on a server engine): for health and the tests.</summary>
    public int? ReaderTurns { get; }
    public int? FreeReaderTurns => readers?.CurrentCount;

    public SqlDialect Dialect => options.Dialect;
    public DatabaseProvider Provider => options.Provider;

    /// <summary>The SQLite writer's counts so far (zero on SQL Server).</summary>
    public (long Commits, long Writes) WriterCounts => sqliteWriter.IsValueCreated ? (sqliteWriter.Value.Commits, sqliteWriter.Value.Writes) : (0, 0);

    /// <summary>The SQLite log's checkpoints run beside the writer so far, and failed (zero on a server engine).</summary>
    public (long Runs, long Failures) Checkpoints => sqliteWriter.IsValueCreated ? (sqliteWriter.Value.Checkpoints, sqliteWriter.Value.CheckpointFailures) : (0, 0);

    /// <summary>
    /// A connection for reading (or, on SQL Server, for anything). On SQLite, at most
    /// <see cref="DatabaseOptions.SqliteReaders"/> are open at once and the others wait their turn here,
    /// asynchronously: the driver runs every query synchronously on a pool thread, and with 32 readers on
    /// 2 cores the writer's thread got a thirtieth of the CPU while holding the only write lock, so every
    /// booking waited behind searches. The connection gives its turn back when disposed.
    /// </summary>
    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (options.Provider == DatabaseProvider.SqlServer)
        {
            var sql = new SqlConnection(sqlServer);
            await sql.OpenAsync(ct);
            return sql;
        }
        if (options.Provider == DatabaseProvider.PostgreSql) return await postgres.Value.OpenConnectionAsync(ct);
        if (readers is null) return await OpenSqliteAsync(new PrefixedSqliteConnection(sqliteConnectionString), ct);
        await readers.WaitAsync(ct);
        // From here the turn belongs to the connection, and only the connection gives it back: when the open is
        // cancelled (a client that gave up) it is disposed here. Giving the turn back here as well made the
        // finalizer of that undisposed connection give it back a second time, and the SemaphoreFullException
        // thrown on the finalizer thread ended the process.
        TurnReturningConnection connection;
        try { connection = new TurnReturningConnection(sqliteConnectionString, readers); }
        catch
        {
            readers.Release();
            throw;
        }
        try
        {
            return await OpenSqliteAsync(connection, ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A SQLite connection of its own, outside the reader turns, configured like the others: for a reader that keeps
    /// one connection and its prepared statements for the life of the process (the slot index's change feed).
    /// </summary>
    public Task<DbConnection> OpenOwnSqliteAsync(CancellationToken ct) =>
        OpenSqliteAsync(new PrefixedSqliteConnection(sqliteConnectionString), ct);

    /// <summary>
    /// The physical SQLite connections already given <see cref="sqlitePragmas"/>: the pool hands the same one out again,
    /// and its settings stay with it. Running the batch on every open (a command, its reader and three statements
    /// parsed) cost each pooled request allocations and a round through the engine for nothing.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> configured = [];

    private async Task<DbConnection> OpenSqliteAsync(SqliteConnection sqlite, CancellationToken ct, string? morePragmas = null)
    {
        await sqlite.OpenAsync(ct);
        // A pooled handle keeps what was set on it; the writer's own settings are set whatever the handle was before.
        var known = sqlite.Handle is { } handle && configured.TryGetValue(handle, out _);
        if (known && morePragmas is null) return sqlite;
        // Another process writing (a second instance, a maintenance script) is waited for by SQLite itself.
        await using var pragma = sqlite.CreateCommand();
        pragma.CommandText = string.Join("; ", new[] { known ? null : sqlitePragmas, morePragmas }.OfType<string>());
        await pragma.ExecuteNonQueryAsync(ct);
        if (sqlite.Handle is { } opened) configured.AddOrUpdate(opened, configured);
        return sqlite;
    }

    /// <summary>
    /// Holds one reader turn and gives it back exactly once: when disposed, or from its finalizer if some code
    /// path lost it undisposed (the turn must not leak, and the finalizer must not throw).
    /// </summary>
    private sealed class TurnReturningConnection(string connectionString, SemaphoreSlim turns) : PrefixedSqliteConnection(connectionString)
    {
        private SemaphoreSlim? turn = turns;

        protected override void Dispose(bool disposing)
        {
            try
            {
                base.Dispose(disposing);
            }
            finally
            {
                Interlocked.Exchange(ref turn, null)?.Release();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction, committed when it returns and rolled back when it
    /// throws. On SQLite it may share the transaction with other writes, each in its own savepoint: the
    /// work must not commit, and its caller is answered once the commit holding its changes is durable.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        try
        {
            var result = options.Provider == DatabaseProvider.Sqlite
                ? await sqliteWriter.Value.RunAsync(work, ct)
                : await InServerTransactionAsync(work, ct);
            storage?.Wrote();
            return result;
        }
        catch (DbException e) when (Dialect.IsStorageRefusal(e))
        {
            // Said once by StorageHealth, answered 503 by the error handler: the storage, not the request, is at fault.
            storage?.Refused(e);
            throw new StorageUnavailableException(e);
        }
    }

    /// <summary>
    /// READ COMMITTED on both server engines (docs/isolation.md): every read that decides a write locks its rows
    /// (<see cref="SqlDialect.UpdateLock"/>, <see cref="SqlDialect.ForUpdate"/>), every state change carries its
    /// condition in the UPDATE's WHERE, and uniqueness is the database's.
    /// </summary>
    private Task<T> InServerTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) =>
        transientRetry.ExecuteAsync(async token =>
        {
            await using var connection = await OpenAsync(token);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, token);
            var result = await work(connection, tx);
            await tx.CommitAsync(token);
            return result;
        }, ct).AsTask();

    /// <summary>
    /// One write statement, answering the rows it changed. It goes through <see cref="InTransactionAsync{T}"/>
    /// so that on SQLite it queues with the other writes instead of fighting them for the lock on its own
    /// connection (the loser sleeps in SQLite's busy handler: that made syncs wait for seconds).
    /// </summary>
    public Task<int> ExecuteAsync(string sql, object? args, CancellationToken ct) =>
        InTransactionAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct)), ct);

    public async ValueTask DisposeAsync()
    {
        if (sqliteWriter.IsValueCreated) await sqliteWriter.Value.DisposeAsync();
        if (postgres.IsValueCreated) await postgres.Value.DisposeAsync();
    }

    /// <summary>An instant as sent: a local time converted, an unspecified one taken as UTC.</summary>
    public static DateTime AsUtc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    /// <summary>An instant as a parameter, on every engine: what Dapper's handler does, for commands bound by hand.</summary>
    public static void SetInstant(IDbDataParameter parameter, DateTime value)
    {
        var utc = AsUtc(value);
        if (parameter is NpgsqlParameter npgsql) npgsql.NpgsqlDbType = NpgsqlDbType.TimestampTz;
        else parameter.DbType = DbType.DateTime2;
        // SQL Server's columns are datetime2(0), which rounds: 10:00:00.6 would be stored as 10:00:01, a second later
        // than the instant answered. Whole seconds are sent, truncated, so what is stored is what was said.
        if (parameter is SqlParameter) utc = new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        parameter.Value = utc;
    }

    /// <summary>
    /// Instants are UTC on every engine: SQLite text, SQL Server <c>datetime2</c> (never the legacy <c>datetime</c>),
    /// PostgreSQL <c>timestamptz</c>. Every value is sent as UTC and read back as a UTC <see cref="DateTime"/>.
    /// </summary>
    private sealed class UtcDateTimeHandler : SqlMapper.TypeHandler<DateTime>
    {
        public override void SetValue(IDbDataParameter parameter, DateTime value) => SetInstant(parameter, value);

        public override DateTime Parse(object value) => value switch
        {
            DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            string s => StoredInstant.Parse(s),
            _ => throw new DataException($"cannot read {value.GetType()} as an instant"),
        };
    }
}
