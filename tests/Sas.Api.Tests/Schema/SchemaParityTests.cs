using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Npgsql;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Schema;

/// <summary>
/// The three migration folders describe one schema: after every migration, SQLite and PostgreSQL (both migrated for real)
/// and SQL Server (its scripts parsed, as nothing here runs it) have the same tables, the same columns of the same kind
/// and nullability, the same named indexes, and triggers on the same tables. What differs on purpose is listed below,
/// with why; anything else is a migration written for one engine and forgotten in another.
/// </summary>
public sealed class SchemaParityTests
{
    /// <summary>
    /// SQL Server has no slot change feed: its <c>OUTPUT</c> clauses (booking, expiry, slot insert) are refused on tables
    /// with triggers, so its searches keep their statement (docs/benchmarks.md) and it has neither the feed's tables nor
    /// their triggers.
    /// </summary>
    private static readonly string[] FeedTables = ["slot_changes", "slot_feed_state"];

    /// <summary>
    /// PostgreSQL's feed rows carry the writing transaction's id: a change committed late below the index's position is
    /// found by the transactions still running at its last read (SlotFeed), where SQLite has one writer and needs none.
    /// </summary>
    private static readonly string[] PostgresOnly = ["slot_changes.tx integer not-null", "slot_changes.ix_slot_changes_tx"];

    /// <summary>SQL Server clusters bookings on an ever-growing sequence, the GUID being a nonclustered key (docs/isolation.md).</summary>
    private static readonly string[] SqlServerOnly = ["bookings.seq integer not-null", "bookings.cx_bookings_seq"];

#if SAS_TEST_POSTGRES
    /// <summary>In the PostgreSQL build (it has a server; the SQLite build may run where none is).</summary>
    [Fact]
    public void Sqlite_and_PostgreSQL_migrate_to_the_same_tables_columns_indexes_and_triggers()
    {
        var sqlite = SqliteSchema();
        var postgres = PostgresSchema();

        Same(sqlite.Tables, postgres.Tables, "PostgreSQL");
        Same(sqlite.Columns, postgres.Columns.Except(PostgresOnly), "PostgreSQL");
        Same(sqlite.Indexes, postgres.Indexes.Except(PostgresOnly), "PostgreSQL");
        Same(sqlite.TriggerTables, postgres.TriggerTables, "PostgreSQL");
    }
#endif

    [Fact]
    [SqliteOnly("parses scripts: once is enough")]
    public void SQL_Server_scripts_declare_the_same_tables_columns_and_indexes()
    {
        var sqlite = SqliteSchema();
        var sqlServer = SqlServerSchema();

        Same(sqlite.Tables.Except(FeedTables), sqlServer.Tables, "SQL Server");
        Same(sqlite.Columns.Where(c => !FeedTables.Contains(c.Split('.')[0])), sqlServer.Columns.Except(SqlServerOnly), "SQL Server");
        Same(sqlite.Indexes.Where(i => !FeedTables.Contains(i.Split('.')[0])), sqlServer.Indexes.Except(SqlServerOnly), "SQL Server");
    }

    /// <summary>Every difference named, on one side or the other, instead of two long sets to compare by eye.</summary>
    private static void Same(IEnumerable<string> sqlite, IEnumerable<string> other, string engine)
    {
        var differences = sqlite.Except(other).Select(x => "only in SQLite: " + x)
            .Concat(other.Except(sqlite).Select(x => $"only in {engine}: " + x)).ToList();
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
    }

    /// <summary>Tables; columns as <c>table.column kind null|not-null</c>; indexes as <c>table.name</c>; tables with triggers.</summary>
    private sealed record Shape(SortedSet<string> Tables, SortedSet<string> Columns, SortedSet<string> Indexes, SortedSet<string> TriggerTables);

    /// <summary>
    /// What a column holds, across the engines' spellings: SQLite has no date or boolean types (instants are text in a
    /// fixed layout, booleans integers), so kinds are compared at the precision SQLite has.
    /// </summary>
    private static string Kind(string declared)
    {
        var t = declared.ToLowerInvariant();
        if (t.Contains("char") || t.Contains("text") || t.Contains("timestamp") || t.Contains("date") || t.Contains("time") || t.Contains("uuid") || t.Contains("uniqueidentifier") || t.Contains("json")) return "text";
        if (t.Contains("int") || t.Contains("bool") || t == "bit") return "integer";
        if (t.Contains("real") || t.Contains("double") || t.Contains("float") || t.Contains("numeric") || t.Contains("decimal")) return "number";
        if (t.Contains("blob") || t.Contains("bytea") || t.Contains("binary")) return "bytes";
        return "other:" + t;
    }

    private static Shape SqliteSchema()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sas-schema-{Guid.NewGuid():N}.db");
        var connection = $"Data Source={file};Pooling=False";
        try
        {
            Migrations.Apply(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = connection }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            using var c = new SqliteConnection(connection);
            c.Open();
            var tables = c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND lower(name) <> 'schemaversions'").ToList();
            var shape = new Shape([.. tables], [], [], []);
            foreach (var table in tables)
            {
                foreach (var column in c.Query<(long Cid, string Name, string Type, long NotNull, string? Default, long Pk)>($"SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}')"))
                    shape.Columns.Add($"{table}.{column.Name} {Kind(column.Type)} {(column.NotNull == 1 || column.Pk > 0 ? "not-null" : "null")}");
                foreach (var index in c.Query<string>($"SELECT name FROM pragma_index_list('{table}') WHERE origin = 'c'"))
                    shape.Indexes.Add($"{table}.{index}");
            }
            foreach (var table in c.Query<string>("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'")) shape.TriggerTables.Add(table);
            return shape;
        }
        finally { SqliteConnection.ClearAllPools(); File.Delete(file); }
    }

