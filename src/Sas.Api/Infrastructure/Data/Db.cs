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

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = options.Provider == DatabaseProvider.SqlServer
            ? new SqlConnection(options.ConnectionString)
            : new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        // SQLite: BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of failing at commit.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        var result = await work(connection, tx);
        await tx.CommitAsync(ct);
        return result;
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
