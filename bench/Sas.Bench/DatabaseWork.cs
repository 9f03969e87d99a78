using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Search;

namespace Sas.Bench;

/// <summary>The database work of one search: through the API's store (open from the pool, Dapper), and the same statement bare.</summary>
public sealed record DatabaseWorkResult(string Sector, int Rows, double StoreMicroseconds, double BareMicroseconds, double IndexMicroseconds)
{
    public double Ratio => Math.Round(StoreMicroseconds / BareMicroseconds, 1);
}

/// <summary>
/// Issue #20's question: what does the API's data layer add to the statement itself? A search of the busiest sector's
/// next 20 bookable slots, timed through <see cref="SearchStore"/> (what a request pays: a pooled connection with its
/// reader turn, the statement built or cached, Dapper's parameters and materialization) and as the same statement on
/// one open connection, prepared once, each value read with the typed getter: the floor SQLite itself sets. Then the
/// same search from the slot index the API answers with (<see cref="IndexedSearch"/>: its change feed read, the index
/// walked, the GP and site text from its copy).
/// </summary>
public static class DatabaseWork
{
    public static async Task<DatabaseWorkResult?> MeasureAsync(BenchDatabase database, int runs = 2000)
    {
        if (!database.IsSqlite) return null;
        var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = database.ConnectionString };
        await using var db = new Db(options);
        var now = DateTime.UtcNow;
        string sector;
        using (var c = database.Open())
            sector = c.ExecuteScalar<string>("SELECT sector_code FROM slots WHERE status = 'available' AND start_utc >= @now GROUP BY sector_code ORDER BY COUNT(*) DESC LIMIT 1", new { now })!;
        var query = new SearchQuery([new SectorBound(sector, now.AddHours(24))], now.AddMinutes(30), now, "bench", null, null, 21);
        var store = new SearchStore(db);

        // Through the store, as a request does.
        var rows = 0;
        for (var i = 0; i < 200; i++) rows = (await store.SearchAsync(query, default)).Count;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++) await store.SearchAsync(query, default);
        var storeUs = clock.Elapsed.TotalMicroseconds / runs;

        // From the slot index, loaded by the first search, its feed read by every one.
        await using var index = new IndexedSearch(db, TimeProvider.System);
        var indexed = new SearchStore(db, index);
        for (var i = 0; i < 200; i++) await indexed.SearchAsync(query, default);
        clock.Restart();
        for (var i = 0; i < runs; i++) await indexed.SearchAsync(query, default);
        var indexUs = clock.Elapsed.TotalMicroseconds / runs;

        // Bare: the same text and values on one connection, the command prepared once.
        using var bare = new SqliteConnection(database.ConnectionString);
        bare.Open();
        using var command = bare.CreateCommand();
        command.CommandText = new SearchStore.Sql(SqlDialect.Sqlite).Search(1, false, false);
        // Instants as the API's handler sends them to SQLite: UTC DateTime values, DbType DateTime2.
        foreach (var (name, value) in new (string, object)[] { ("@from", query.FromUtc), ("@now", now), ("@until0", query.Sectors[0].UntilUtc) })
            command.Parameters.Add(new SqliteParameter(name, value) { DbType = System.Data.DbType.DateTime2 });
        foreach (var (name, value) in new (string, object)[] { ("@caller", "bench"), ("@limit", 21), ("@sector0", sector) })
            command.Parameters.AddWithValue(name, value);
        command.Prepare();
        long sink = 0;
        void Read()
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
                for (var f = 0; f < reader.FieldCount; f++)
                    sink += reader.IsDBNull(f) ? 0 : reader.GetFieldType(f) == typeof(long) ? reader.GetInt64(f) : reader.GetString(f).Length;
        }
        for (var i = 0; i < 200; i++) Read();
        clock.Restart();
        for (var i = 0; i < runs; i++) Read();
        var bareUs = clock.Elapsed.TotalMicroseconds / runs;
        GC.KeepAlive(sink);
        return new DatabaseWorkResult(sector, rows, Math.Round(storeUs, 1), Math.Round(bareUs, 1), Math.Round(indexUs, 1));
    }
}
