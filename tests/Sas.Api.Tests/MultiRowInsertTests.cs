using Dapper;
using Microsoft.Data.Sqlite;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Tests;

/// <summary>
/// On SQLite, many rows go through one prepared statement with its parameters bound by hand, not through Dapper: what
/// is stored must be what Dapper stores for one row (instants as the API stores them, nulls, booleans, enums).
/// </summary>
public sealed class MultiRowInsertTests
{
    private sealed record Row(string Name, DateTime At, DateTime? Until, bool Flag, long Count, DayOfWeek Day);

    private const string Insert = "INSERT INTO t (name, at, until, flag, count, day) VALUES (@Name, @At, @Until, @Flag, @Count, @Day)";

    [Fact]
    public async Task Rows_written_in_bulk_are_stored_as_dapper_stores_one()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Db).TypeHandle); // the API's Dapper handlers (instants in UTC)
        await using var c = new SqliteConnection("Data Source=:memory:");
        await c.OpenAsync();
        await c.ExecuteAsync("CREATE TABLE t (name TEXT, at TEXT, until TEXT NULL, flag INTEGER, count INTEGER, day INTEGER)");
        var at = new DateTime(2026, 11, 24, 13, 0, 0, DateTimeKind.Utc);
        Row[] rows = [new("one", at, null, true, 3, DayOfWeek.Tuesday), new("two", at, at.AddHours(1), false, -1, DayOfWeek.Sunday)];

        Assert.Equal(2, await MultiRowInsert.ExecuteAsync(c, null, Insert, rows, CancellationToken.None));
        foreach (var row in rows) await MultiRowInsert.ExecuteAsync(c, null, Insert, [row with { Name = row.Name + "-dapper" }], CancellationToken.None);

        var stored = (await c.QueryAsync<(string, string, string?, long, long, long)>(
            "SELECT name, at || '|' || typeof(at), until, flag, count, day FROM t ORDER BY rowid")).ToList();
        Assert.Equal(4, stored.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(stored[i + 2].Item1, stored[i].Item1 + "-dapper");
            Assert.Equal(stored[i + 2] with { Item1 = "" }, stored[i] with { Item1 = "" });
        }
        Assert.Null(stored[0].Item3);
        Assert.Equal((1L, 3L, 2L), (stored[0].Item4, stored[0].Item5, stored[0].Item6));
    }
}
