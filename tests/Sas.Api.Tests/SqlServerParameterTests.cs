using System.Data;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// What SQL Server would receive, checked without one: every statement the application issues (the statement tests'
/// list) is sent through Dapper to a <see cref="RecordingConnection"/>, each parameter given a value of the .NET type the
/// stores use for its column (read from the SQL Server migrations), and the SqlClient parameters Dapper makes are
/// checked against the columns: instants as <c>datetime2</c> (never the legacy <c>datetime</c>, which fails on old
/// instants and loses precision), text as <c>nvarchar</c> like the columns, lists as one parameter, well under 2,100.
/// </summary>
[SqliteOnly("SQL Server's statements, parsed without a server")]
public partial class SqlServerParameterTests
{
    private static readonly Lazy<Dictionary<string, string>> ColumnTypes = new(ReadColumnTypes);

    [Fact]
    public void Every_parameter_is_typed_like_its_column()
    {
        // Dapper's DateTime handling is set up by Db's static constructor, as in the application.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Db).TypeHandle);
        var checkedParameters = 0;
        foreach (var (name, text) in SqlServerStatementTests.ApplicationStatements())
        {
            var args = new DynamicParameters();
            foreach (var parameter in ParameterNames(text))
                args.Add(parameter, SampleValue(text, parameter));
            var connection = new RecordingConnection();
            connection.Execute(text, args);
            var (_, sent) = Assert.Single(connection.Sent);
            Assert.True(sent.Count < 2100, $"{name}: {sent.Count} parameters");
            foreach (var p in sent)
            {
                Assert.False(p.SqlDbType is SqlDbType.DateTime or SqlDbType.SmallDateTime, $"{name}: @{p.ParameterName} is sent as {p.SqlDbType}, not datetime2");
                Assert.NotEqual(SqlDbType.VarChar, p.SqlDbType); // every text column is nvarchar: a varchar parameter would convert the column
                if (ColumnOf(text, p.ParameterName) is { } column && ColumnTypes.Value.TryGetValue(column, out var type))
                {
                    var expected = type switch
                    {
                        "DATETIME2" => SqlDbType.DateTime2,
                        "NVARCHAR" => SqlDbType.NVarChar,
                        "BIGINT" => SqlDbType.BigInt,
                        _ => p.SqlDbType,
                    };
                    Assert.True(expected == p.SqlDbType || (expected == SqlDbType.BigInt && p.SqlDbType == SqlDbType.Int),
                        $"{name}: @{p.ParameterName} for {column} ({type}) is sent as {p.SqlDbType}");
                    checkedParameters++;
                }
            }
        }
        Assert.True(checkedParameters > 150, $"only {checkedParameters} parameters matched to a column");
    }

    [Fact]
    public void A_list_is_one_parameter_whatever_its_length()
    {
        var text = SqlServerStatementTests.ApplicationStatements().Single(s => s.Name == "SlotStore+Sql.SelectNamedOutsideWindow").Text;
        var connection = new RecordingConnection();
        var externalIds = Enumerable.Range(0, 2000).Select(i => $"rdv-{i}").ToList(); // a sync's documented maximum
        connection.Execute(text, new { rpps = "10000424241", low = DateTime.UtcNow, high = DateTime.UtcNow, externalIds = ValueList.Of(externalIds) });
        var list = Assert.Single(Assert.Single(connection.Sent).Parameters, p => p.ParameterName == "externalIds");
        Assert.Equal((SqlDbType.NVarChar, -1), (list.SqlDbType, list.Size));
        Assert.StartsWith("[\"rdv-0\"", (string)list.Value);
    }

    [Fact]
    public void Many_row_inserts_stay_under_the_parameter_limit_at_their_largest()
    {
        foreach (var (name, text) in SqlServerStatementTests.ApplicationStatements().Where(s => InsertValues().IsMatch(s.Text)))
        {
            var perRow = ParameterNames(text).Count;
            var expanded = MultiRowInsert.Expand(text, MultiRowInsert.RowsPerStatement(perRow));
            Assert.True(ParameterNames(expanded).Count < 2100, $"{name}: {ParameterNames(expanded).Count} parameters at {MultiRowInsert.RowsPerStatement(perRow)} rows");
            SqlServerStatementTests.AssertParses(name, expanded);
        }
    }

    [Fact]
    public void No_statement_has_a_catch_all_predicate_without_recompile()
    {
        foreach (var (name, text) in SqlServerStatementTests.ApplicationStatements())
            Assert.False(CatchAll().IsMatch(text) && !text.Contains("OPTION (RECOMPILE)", StringComparison.OrdinalIgnoreCase), $"{name} has (@x IS NULL OR …): build the predicate instead");
    }

