namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// Everything that differs between SQLite, SQL Server and PostgreSQL in the statements we issue. The stores
/// write standard SQL and ask this class for the few parts that cannot be written once.
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();
    public static readonly SqlDialect SqlServer = new SqlServerDialect();
    public static readonly SqlDialect PostgreSql = new PostgreSqlDialect();

    /// <summary>Appended after an <c>ORDER BY</c>: keep the first rows only.</summary>
    public abstract string Limit(string parameter);

    /// <summary>An <c>INSERT</c> that answers the generated <c>id</c>.</summary>
    public abstract string InsertReturningId(string table, string columns, string values);

    /// <summary>An <c>UPDATE</c> that answers the listed columns of the rows it changed.</summary>
    public abstract string UpdateReturning(string table, string set, string where, string columns);

    /// <summary>Deletes at most <paramref name="batch"/> rows matching <paramref name="where"/>: a long purge in short write transactions.</summary>
    public abstract string DeleteBatch(string table, string where, string batch);

    /// <summary><paramref name="column"/> is one of the values of a <see cref="ValueList"/> parameter.</summary>
    public abstract string InList(string column, string parameter);

    /// <summary>Text concatenation of two expressions.</summary>
    public abstract string Concat(string left, string right);

    /// <summary>An integer expression as text.</summary>
    public abstract string IntegerAsText(string expression);

    /// <summary>
    /// A stored instant (whole seconds) as seconds since 1970 UTC: read as an integer, where SQLite would hand over its
    /// text and the reader a string to parse for each value.
    /// </summary>
    public abstract string EpochSeconds(string column);


    /// <summary>
    /// A read that decides a write locks what it read until the transaction ends, so that two transactions at READ
    /// COMMITTED cannot both decide on the same rows: SQL Server says it with a table hint after the table name
    /// (<see cref="UpdateLock"/>: update locks, held as range locks), PostgreSQL with a clause at the end of the
    /// statement (<see cref="ForUpdate"/>). Such a read writes both; SQLite needs neither (one writer at a time).
    /// </summary>
    public abstract string UpdateLock { get; }

    /// <inheritdoc cref="UpdateLock"/>
    public virtual string ForUpdate => "";

    /// <summary>
    /// Claiming queued work (outbox rows) on several nodes at once: each takes rows the others have not locked,
    /// without waiting for them. A table hint (SQL Server) and a clause (PostgreSQL), as for <see cref="UpdateLock"/>.
    /// </summary>
    public virtual string ClaimHint => "";

    /// <summary>The clause half of <see cref="ClaimHint"/>, locking the rows of the table named <paramref name="alias"/> only.</summary>
    public virtual string ClaimClause(string alias) => "";

    /// <summary>
    /// Whether a transaction lost to another and may simply run again: a deadlock victim or a serialization failure
    /// (<see cref="Db.InTransactionAsync{T}"/> retries it; idempotency keys make a retried booking safe).
    /// </summary>
    public virtual bool IsTransient(System.Data.Common.DbException error) => false;

    /// <summary>Whether an error is a unique index saying "someone else got there first".</summary>
    public abstract bool IsUniqueViolation(System.Data.Common.DbException error);

    /// <summary>
    /// Whether an error is the storage refusing to keep data (disk or log full, read-only files, an I/O
    /// error), not a fault of the statement: the request may succeed later, elsewhere or once an operator acts.
    /// </summary>
    public abstract bool IsStorageRefusal(System.Data.Common.DbException error);

    /// <summary>
    /// Whether the database could not answer, for a reason of its own and for a while (too many connections, a server
    /// shutting down or restarting, a connection lost, a pool with no connection free in time, a transaction that lost
    /// again after its retries): 503 <c>storage_unavailable</c> with Retry-After, never a 500.
    /// </summary>
    public abstract bool IsUnavailable(System.Data.Common.DbException error);

    private sealed class SqliteDialect : SqlDialect
    {
        public override string Limit(string parameter) => $"LIMIT {parameter}";
        public override string InsertReturningId(string table, string columns, string values) =>
            $"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id";
        public override string UpdateLock => "";
        public override string InList(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";
        public override string DeleteBatch(string table, string where, string batch) =>
            $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {where} LIMIT {batch})";
        public override string Concat(string left, string right) => $"{left} || {right}";
        public override string IntegerAsText(string expression) => $"CAST({expression} AS TEXT)";
        public override string EpochSeconds(string column) => $"CAST(strftime('%s', {column}) AS INTEGER)";
        public override string UpdateReturning(string table, string set, string where, string columns) =>
            $"UPDATE {table} SET {set} WHERE {where} RETURNING {columns}";
        public override bool IsUniqueViolation(System.Data.Common.DbException error) =>
            error is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };
        // SQLITE_READONLY 8, SQLITE_IOERR 10, SQLITE_FULL 13, SQLITE_CANTOPEN 14.
        public override bool IsStorageRefusal(System.Data.Common.DbException error) =>
            error is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 8 or 10 or 13 or 14 };
        // SQLITE_BUSY and SQLITE_LOCKED once the busy timeout has passed: another process holds the file.
        public override bool IsUnavailable(System.Data.Common.DbException error) =>
            error is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 };
    }

    private sealed class SqlServerDialect : SqlDialect
    {
        public override string Limit(string parameter) => $"OFFSET 0 ROWS FETCH NEXT {parameter} ROWS ONLY";
        public override string InsertReturningId(string table, string columns, string values) =>
            $"INSERT INTO {table} ({columns}) OUTPUT INSERTED.id VALUES ({values})";
        public override string UpdateLock => "WITH (UPDLOCK, HOLDLOCK)";
        public override string InList(string column, string parameter) => $"{column} IN (SELECT value FROM OPENJSON({parameter}))";
        public override string ClaimHint => "WITH (UPDLOCK, READPAST, ROWLOCK)";
        // 1205 deadlock victim; 1222 lock request timeout.
        public override bool IsTransient(System.Data.Common.DbException error) =>
            error is Microsoft.Data.SqlClient.SqlException { Number: 1205 or 1222 };
        public override string DeleteBatch(string table, string where, string batch) => $"DELETE TOP ({batch}) FROM {table} WHERE {where}";
        public override string Concat(string left, string right) => $"{left} + {right}";
        public override string IntegerAsText(string expression) => $"CAST({expression} AS VARCHAR(20))";
        public override string EpochSeconds(string column) => $"DATEDIFF_BIG(SECOND, '19700101', {column})";
        public override string UpdateReturning(string table, string set, string where, string columns) =>
            $"UPDATE {table} SET {set} OUTPUT {string.Join(", ", columns.Split(',').Select(c => "INSERTED." + c.Trim()))} WHERE {where}";
        public override bool IsUniqueViolation(System.Data.Common.DbException error) =>
            error is Microsoft.Data.SqlClient.SqlException { Number: 2601 or 2627 };
        // 1101/1105 no space in the filegroup, 9002 transaction log full, 3906 database read-only, 823/824 I/O errors.
        public override bool IsStorageRefusal(System.Data.Common.DbException error) =>
            error is Microsoft.Data.SqlClient.SqlException { Number: 1101 or 1105 or 9002 or 3906 or 823 or 824 };
        // Timeout, network errors, deadlock and lock timeout after retries, and Azure SQL's transient errors.
        public override bool IsUnavailable(System.Data.Common.DbException error) =>
            error is Microsoft.Data.SqlClient.SqlException { Number: -2 or 2 or 53 or 64 or 233 or 1205 or 1222 or 10053 or 10054 or 10060 or 10928 or 10929 or 40143 or 40197 or 40501 or 40613 or 49918 or 49919 or 49920 or 4060 or 18456 }
            || error.IsTransient;
    }

    private sealed class PostgreSqlDialect : SqlDialect
    {
        public override string Limit(string parameter) => $"LIMIT {parameter}";
        public override string InsertReturningId(string table, string columns, string values) =>
            $"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id";
        public override string UpdateLock => "";
        public override string ForUpdate => "FOR UPDATE";
        public override string InList(string column, string parameter) => $"{column} = ANY({parameter})";
        public override string ClaimClause(string alias) => $"FOR UPDATE OF {alias} SKIP LOCKED";
        public override string DeleteBatch(string table, string where, string batch) =>
            $"DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {where} LIMIT {batch})";
        public override string Concat(string left, string right) => $"{left} || {right}";
        public override string IntegerAsText(string expression) => $"CAST({expression} AS TEXT)";
        public override string EpochSeconds(string column) => $"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)";
        public override string UpdateReturning(string table, string set, string where, string columns) =>
            $"UPDATE {table} SET {set} WHERE {where} RETURNING {columns}";
        public override bool IsUniqueViolation(System.Data.Common.DbException error) =>
            error is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation };
        public override bool IsTransient(System.Data.Common.DbException error) =>
            error is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.SerializationFailure or Npgsql.PostgresErrorCodes.DeadlockDetected };
        // 53100 disk full, 25006 read-only transaction (a standby after failover, default_transaction_read_only), 58030 I/O error.
        public override bool IsStorageRefusal(System.Data.Common.DbException error) =>
            error is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DiskFull or Npgsql.PostgresErrorCodes.ReadOnlySqlTransaction or Npgsql.PostgresErrorCodes.IoError };
        // 53300 too many connections, 53400 a configured limit, 57P01-57P03 shutdown and start-up, class 08 connection
        // exceptions, 40001/40P01 after the retries; and Npgsql's own transient errors (a connection lost or refused, a
        // pool with nothing free within its timeout).
        public override bool IsUnavailable(System.Data.Common.DbException error) => error switch
        {
            Npgsql.PostgresException p => p.SqlState is "53300" or "53400" or "57P01" or "57P02" or "57P03" or "40001" or "40P01" || p.SqlState.StartsWith("08", StringComparison.Ordinal),
            Npgsql.NpgsqlException n => n.IsTransient,
            _ => false,
        };
    }
}
