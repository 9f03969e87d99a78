using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// Many rows do not go through Dapper: on SQLite one prepared statement with its parameters bound by hand, on PostgreSQL
/// one statement of arrays (<c>unnest</c>). What is stored must be what Dapper stores for one row (instants as the API
/// stores them, nulls, booleans, enums), on each engine.
/// </summary>
public sealed class MultiRowInsertTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private sealed record Row(string Name, DateTime At, DateTime? Until, bool Flag, long Count, DayOfWeek Day);

    private sealed class Stored
    {
        public string Name { get; set; } = "";
        public DateTime At { get; set; }
        public DateTime? Until { get; set; }
        public bool Flag { get; set; }
        public long Count { get; set; }
        public long Day { get; set; }
    }

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

    [Fact]
    public async Task Rows_written_in_bulk_on_the_engine_under_test_are_stored_as_dapper_stores_one()
    {
        var db = api.Services.GetRequiredService<Db>();
        var table = $"mri_{Guid.NewGuid():N}"[..20];
        var insert = Insert.Replace("INTO t ", $"INTO {table} ");
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(TestEngine.IsPostgres
            ? $"CREATE TABLE {table} (name varchar(20) NOT NULL, at timestamptz NOT NULL, until timestamptz NULL, flag boolean NOT NULL, count bigint NOT NULL, day bigint NOT NULL)"
            : TestEngine.IsSqlServer
                ? $"CREATE TABLE {table} (name nvarchar(20) NOT NULL, at datetime2(0) NOT NULL, until datetime2(0) NULL, flag bit NOT NULL, count bigint NOT NULL, day bigint NOT NULL)"
                : $"CREATE TABLE {table} (name TEXT NOT NULL, at TEXT NOT NULL, until TEXT NULL, flag INTEGER NOT NULL, count INTEGER NOT NULL, day INTEGER NOT NULL)");
        var at = new DateTime(2026, 11, 24, 13, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(0, 40).Select(i => new Row($"r{i}", at.AddMinutes(i), i % 3 == 0 ? null : at.AddHours(i), i % 2 == 0, i - 7, (DayOfWeek)(i % 7))).ToList();

        Assert.Equal(40, await db.InTransactionAsync((c, tx) => MultiRowInsert.ExecuteAsync(c, tx, insert, rows, CancellationToken.None)));
        foreach (var row in rows.Take(5)) // one row: the store's own statement, through Dapper
            await db.InTransactionAsync((c, tx) => MultiRowInsert.ExecuteAsync(c, tx, insert, [row with { Name = row.Name + "-d" }], CancellationToken.None));

        var stored = (await c.QueryAsync<Stored>($"SELECT name, at, until, flag, count, day FROM {table}"))
            .Select(r => new Row(r.Name, r.At, r.Until, r.Flag, r.Count, (DayOfWeek)r.Day)).ToDictionary(r => r.Name);
        Assert.Equal(45, stored.Count);
        foreach (var row in rows) Assert.Equal(row, stored[row.Name]);
        foreach (var row in rows.Take(5)) Assert.Equal(stored[row.Name], stored[row.Name + "-d"] with { Name = row.Name });
        await c.ExecuteAsync($"DROP TABLE {table}");
    }
}