    [Fact]
    public void Every_client_id_column_is_as_wide_as_a_client_id_on_both_server_engines()
    {
        foreach (var engine in new[] { "sqlserver", "postgresql" })
        {
            var ddl = string.Join("\n", Directory.GetFiles(Path.Combine(Repository.Root, "db", "migrations", engine), "*.sql").Order().Select(File.ReadAllText));
            var widths = ClientIdColumn().Matches(ddl).Select(m => (Column: m.Groups[1].Value, Width: int.Parse(m.Groups[2].Value))).ToList();
            Assert.True(widths.Count >= 9, $"{engine}: {widths.Count} client-id columns found");
            Assert.All(widths, w => Assert.True(w.Width == Sas.Api.Infrastructure.Auth.ClientIds.MaxLength, $"{engine}: {w.Column} is {w.Width} wide"));
        }
    }

    /// <summary>A value of the type the stores pass for this parameter: by its column's type, or by its role.</summary>
    private static object? SampleValue(string text, string parameter)
    {
        if (Regex.IsMatch(text, $@"OPENJSON\(@{parameter}\)")) return ValueList.Of(["a", "b"]);
        var column = ColumnOf(text, parameter);
        if (column is not null && ColumnTypes.Value.TryGetValue(column, out var type))
            return type switch { "DATETIME2" => DateTime.UtcNow, "BIGINT" => 1L, _ => "x" };
        return parameter switch
        {
            "limit" or "batch" or "max" => 50,
            "after" or "afterId" => "x",
            _ when parameter.EndsWith("At", StringComparison.Ordinal) || parameter is "now" or "from" or "to" or "cutoff" or "until" or "earliest" or "latest" or "low" or "high" or "expires" or "next" => DateTime.UtcNow,
            _ => "x",
        };
    }

    /// <summary>The column a parameter is compared with, assigned to, or inserted into, when the statement says so plainly.</summary>
    private static string? ColumnOf(string text, string parameter)
    {
        var compared = Regex.Match(text, $@"(?:\w+\.)?(\w+)\s*(?:=|<>|<=|>=|<|>)\s*@{parameter}\b");
        if (compared.Success && ColumnTypes.Value.ContainsKey(compared.Groups[1].Value)) return compared.Groups[1].Value;
        var reversed = Regex.Match(text, $@"@{parameter}\s*(?:=|<>|<=|>=|<|>)\s*(?:\w+\.)?(\w+)");
        if (reversed.Success && ColumnTypes.Value.ContainsKey(reversed.Groups[1].Value)) return reversed.Groups[1].Value;
        var insert = InsertValues().Match(text);
        if (insert.Success)
        {
            var columns = insert.Groups[1].Value.Split(',').Select(c => c.Trim()).ToList();
            var values = SplitTopLevel(insert.Groups[2].Value);
            var at = values.FindIndex(v => v == "@" + parameter);
            if (at >= 0 && at < columns.Count) return columns[at];
        }
        return null;
    }

    private static List<string> SplitTopLevel(string values)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] == '(') depth++;
            else if (values[i] == ')') depth--;
            else if (values[i] == ',' && depth == 0) { parts.Add(values[start..i].Trim()); start = i + 1; }
        }
        parts.Add(values[start..].Trim());
        return parts;
    }

    private static List<string> ParameterNames(string text) =>
        Parameter().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Every column of the SQL Server migrations with its type, by name (AMBIGUOUS when tables disagree).</summary>
    private static Dictionary<string, string> ReadColumnTypes()
    {
        var types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "db", "migrations", "sqlserver"), "*.sql"))
        {
            var script = (TSqlScript)new TSql160Parser(true).Parse(new StringReader(File.ReadAllText(file)), out _);
            var definitions = script.Batches.SelectMany(b => b.Statements).SelectMany(s => s switch
            {
                CreateTableStatement create => create.Definition.ColumnDefinitions,
                AlterTableAddTableElementStatement alter => alter.Definition.ColumnDefinitions,
                _ => [],
            });
            foreach (var column in definitions)
            {
                var type = column.DataType.Name.BaseIdentifier.Value.ToUpperInvariant();
                // A name with two types (id: a GUID in one table, a number in another) says nothing by itself.
                types[column.ColumnIdentifier.Value] = types.TryGetValue(column.ColumnIdentifier.Value, out var known) && known != type ? "AMBIGUOUS" : type;
            }
        }
        return types;
    }

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"INSERT INTO \w+(?:\.\w+)? \(([^)]*)\)\s*(?:OUTPUT [^\n]*\s*)?VALUES \((.*)\)\s*$", RegexOptions.Singleline)]
    private static partial Regex InsertValues();

    [GeneratedRegex(@"\(\s*@\w+\s+IS\s+NULL\s+OR\b", RegexOptions.IgnoreCase)]
    private static partial Regex CatchAll();

    /// <summary>A client-id column: <c>client_id</c>, <c>held_by</c>, <c>booked_by_client</c>, <c>cancelled_by_client</c>, and the clients' own id.</summary>
    [GeneratedRegex(@"\b(client_id|held_by|booked_by_client|cancelled_by_client)\s+N?VARCHAR\((\d+)\)", RegexOptions.IgnoreCase)]
    private static partial Regex ClientIdColumn();
}
