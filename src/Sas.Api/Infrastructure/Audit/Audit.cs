using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Sas.Api.Infrastructure.Auth;

namespace Sas.Api.Infrastructure.Audit;

/// <summary>
/// The audit trail: who (client, role) did or read what (action, entity, id), when, in which request.
/// Rows are only ever inserted, inside the transaction of the change they describe.
/// </summary>
public sealed class Audit(TimeProvider clock)
{
    public sealed class Sql
    {
        public string Insert => """
            INSERT INTO audit_log (at, client_id, role, action, entity, entity_id, trace_id)
            VALUES (@at, @clientId, @role, @action, @entity, @entityId, @traceId)
            """;
    }

    private static readonly Sql Statements = new();

    public Task WriteAsync(DbConnection c, DbTransaction? tx, Caller caller, string action, string entity, string entityId, CancellationToken ct) =>
        WriteManyAsync(c, tx, caller, action, entity, [entityId], ct);

    public Task WriteManyAsync(DbConnection c, DbTransaction? tx, Caller caller, string action, string entity, IEnumerable<string> entityIds, CancellationToken ct)
    {
        var at = clock.GetUtcNow().UtcDateTime;
        var traceId = Activity.Current?.TraceId.ToString();
        var rows = entityIds.Select(id => new { at, clientId = caller.ClientId, role = caller.Role, action, entity, entityId = id, traceId }).ToList();
        return rows.Count == 0 ? Task.CompletedTask : c.ExecuteAsync(new CommandDefinition(Statements.Insert, rows, tx, cancellationToken: ct));
    }
}
