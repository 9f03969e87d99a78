using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// Writes many rows with few statements. Dapper runs a statement once per row of a list (a round trip each: 50 audit
/// rows for a page of bookings, thousands of statistics rows in the job's transaction). This takes the store's own
/// one-row <c>INSERT … VALUES (@A, @B)</c>, written beside its method as usual, and repeats its values tuple for a
/// chunk of rows (<c>@A_0, @B_0), (@A_1, @B_1)…</c>), as many rows as keep a statement under SQL Server's 2,100
/// parameters and 1,000-row VALUES lists. The same text works on the three engines.
/// </summary>
public static partial class MultiRowInsert
{
    /// <summary>
    /// Parameters per statement at most. SQL Server refuses more than 2,100, but binding is quadratic well before that
    /// (Dapper asks the command's parameter collection for each name, and SQLite finds each name by a scan of the
    /// statement's): 550 slot rows took 180 ms in statements of 2,000 parameters, 64 ms in statements of 256 (the rules
    /// bench, docs/benchmarks.md).
    /// </summary>
    public const int MaxParameters = 256;

    /// <summary>Rows per statement at most (SQL Server's limit for a VALUES list).</summary>
    public const int MaxRows = 1000;

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>An INSERT read once: its head, its values tuple and the parameters named in it.</summary>
    private sealed record Parsed(string Head, string Tuple, string[] Names);

    private static readonly ConcurrentDictionary<string, Parsed> Inserts = new();

    /// <summary>Statements expanded for a number of rows, and the numbered parameter names, built once each.</summary>
    private static readonly ConcurrentDictionary<(string Insert, int Rows), string> Expanded = new();
    private static readonly ConcurrentDictionary<(string Name, int Row), string> Numbered = new();

