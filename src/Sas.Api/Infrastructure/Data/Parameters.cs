using System.Data;
using System.Data.Common;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// Parameters bound by hand, as Dapper binds them (strings as <see cref="DbType.String"/> sized 4000 so SQL Server
/// keeps one plan, instants through <see cref="Db.SetInstant"/>), for the hot reads: Dapper's dynamic parameters
/// cost a search a kilobyte in their own bookkeeping.
/// </summary>
public static class Parameters
{
    public static void Add(DbCommand command, string name, string value)
    {
        var p = New(command, name, DbType.String);
        p.Size = value.Length <= 4000 ? 4000 : -1;
        p.Value = value;
    }

    public static void Add(DbCommand command, string name, int value) => New(command, name, DbType.Int32).Value = value;

    public static void Add(DbCommand command, string name, long value) => New(command, name, DbType.Int64).Value = value;

    public static void Add(DbCommand command, string name, DateTime value) => Db.SetInstant(New(command, name, DbType.DateTime2), value);

    private static DbParameter New(DbCommand command, string name, DbType type)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        command.Parameters.Add(p);
        return p;
    }
}