#if SAS_TEST_POSTGRES
    private static Shape PostgresSchema()
    {
        var connection = PostgresServer.CreateDatabase();
        try
        {
            using var c = new NpgsqlConnection(connection);
            c.Open();
            var tables = c.Query<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schemaversions'").ToList();
            var shape = new Shape([.. tables], [], [], []);
            foreach (var column in c.Query<(string Table, string Name, string Type, string Nullable)>(
                "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schemaversions'"))
                shape.Columns.Add($"{column.Table}.{column.Name} {Kind(column.Type)} {(column.Nullable == "YES" ? "null" : "not-null")}");
            // Named indexes only: those behind primary keys and UNIQUE constraints are the engine's, as SQLite's autoindexes are.
            foreach (var index in c.Query<(string Table, string Name)>("""
                SELECT i.tablename, i.indexname FROM pg_indexes i
                WHERE i.schemaname = 'public' AND i.tablename <> 'schemaversions'
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname AND k.contype IN ('p', 'u'))
                """))
                shape.Indexes.Add($"{index.Table}.{index.Name}");
            foreach (var table in c.Query<string>("SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_schema = 'public'")) shape.TriggerTables.Add(table);
            return shape;
        }
        finally { PostgresServer.DropDatabase(connection); }
    }
#endif

    /// <summary>The SQL Server scripts' tables, columns and indexes, replayed from their parse in order (no server here).</summary>
    private static Shape SqlServerSchema()
    {
        var columns = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        var indexes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var script in Directory.GetFiles(Path.Combine(Repository.Root, "db", "migrations", "sqlserver"), "*.sql").Order(StringComparer.Ordinal))
        {
            var parsed = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(File.ReadAllText(script)), out var errors);
            Assert.Empty(errors);
            foreach (var statement in ((TSqlScript)parsed).Batches.SelectMany(b => b.Statements).SelectMany(Flatten))
            {
                switch (statement)
                {
                    case CreateTableStatement create:
                        var table = columns[Name(create.SchemaObjectName)] = new(StringComparer.OrdinalIgnoreCase);
                        foreach (var column in create.Definition.ColumnDefinitions) table[column.ColumnIdentifier.Value] = Column(column, create.Definition.TableConstraints);
                        foreach (var index in create.Definition.Indexes) indexes.Add($"{Name(create.SchemaObjectName)}.{index.Name.Value}");
                        break;
                    case AlterTableAddTableElementStatement add:
                        foreach (var column in add.Definition.ColumnDefinitions) columns[Name(add.SchemaObjectName)][column.ColumnIdentifier.Value] = Column(column, []);
                        break;
                    case AlterTableDropTableElementStatement drop:
                        foreach (var element in drop.AlterTableDropTableElements.Where(e => e.TableElementType == TableElementType.Column))
                            columns[Name(drop.SchemaObjectName)].Remove(element.Name.Value);
                        break;
                    case CreateIndexStatement index:
                        indexes.Add($"{Name(index.OnName)}.{index.Name.Value}");
                        break;
                    case DropIndexStatement drop:
                        foreach (var clause in drop.DropIndexClauses.OfType<DropIndexClause>()) indexes.Remove($"{Name(clause.Object)}.{clause.Index.Value}");
                        break;
                    case DropTableStatement drop:
                        foreach (var name in drop.Objects) columns.Remove(Name(name));
                        break;
                }
            }
        }
        var shape = new Shape([.. columns.Keys], [], indexes, []);
        foreach (var (table, of) in columns)
            foreach (var (name, column) in of) shape.Columns.Add($"{table}.{name} {column}");
        return shape;
    }

    /// <summary>Statements inside IF … BEGIN … END blocks too (scripts guard some changes).</summary>
    private static IEnumerable<TSqlStatement> Flatten(TSqlStatement statement) => statement switch
    {
        IfStatement when_ => new[] { when_.ThenStatement, when_.ElseStatement }.Where(s => s is not null).SelectMany(s => Flatten(s!)),
        BeginEndBlockStatement block => block.StatementList.Statements.SelectMany(Flatten),
        _ => [statement],
    };

    private static string Name(SchemaObjectName name) => name.BaseIdentifier.Value;

    private static string Column(ColumnDefinition column, IList<ConstraintDefinition> tableConstraints)
    {
        var type = column.DataType switch
        {
            SqlDataTypeReference sql => sql.SqlDataTypeOption.ToString(),
            UserDataTypeReference user => user.Name.BaseIdentifier.Value,
            var other => other?.Name?.BaseIdentifier?.Value ?? "computed",
        };
        var notNull = column.Constraints.OfType<NullableConstraintDefinition>().Any(n => !n.Nullable)
            || column.Constraints.OfType<UniqueConstraintDefinition>().Any(u => u.IsPrimaryKey)
            || tableConstraints.OfType<UniqueConstraintDefinition>().Any(u => u.IsPrimaryKey && u.Columns.Any(c => c.Column.MultiPartIdentifier.Identifiers.Last().Value.Equals(column.ColumnIdentifier.Value, StringComparison.OrdinalIgnoreCase)));
        return $"{Kind(type)} {(notNull ? "not-null" : "null")}";
    }
}