    public static async Task<int> ExecuteAsync<T>(DbConnection c, DbTransaction? tx, string insert, IReadOnlyList<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return 0;
        // One row is the store's own statement, with Dapper's cached parameter reader for the row's type: most writes
        // (an audit row per booking) are one row, and expanding them cost regexes and reflection on every call.
        if (rows.Count == 1) return await c.ExecuteAsync(new CommandDefinition(insert, rows[0], tx, cancellationToken: ct));
        var parsed = Inserts.GetOrAdd(insert, static text =>
        {
            var (head, tuple) = Split(text);
            return new Parsed(head, tuple, Parameter().Matches(tuple).Select(m => m.Groups[1].Value).Distinct(StringComparer.OrdinalIgnoreCase).ToArray());
        });
        var perStatement = RowsPerStatement(parsed.Names.Length);
        var properties = Properties.GetOrAdd(typeof(T), t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance));
        var byName = parsed.Names.Select(n => properties.FirstOrDefault(p => string.Equals(p.Name, n, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no {n} for {parsed.Head}")).ToArray();
        if (byName.All(p => Bindable(p.PropertyType)))
        {
            if (c is Microsoft.Data.Sqlite.SqliteConnection) return await ExecuteEachAsync(c, tx, insert, parsed.Names, byName, rows, ct);
            if (c is Npgsql.NpgsqlConnection) return await ExecuteUnnestAsync(c, tx, insert, parsed, byName, rows, ct);
        }
        var written = 0;
        foreach (var chunk in rows.Chunk(perStatement))
        {
            // Full chunks and small ones are kept (a bounded set); another remainder is built for its one use.
            var sql = chunk.Length == perStatement || chunk.Length <= 16
                ? Expanded.GetOrAdd((insert, chunk.Length), static k => Expand(k.Insert, k.Rows))
                : Expand(insert, chunk.Length);
            var args = new DynamicParameters();
            for (var i = 0; i < chunk.Length; i++)
                for (var n = 0; n < parsed.Names.Length; n++)
                    args.Add(Numbered.GetOrAdd((parsed.Names[n], i), static k => $"{k.Name}_{k.Row}"), byName[n].GetValue(chunk[i]));
            written += await c.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        }
        return written;
    }

    /// <summary>
    /// SQLite, in this process, has no round trips to save: the store's one-row statement, prepared once (the writer's
    /// connection keeps it), run once per row with its parameters rebound costs least. A VALUES list binds its
    /// parameters by name, each found by a scan of the statement's names, and through Dapper each added after a scan of
    /// those added before. Measured on the rules bench (docs/benchmarks.md).
    /// </summary>
    private static async Task<int> ExecuteEachAsync<T>(DbConnection c, DbTransaction? tx, string insert, string[] names, PropertyInfo[] byName, IReadOnlyList<T> rows, CancellationToken ct)
    {
        await using var command = c.CreateCommand();
        command.CommandText = insert;
        command.Transaction = tx;
        var parameters = names.Select(n =>
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + n;
            command.Parameters.Add(p);
            return p;
        }).ToArray();
        var written = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++) Bind(parameters[i], byName[i].GetValue(row));
            written += await command.ExecuteNonQueryAsync(ct);
        }
        return written;
    }

    /// <summary>
    /// PostgreSQL parses and plans a VALUES list row by row: 200 slot rows in lists of 23 took 14 ms a batch, the rows
    /// themselves 5 ms. One statement takes every row, a column an array: <c>INSERT … SELECT u.c0, … FROM unnest(@c0, …)</c>
    /// (the tuple's literals kept as they are). Measured on the rules bench (docs/benchmarks.md).
    /// </summary>
    private static async Task<int> ExecuteUnnestAsync<T>(DbConnection c, DbTransaction? tx, string insert, Parsed parsed, PropertyInfo[] byName, IReadOnlyList<T> rows, CancellationToken ct)
    {
        await using var command = c.CreateCommand();
        command.CommandText = Unnested.GetOrAdd(insert, _ =>
        {
            var columns = string.Join(", ", parsed.Names.Select((_, i) => $"c{i}"));
            var select = Parameter().Replace(parsed.Tuple.Trim()[1..^1], m => $"u.c{Array.FindIndex(parsed.Names, n => string.Equals(n, m.Groups[1].Value, StringComparison.OrdinalIgnoreCase))}");
            return $"{parsed.Head} SELECT {select} FROM unnest({string.Join(", ", parsed.Names.Select((_, i) => $"@c{i}"))}) AS u({columns})";
        });
        command.Transaction = tx;
        for (var i = 0; i < byName.Length; i++) command.Parameters.Add(Column(i, byName[i], rows));
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static readonly ConcurrentDictionary<string, string> Unnested = new();

    /// <summary>One column of the rows as a typed PostgreSQL array, each value as <see cref="Bind"/> sends it alone.</summary>
    private static Npgsql.NpgsqlParameter Column<T>(int index, PropertyInfo property, IReadOnlyList<T> rows)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var values = rows.Select(r => property.GetValue(r)).ToArray();
        (Array array, NpgsqlTypes.NpgsqlDbType element) = type switch
        {
            _ when type == typeof(string) => ((Array)values.Cast<string?>().ToArray(), NpgsqlTypes.NpgsqlDbType.Text),
            _ when type == typeof(DateTime) => (values.Select(v => v is DateTime d ? Db.AsUtc(d) : (DateTime?)null).ToArray(), NpgsqlTypes.NpgsqlDbType.TimestampTz),
            _ when type == typeof(bool) => (values.Select(v => (bool?)v).ToArray(), NpgsqlTypes.NpgsqlDbType.Boolean),
            _ when type == typeof(double) => (values.Select(v => (double?)v).ToArray(), NpgsqlTypes.NpgsqlDbType.Double),
            _ when type == typeof(int) => (values.Select(v => (int?)v).ToArray(), NpgsqlTypes.NpgsqlDbType.Integer),
            _ => (values.Select(v => v is null ? (long?)null : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), NpgsqlTypes.NpgsqlDbType.Bigint),
        };
        return new Npgsql.NpgsqlParameter($"c{index}", NpgsqlTypes.NpgsqlDbType.Array | element) { Value = array };
    }

    /// <summary>The types <see cref="Bind"/> sends as Dapper would (instants as <see cref="Db.SetInstant"/> does); others go through Dapper.</summary>
    private static bool Bindable(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t == typeof(long) || t == typeof(int) || t == typeof(double) || t == typeof(bool) || t == typeof(DateTime) || t.IsEnum;
    }

    private static void Bind(DbParameter parameter, object? value)
    {
        switch (value)
        {
            case null:
                parameter.Value = DBNull.Value;
                break;
            case DateTime instant:
                Db.SetInstant(parameter, instant);
                break;
            case Enum e:
                parameter.Value = Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                parameter.Value = value;
                break;
        }
    }

    /// <summary>How many rows of <paramref name="parametersPerRow"/> parameters one statement takes.</summary>
    public static int RowsPerStatement(int parametersPerRow) => Math.Clamp(MaxParameters / Math.Max(1, parametersPerRow), 1, MaxRows);

    /// <summary>The statement for <paramref name="rows"/> rows, as sent (for the SQL Server statement tests).</summary>
    public static string Expand(string insert, int rows)
    {
        var (head, tuple) = Split(insert);
        return head + " VALUES " + string.Join(", ", Enumerable.Range(0, rows).Select(i => Parameter().Replace(tuple, m => $"@{m.Groups[1].Value}_{i}")));
    }

    private static (string Head, string Tuple) Split(string insert)
    {
        var at = insert.LastIndexOf("VALUES", StringComparison.OrdinalIgnoreCase);
        if (at < 0) throw new ArgumentException("not an INSERT … VALUES (…) statement", nameof(insert));
        return (insert[..at].TrimEnd(), insert[(at + "VALUES".Length)..].Trim());
    }

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex Parameter();
}
