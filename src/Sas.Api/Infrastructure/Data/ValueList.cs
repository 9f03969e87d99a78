using System.Data;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// A list sent as one parameter, matched by <see cref="SqlDialect.InList"/>: a PostgreSQL array, or a JSON array read
/// by <c>OPENJSON</c> (SQL Server) or <c>json_each</c> (SQLite). Dapper would otherwise expand <c>IN @list</c> into a
/// parameter per value: a 2,000-slot sync neared SQL Server's 2,100-parameter limit, and each list length made a new
/// statement for its plan cache.
/// </summary>
public sealed class ValueList : SqlMapper.ICustomQueryParameter
{
    private readonly Array values;

    private ValueList(Array values) => this.values = values;

    public static ValueList Of<T>(IEnumerable<T> values) => new(values.ToArray());

    public int Count => values.Length;

    public void AddParameter(IDbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        if (parameter is NpgsqlParameter)
            parameter.Value = values;
        else
        {
            parameter.DbType = DbType.String;
            parameter.Size = -1; // NVARCHAR(MAX) on SQL Server: one plan whatever the list's length
            parameter.Value = JsonSerializer.Serialize(values);
        }
        command.Parameters.Add(parameter);
    }
}
