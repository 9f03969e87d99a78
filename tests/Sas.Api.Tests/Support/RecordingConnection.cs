using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.SqlClient;

namespace Sas.Api.Tests.Support;

/// <summary>
/// A connection that executes nothing and records what Dapper would send: each command's text and its parameters,
/// created as SqlClient's own <see cref="SqlParameter"/>s, so that what SQL Server would receive (types, sizes,
/// counts) can be checked on a machine without SQL Server. Queries answer no rows.
/// </summary>
public sealed class RecordingConnection : DbConnection
{
    public List<(string Text, IReadOnlyList<SqlParameter> Parameters)> Sent { get; } = [];

    private ConnectionState state = ConnectionState.Closed;

    [AllowNull]
    public override string ConnectionString { get; set; } = "";
    public override string Database => "recording";
    public override string DataSource => "recording";
    public override string ServerVersion => "16.0";
    public override ConnectionState State => state;
    public override void ChangeDatabase(string databaseName) { }
    public override void Close() => state = ConnectionState.Closed;
    public override void Open() => state = ConnectionState.Open;
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();
    protected override DbCommand CreateDbCommand() => new Command(this);

    private sealed class Command(RecordingConnection connection) : DbCommand
    {
        private readonly Parameters parameters = new();

        [AllowNull]
        public override string CommandText { get; set; } = "";
        public override int CommandTimeout { get; set; }
        public override CommandType CommandType { get; set; }
        public override bool DesignTimeVisible { get; set; }
        public override UpdateRowSource UpdatedRowSource { get; set; }
        protected override DbConnection? DbConnection { get => connection; set { } }
        protected override DbParameterCollection DbParameterCollection => parameters;
        protected override DbTransaction? DbTransaction { get; set; }
        public override void Cancel() { }
        public override void Prepare() { }
        protected override DbParameter CreateDbParameter() => new SqlParameter();

        private void Record() => connection.Sent.Add((CommandText, parameters.Items.Cast<SqlParameter>().ToList()));

        public override int ExecuteNonQuery() { Record(); return 0; }
        public override object? ExecuteScalar() { Record(); return null; }
        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) { Record(); return new DataTable().CreateDataReader(); }
    }

    private sealed class Parameters : DbParameterCollection
    {
        public List<DbParameter> Items { get; } = [];
        public override int Count => Items.Count;
        public override object SyncRoot => Items;
        public override int Add(object value) { Items.Add((DbParameter)value); return Items.Count - 1; }
        public override void AddRange(Array values) { foreach (var v in values) Add(v); }
        public override void Clear() => Items.Clear();
        public override bool Contains(object value) => Items.Contains((DbParameter)value);
        public override bool Contains(string value) => IndexOf(value) >= 0;
        public override void CopyTo(Array array, int index) => ((System.Collections.ICollection)Items).CopyTo(array, index);
        public override System.Collections.IEnumerator GetEnumerator() => Items.GetEnumerator();
        public override int IndexOf(object value) => Items.IndexOf((DbParameter)value);
        public override int IndexOf(string parameterName) => Items.FindIndex(p => p.ParameterName == parameterName);
        public override void Insert(int index, object value) => Items.Insert(index, (DbParameter)value);
        public override void Remove(object value) => Items.Remove((DbParameter)value);
        public override void RemoveAt(int index) => Items.RemoveAt(index);
        public override void RemoveAt(string parameterName) => Items.RemoveAt(IndexOf(parameterName));
        protected override DbParameter GetParameter(int index) => Items[index];
        protected override DbParameter GetParameter(string parameterName) => Items[IndexOf(parameterName)];
        protected override void SetParameter(int index, DbParameter value) => Items[index] = value;
        protected override void SetParameter(string parameterName, DbParameter value) => Items[IndexOf(parameterName)] = value;
    }
}
