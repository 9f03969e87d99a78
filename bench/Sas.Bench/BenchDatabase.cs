using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using Sas.Api.Infrastructure.Data;

namespace Sas.Bench;

/// <summary>
/// The database a hosted bench run uses, new for each run: an SQLite file in the work folder, or a PostgreSQL database
/// (on <c>--postgres</c>, <c>SAS_TEST_POSTGRES</c>, or a throwaway cluster started from this machine's binaries).
/// </summary>
public sealed class BenchDatabase
{
    private BenchDatabase(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = connectionString;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public SqlDialect Dialect => new DatabaseOptions { Provider = Provider }.Dialect;
    public bool IsSqlite => Provider == DatabaseProvider.Sqlite;

    public static BenchDatabase Create(BenchOptions o)
    {
        if (o.Engine == "postgres")
        {
            var server = o.Postgres ?? (Environment.GetEnvironmentVariable("SAS_TEST_POSTGRES") is { Length: > 0 } given ? given : ThrowawayPostgres.ConnectionString);
            var name = $"sas_bench_{o.Slots}_{Guid.NewGuid():N}"[..48];
            using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString))
            {
                admin.Open();
                admin.Execute($"CREATE DATABASE {name}");
            }
            // Statements repeated by the loader are prepared by Npgsql itself.
            return new BenchDatabase(DatabaseProvider.PostgreSql, new NpgsqlConnectionStringBuilder(server) { Database = name, MaxAutoPrepare = 20, MaxPoolSize = 200 }.ConnectionString);
        }
        Directory.CreateDirectory(o.WorkFolder);
        var file = Path.Combine(o.WorkFolder, $"bench-{o.Slots}.db");
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) System.IO.File.Delete(f);
        return new BenchDatabase(DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 30, ForeignKeys = true, Pooling = true }.ToString());
    }

    /// <summary>The SQLite file (for <c>--reuse</c>).</summary>
    public string File => new SqliteConnectionStringBuilder(ConnectionString).DataSource;

    public DbConnection Open()
    {
        DbConnection c = IsSqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        c.Open();
        return c;
    }

    /// <summary>
    /// Bytes the data takes: SQLite's pages in use (the WAL's included: the connection sees the latest commit; not the
    /// file, whose free pages are reused), PostgreSQL's database size (which counts dead rows until vacuumed).
    /// </summary>
    public long UsedBytes()
    {
        using var db = Open();
        return IsSqlite
            ? db.ExecuteScalar<long>("SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())") * db.ExecuteScalar<long>("PRAGMA page_size")
            : db.ExecuteScalar<long>("SELECT pg_database_size(current_database())");
    }

    /// <summary>Removes a PostgreSQL run's database (an SQLite file is replaced by the next run).</summary>
    public void Drop()
    {
        if (IsSqlite) return;
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        admin.Open();
        admin.Execute($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(ConnectionString).Database} WITH (FORCE)");
    }

    /// <summary>Slots with two live bookings: there must be none.</summary>
    public long DoubleBookings()
    {
        using var c = Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM (SELECT slot_id FROM bookings WHERE status = 'booked' AND slot_id IS NOT NULL GROUP BY slot_id HAVING COUNT(*) > 1) AS doubles");
    }
}
