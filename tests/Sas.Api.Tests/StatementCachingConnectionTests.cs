using Sas.Api.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Tests;

/// <summary>The SQLite writer's connection keeps its statements prepared, and answers as a fresh command each time would.</summary>
[SqliteOnly("the SQLite writer's prepared statements")]
public sealed class StatementCachingConnectionTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"sas-stmt-{Guid.NewGuid():N}.db");
    private readonly StatementCachingConnection c;

    public StatementCachingConnectionTests()
    {
        c = new StatementCachingConnection($"Data Source={path};Pooling=False");
        c.Open();
        c.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, at TEXT NULL)");
    }

    public void Dispose()
    {
        c.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(path + suffix); } catch (IOException) { /* the OS will clean the temp folder */ }
    }

    [Fact]
    public async Task A_statement_run_again_reuses_its_prepared_command_with_the_new_values()
    {
        for (var i = 0; i < 5; i++)
        {
            using var tx = c.BeginTransaction();
            Assert.Equal(1, await c.ExecuteAsync("INSERT INTO t (id, name, at) VALUES (@id, @name, @at)", new { id = i, name = $"n{i}", at = (DateTime?)DateTime.UnixEpoch.AddDays(i) }, tx));
            tx.Commit();
        }
        Assert.Equal(4, c.Reused); // the insert prepared once, four times reused

        // Each execution binds its own values, and a reader of the same text sees its own rows.
        Assert.Equal("n3", await c.QuerySingleAsync<string>("SELECT name FROM t WHERE id = @id", new { id = 3 }));
        Assert.Equal("n1", await c.QuerySingleAsync<string>("SELECT name FROM t WHERE id = @id", new { id = 1 }));
        Assert.Null(await c.QuerySingleOrDefaultAsync<string>("SELECT name FROM t WHERE id = @id", new { id = 99 }));
        Assert.Equal(6, c.Reused);
    }

    [Fact]
    public async Task A_text_running_while_its_reader_is_open_gets_a_command_of_its_own()
    {
        c.Execute("INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')");
        const string all = "SELECT id FROM t ORDER BY id";
        await using var outer = await c.ExecuteReaderAsync(all);
        Assert.True(await outer.ReadAsync());
        Assert.Equal([1L, 2L], (await c.QueryAsync<long>(all)).ToList()); // the same text again, while the first reads
        Assert.True(await outer.ReadAsync());
        Assert.Equal(2L, outer.GetInt64(0));
        Assert.False(await outer.ReadAsync());
    }

    [Fact]
    public void A_command_given_back_before_its_reader_is_not_kept_for_the_next_run()
    {
        c.Execute("INSERT INTO t (id, name) VALUES (1, 'a')");
        const string one = "SELECT name FROM t WHERE id = @id";
        var command = ((System.Data.Common.DbConnection)c).CreateCommand(); // as Dapper and the stores make theirs
        command.CommandText = one;
        var id = command.CreateParameter();
        id.ParameterName = "id";
        id.Value = 1;
        command.Parameters.Add(id);
        var reader = command.ExecuteReader();
        command.Dispose(); // while its reader is still open: its statement is not given to the next run
        Assert.Equal("a", c.QuerySingle<string>(one, new { id = 1 }));
        Assert.Equal(0, c.Reused);
        reader.Dispose();
    }

    [Fact]
    public void Once_full_the_kept_statements_start_afresh_so_a_text_in_use_is_kept_again()
    {
        for (var i = 0; i <= StatementCachingConnection.MaxStatements; i++) c.ExecuteScalar<long>($"SELECT {i}");
        Assert.InRange(c.Kept, 1, 2); // the set started afresh (the table's creation, then 256 texts)
        const string hot = "SELECT COUNT(*) FROM t";
        c.ExecuteScalar<long>(hot);
        var reused = c.Reused;
        c.ExecuteScalar<long>(hot);
        Assert.Equal(reused + 1, c.Reused);
    }

    [Fact]
    public void A_failed_statement_leaves_the_next_run_of_its_text_sound()
    {
        c.Execute("INSERT INTO t (id, name) VALUES (1, 'a')");
        const string insert = "INSERT INTO t (id, name) VALUES (@id, @name)";
        Assert.Throws<SqliteException>(() => c.Execute(insert, new { id = 2, name = "a" })); // the unique name
        Assert.Equal(1, c.Execute(insert, new { id = 2, name = "b" }));
        Assert.Equal(["a", "b"], c.Query<string>("SELECT name FROM t ORDER BY id"));
    }

    [Fact]
    public void A_command_inside_a_transaction_runs_in_it()
    {
        using (var tx = c.BeginTransaction())
        {
            c.Execute("INSERT INTO t (id, name) VALUES (@id, @name)", new { id = 1, name = "rolled back" }, tx);
            tx.Rollback();
        }
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT COUNT(*) FROM t"));
    }
}
