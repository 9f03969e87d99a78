using Dapper;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>Instants read back from SQLite by the fixed-layout reader, and everything else by the general parser as before.</summary>
[SqliteOnly("SQLite's text instants")]
public sealed class StoredInstantTests : IAsyncDisposable
{
    private readonly TempSqliteDb temp = new("t (id INTEGER PRIMARY KEY, at TEXT NOT NULL)");

    [Fact]
    public async Task Every_instant_written_through_the_driver_reads_back_to_the_tick()
    {
        var random = new Random(7);
        var written = Enumerable.Range(0, 500).Select(i => new
        {
            id = i,
            at = i switch
            {
                0 => new DateTime(2026, 3, 29, 1, 0, 0, DateTimeKind.Utc),              // no fraction
                1 => new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1), // one tick: seven digits
                2 => new DateTime(2026, 12, 31, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(500), // ".5"
                _ => new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 365 * 40)),
            },
        }).ToList();
        await temp.Db.ExecuteAsync("INSERT INTO t (id, at) VALUES (@id, @at)", written, default);

        await using var c = await temp.Db.OpenAsync();
        var stored = (await c.QueryAsync<(long Id, string Text)>("SELECT id, at FROM t ORDER BY id")).ToList();
        var read = (await c.QueryAsync<(long Id, DateTime At)>("SELECT id, at FROM t ORDER BY id")).ToList();
        Assert.All(stored, s => Assert.True(StoredInstant.TryParseStored(s.Text, out _), $"'{s.Text}' took the slow path"));
        Assert.Equal(written.Select(w => w.at), read.Select(r => r.At));
        Assert.All(read, r => Assert.Equal(DateTimeKind.Utc, r.At.Kind));
    }

    [Theory]
    [InlineData("2026-12-02T16:00:00Z", "2026-12-02T16:00:00.0000000Z")]
    [InlineData("2026-12-02 17:00:00+01:00", "2026-12-02T16:00:00.0000000Z")]
    [InlineData("2026-12-02", "2026-12-02T00:00:00.0000000Z")]
    [InlineData("2026-12-01 10:00:00.", "2026-12-01T10:00:00.0000000Z")]
    [InlineData("2026-12-01 10:00:00.12345678", "2026-12-01T10:00:00.1234568Z")]
    public void Other_layouts_still_read_through_the_general_parser_as_utc(string text, string expected)
    {
        Assert.False(StoredInstant.TryParseStored(text, out _));
        Assert.Equal(expected, StoredInstant.Parse(text).ToString("O"));
    }

    [Theory]
    [InlineData("2026-02-30 10:00:00")]
    [InlineData("2026-13-01 10:00:00")]
    [InlineData("2026-12-01 24:00:00")]
    [InlineData("2026-12-01 10:0a:00")]
    public void Impossible_values_are_not_read_by_the_fixed_layout(string text)
    {
        Assert.False(StoredInstant.TryParseStored(text, out _));
        Assert.Throws<FormatException>(() => StoredInstant.Parse(text));
    }

    public ValueTask DisposeAsync() => temp.DisposeAsync();
}
