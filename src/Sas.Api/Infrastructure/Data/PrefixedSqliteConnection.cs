using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// An SQLite connection whose commands name their parameters as the SQL does (<c>@name</c>). Dapper names them
/// without the prefix, and Microsoft.Data.Sqlite then tries <c>@</c>, <c>$</c> and <c>:</c> in turn for every parameter
/// of every execution, building a string and its UTF-8 copy each time: a fifth of what a booking allocated.
/// </summary>
public class PrefixedSqliteConnection(string connectionString) : SqliteConnection(connectionString)
{
    public override SqliteCommand CreateCommand() => new PrefixedCommand
    {
        Connection = this,
        CommandTimeout = DefaultTimeout,
        Transaction = Transaction,
    };

    /// <summary>A command whose parameters are named as the SQL names them (the writer's cache gathers its parameters on one).</summary>
    internal sealed class PrefixedCommand : SqliteCommand
    {
        public override SqliteParameter CreateParameter() => new PrefixedParameter();
    }

    private sealed class PrefixedParameter : SqliteParameter
    {
        private static readonly ConcurrentDictionary<string, string> Prefixed = new(StringComparer.Ordinal);

        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string ParameterName
        {
            get => base.ParameterName;
            set => base.ParameterName = value is null or "" or ['@' or '$' or ':', ..] ? value : Prefixed.GetOrAdd(value, static v => "@" + v);
        }
    }
}
