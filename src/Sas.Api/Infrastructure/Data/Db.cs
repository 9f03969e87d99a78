using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Sas.Api.Infrastructure.Data;

/// <summary>Opens connections to the configured engine and knows its dialect.</summary>
public sealed class Db(DatabaseOptions options)
{
    static Db()
    {
        SqlMapper.AddTypeHandler(new UtcDateTimeHandler());
    }

    public SqlDialect Dialect => options.Dialect;
    public DatabaseProvider Provider => options.Provider;

    /// <summary>
    /// SQLite has one writer at a time. Writers of this process queue here, asynchronously, instead of
    /// meeting SQLITE_BUSY and sleeping in the driver's retry loop (which made write latency jump by
    /// 150 ms steps under load); readers are not affected (WAL).
    /// </summary>
    private readonly SemaphoreSlim sqliteWriter = new(1, 1);

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (options.Provider == DatabaseProvider.SqlServer)
        {
            var sql = new SqlConnection(options.ConnectionString);
            await sql.OpenAsync(ct);
            return sql;
        }
        var sqlite = new SqliteConnection(options.ConnectionString);
        await sqlite.OpenAsync(ct);
        // Another process writing (a second instance, a maintenance script) is waited for by SQLite itself.
        await using var pragma = sqlite.CreateCommand();
        pragma.CommandText = options.SqliteSynchronous == "NORMAL" ? "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL" : "PRAGMA busy_timeout = 10000";
        await pragma.ExecuteNonQueryAsync(ct);
        return sqlite;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        var gated = options.Provider == DatabaseProvider.Sqlite;
        if (gated) await sqliteWriter.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            // SQLite: BEGIN IMMEDIATE takes the write lock at once, so the transaction cannot fail at commit.
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            var result = await work(connection, tx);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            if (gated) sqliteWriter.Release();
        }
    }

    /// <summary>
    /// Instants are stored as UTC without an offset on both engines. This makes every value read back
    /// a UTC <see cref="DateTime"/>, and sends <c>datetime2</c> rather than the legacy <c>datetime</c>.
    /// </summary>
    private sealed class UtcDateTimeHandler : SqlMapper.TypeHandler<DateTime>
    {
        public override void SetValue(IDbDataParameter parameter, DateTime value)
        {
            parameter.DbType = DbType.DateTime2;
            parameter.Value = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
        }

        public override DateTime Parse(object value) => value switch
        {
            DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            string s => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
            _ => throw new DataException($"cannot read {value.GetType()} as an instant"),
        };
    }
}
