using Dapper;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>What every SQLite connection of the API is opened with: reading through a memory map, and the busy timeout.</summary>
[SqliteOnly("SQLite's pragmas")]
public sealed class SqliteConnectionSettingsTests
{
    [Theory]
    [InlineData(null, 2047L)] // the default, 2 GiB, as far as SQLite's compile-time cap (2 GiB less 64 KiB) lets it
    [InlineData(16, 16L)]
    [InlineData(0, 0L)]
    public async Task Readers_and_the_writer_map_the_file_as_configured(int? megabytes, long expectedMegabytes)
    {
        await using var temp = new TempSqliteDb("t (id INTEGER PRIMARY KEY)", mmapMegabytes: megabytes);
        await using (var reader = await temp.Db.OpenAsync())
        {
            Assert.Equal(expectedMegabytes, await reader.ExecuteScalarAsync<long>("PRAGMA mmap_size") / (1024 * 1024));
            Assert.Equal(10_000L, await reader.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
        }
        var writer = await temp.Db.InTransactionAsync((c, tx) => c.ExecuteScalarAsync<long>("PRAGMA mmap_size", transaction: tx), default);
        Assert.Equal(expectedMegabytes, writer / (1024 * 1024));
    }

    /// <summary>
    /// Foreign keys hold on every connection, opened anew or handed out again by the pool, though the connection string
    /// does not ask for them (the driver would run its PRAGMA on every open): the once-per-connection batch does.
    /// </summary>
    [Fact]
    public async Task Foreign_keys_are_enforced_on_readers_and_the_writer_on_every_open()
    {
        await using var temp = new TempSqliteDb("p (id INTEGER PRIMARY KEY); CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER NOT NULL REFERENCES p (id))");
        for (var open = 0; open < 3; open++)
        {
            await using var reader = await temp.Db.OpenAsync();
            Assert.Equal(1L, await reader.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        }
        for (var write = 0; write < 2; write++)
        {
            var refused = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
                temp.Db.InTransactionAsync((c, tx) => c.ExecuteAsync("INSERT INTO t (id, p) VALUES (1, 42)", transaction: tx), default));
            Assert.Contains("FOREIGN KEY", refused.Message);
        }
    }
}
