using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// The SQLite writer's connection: it lives as long as the process and runs the same few dozen statements over and over,
/// so it keeps each statement prepared. Microsoft.Data.Sqlite prepares a command's text again in every new command
/// object, and Dapper makes one per execution: a booking's statements were prepared again each time, on the one writer
/// every write waits for (docs/benchmarks.md, "A booking's database work"). The commands this connection makes look like
/// any other to Dapper and to the stores; on execution each runs on a command kept per text, with its parameters.
/// </summary>
public sealed class StatementCachingConnection(string connectionString) : PrefixedSqliteConnection(connectionString)
{
    /// <summary>
    /// Above the writer's steady texts (multi-row inserts make one text per row count); reaching it starts the set afresh,
    /// so texts seen once long ago never keep out the ones in use.
    /// </summary>
    public const int MaxStatements = 256;

    private readonly Dictionary<string, SqliteCommand> idle = new(StringComparer.Ordinal);

    /// <summary>Statements prepared so far and kept: for the tests.</summary>
    public int Kept => idle.Count;

    /// <summary>Executions that found their statement already prepared: for the tests.</summary>
    public long Reused { get; private set; }

    protected override DbCommand CreateDbCommand() => new Command(this);

    /// <summary>The command kept for <paramref name="text"/>, taken out while it runs (a text run twice at once gets a second one).</summary>
    private SqliteCommand Take(string text)
    {
        if (idle.Remove(text, out var kept))
        {
            Reused++;
            return kept;
        }
        var command = base.CreateCommand();
        command.CommandText = text;
        return command;
    }

    private void Return(SqliteCommand command, SqliteDataReader? reader)
    {
        command.Parameters.Clear();
        command.Transaction = null;
        // A reader still open holds the statement, and a text already kept is not kept twice.
        if (reader is { IsClosed: false } || idle.ContainsKey(command.CommandText))
        {
            command.Dispose();
            return;
        }
        if (idle.Count >= MaxStatements)
        {
            foreach (var old in idle.Values) old.Dispose();
            idle.Clear();
        }
        idle.Add(command.CommandText, command);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in idle.Values) command.Dispose();
            idle.Clear();
        }
        base.Dispose(disposing);
    }

    /// <summary>What Dapper and the stores hold: its parameters are bound to the kept command for each execution.</summary>
    private sealed class Command(StatementCachingConnection connection) : DbCommand
    {
        // Parameters are gathered on a command that never runs (Dapper may add them before or after the text).
        private readonly SqliteCommand parameters = new PrefixedCommand();
        private SqliteCommand? running;
        private SqliteDataReader? reader;

        [AllowNull]
        public override string CommandText { get; set; } = "";
        public override int CommandTimeout { get; set; } = connection.DefaultTimeout;
        public override CommandType CommandType { get; set; } = CommandType.Text;
        public override UpdateRowSource UpdatedRowSource { get; set; }
        public override bool DesignTimeVisible { get; set; }
        protected override DbConnection? DbConnection
        {
            get => connection;
            set { if (!ReferenceEquals(value, connection)) throw new NotSupportedException("a writer command stays with its connection"); }
        }
        protected override DbParameterCollection DbParameterCollection => parameters.Parameters;
        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel() { }
        public override void Prepare() { }
        protected override DbParameter CreateDbParameter() => parameters.CreateParameter();

        public override int ExecuteNonQuery()
        {
            var command = Start();
            try { return command.ExecuteNonQuery(); }
            finally { Finish(); }
        }

        public override object? ExecuteScalar()
        {
            var command = Start();
            try { return command.ExecuteScalar(); }
            finally { Finish(); }
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            var command = Start();
            try { return reader = command.ExecuteReader(behavior); }
            catch
            {
                Finish();
                throw;
            }
        }

        private SqliteCommand Start()
        {
            if (running is not null) Finish();
            if (CommandType != CommandType.Text) throw new NotSupportedException("SQLite runs text commands only");
            var command = running = connection.Take(CommandText);
            command.Transaction = (SqliteTransaction?)DbTransaction ?? connection.Transaction;
            command.CommandTimeout = CommandTimeout;
            foreach (SqliteParameter p in parameters.Parameters) command.Parameters.Add(p);
            return command;
        }

        private void Finish()
        {
            if (running is null) return;
            connection.Return(running, reader);
            (running, reader) = (null, null);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Finish();
                parameters.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
