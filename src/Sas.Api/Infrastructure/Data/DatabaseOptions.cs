namespace Sas.Api.Infrastructure.Data;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>Section <c>Database</c>, plus <c>ConnectionStrings:Sas</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Resolved at startup: <c>ConnectionStrings:Sas</c>, or the SQLite default file.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// SQLite's <c>synchronous</c>: FULL (default) makes every commit durable at once, at the price of an
    /// fsync per write; NORMAL, safe against corruption in WAL, may lose the last commits on a power cut.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "FULL";

    /// <summary>
    /// At most this many SQLite writes share one commit (group commit). 1 gives each write its own
    /// transaction and sync, as without grouping.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int SqliteMaxBatch { get; set; } = 32;

    /// <summary>
    /// Pages (4 KiB each) the SQLite writer writes to its log before a checkpoint copies them back into the database
    /// file, on a connection beside the writer; 0 leaves it to SQLite, in the committing write, every 1,000 pages.
    /// Small: each checkpoint ends with a sync of the database file, and the writer's commit waits behind it on the disk
    /// (a year of rules: transactions held 135 ms at 4,096 pages, 35 ms at 512; 79 s at 1,000 pages in the writer, see
    /// docs/benchmarks.md); the log file grows to about this size.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1 << 20)]
    public int SqliteCheckpointPages { get; set; } = 512;

    /// <summary>
    /// The SQLite writer's page cache, in MiB (readers keep SQLite's 2 MiB and the memory map): the index pages a run of
    /// writes goes back to stay in memory instead of being read again from the log by a system call.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(2, 4096)]
    public int SqliteWriterCacheMegabytes { get; set; } = 64;

    /// <summary>
    /// Threads the pool keeps ready on SQLite (its driver blocks a thread per statement): a burst then does not wait
    /// for the pool to grow by one thread a second.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 4096)]
    public int SqliteMinThreads { get; set; } = 64;

    /// <summary>
    /// SQLite connections open for reading at once (the writer is apart); default twice the cores, 0 for
    /// no limit. More readers than cores only take CPU from the single writer.
    /// </summary>
    public int? SqliteReaders { get; set; }

    /// <summary>
    /// How much of the SQLite file each connection reads through a memory map (<c>mmap_size</c>), in MiB;
    /// 0 for none. Without it every page a query needs is copied out of the OS cache by a system call, and
    /// each pooled connection keeps its own copy, dropped whenever another connection commits: with writes
    /// going on, that was half a search's database time. A read error of the disk then stops the process
    /// (SIGBUS) instead of failing one query; SQLite caps the map at its compile-time limit (2 GiB here).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1 << 20)]
    public int SqliteMmapMegabytes { get; set; } = 2048;

    /// <summary>
    /// A server engine's connections per node at most (PostgreSQL, SQL Server), unless the connection string sets its
    /// own: requests beyond wait for a connection (up to the connection string's timeout) rather than failing. Several
    /// nodes' pools together must stay under the server's limit (PostgreSQL's <c>max_connections</c>, 100 by default).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int MaxPoolSize { get; set; } = 25;

    /// <summary>The connection string with <see cref="MaxPoolSize"/> when it names no pool size of its own.</summary>
    public string PooledConnectionString()
    {
        if (Provider == DatabaseProvider.Sqlite) return ConnectionString;
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString };
        if (new[] { "Maximum Pool Size", "Max Pool Size", "MaxPoolSize" }.Any(given.ContainsKey)) return ConnectionString;
        return Provider == DatabaseProvider.PostgreSql
            ? new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = MaxPoolSize }.ConnectionString
            : new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = MaxPoolSize }.ConnectionString;
    }

    /// <summary>The connection string for Hangfire's storage: a pool of its own, of <paramref name="size"/> at most (its workers and a few more).</summary>
    public string JobsConnectionString(int size) => Provider switch
    {
        DatabaseProvider.PostgreSql => new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = size }.ConnectionString,
        DatabaseProvider.SqlServer => new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = size }.ConnectionString,
        _ => ConnectionString,
    };

    public SqlDialect Dialect => Provider switch
    {
        DatabaseProvider.SqlServer => SqlDialect.SqlServer,
        DatabaseProvider.PostgreSql => SqlDialect.PostgreSql,
        _ => SqlDialect.Sqlite,
    };

    /// <summary>Whether this is a server engine (several nodes may share it), as opposed to the embedded SQLite file.</summary>
    public bool IsServer => Provider != DatabaseProvider.Sqlite;

    /// <summary>The folder of this engine's migrations under <c>db/migrations/</c>, and their resource prefix.</summary>
    public static string MigrationsFolder(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.SqlServer => "sqlserver",
        DatabaseProvider.PostgreSql => "postgresql",
        _ => "sqlite",
    };
}
