using Dapper;
using Microsoft.Data.Sqlite;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Tests.Support;

/// <summary>A <see cref="Db"/> over a fresh SQLite file (WAL) with one table <c>t</c>, deleted afterwards: for tests of the data layer itself.</summary>
public sealed class TempSqliteDb : IAsyncDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"sas-db-{Guid.NewGuid():N}.db");

    public TempSqliteDb(string table, int? readers = null, int? mmapMegabytes = null, int? checkpointPages = null)
    {
        var connection = $"Data Source={path};Pooling=True";
        var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = connection, SqliteReaders = readers };
        if (mmapMegabytes is { } mmap) options.SqliteMmapMegabytes = mmap;
        if (checkpointPages is { } pages) options.SqliteCheckpointPages = pages;
        Db = new Db(options);
        using var c = new SqliteConnection(connection);
        c.Execute($"PRAGMA journal_mode = WAL; CREATE TABLE {table}");
    }

    public Db Db { get; }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(path + suffix); } catch (IOException) { /* the OS will clean the temp folder */ }
    }
}
