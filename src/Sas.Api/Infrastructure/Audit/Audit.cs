using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Infrastructure.Audit;

/// <summary>
/// The audit trail: who (client, role) did or read what (action, entity, id), when, in which request.
/// Rows are only ever inserted, inside the transaction of the change they describe.
/// </summary>
public sealed class Audit(Db db, TimeProvider clock)
{
    public sealed class Sql(SqlDialect d)
    {
        public string Insert { get; } = """
            INSERT INTO audit_log (at, client_id, role, action, entity, entity_id, trace_id)
            VALUES (@at, @clientId, @role, @action, @entity, @entityId, @traceId)
            """;
        /// <summary>A page of the trail, filtered by what was asked (one statement per combination: no catch-all predicate).</summary>
        public string Read(bool byEntity, bool byId) => $"""
            SELECT id, at, client_id AS ClientId, role, action, entity, entity_id AS EntityId, trace_id AS TraceId
              FROM audit_log
             WHERE id > @after
            {(byEntity ? "   AND entity = @entity" : "")}
            {(byId ? "   AND entity_id = @entityId" : "")}
             ORDER BY id
            {d.Limit("@limit")}
            """;
    }

    public sealed record AuditRow(long Id, DateTime At, string ClientId, string Role, string Action, string Entity, string EntityId, string? TraceId);

    /// <summary>Writes one row on its own connection: for writes whose store does not audit inside its transaction.</summary>
    public Task WriteAsync(Caller caller, string action, string entity, string entityId, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) => { await WriteAsync(c, tx, caller, action, entity, entityId, ct); return 0; }, ct);

    public async Task<IReadOnlyList<AuditRow>> ReadAsync(string? entity, string? entityId, long after, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<AuditRow>(new CommandDefinition(Statements.Read(entity is not null, entityId is not null), new { entity, entityId, after, limit }, cancellationToken: ct))).AsList();
    }

    private Sql Statements { get; } = new(db.Dialect);

    public Task WriteAsync(DbConnection c, DbTransaction? tx, Caller caller, string action, string entity, string entityId, CancellationToken ct) =>
        WriteManyAsync(c, tx, caller, action, entity, [entityId], ct);

    public Task WriteManyAsync(DbConnection c, DbTransaction? tx, Caller caller, string action, string entity, IEnumerable<string> entityIds, CancellationToken ct)
    {
        var at = clock.GetUtcNow().UtcDateTime;
        var traceId = Activity.Current?.TraceId.ToString();
        var rows = entityIds.Select(id => new { at, clientId = caller.ClientId, role = caller.Role, action, entity, entityId = id, traceId }).ToList();
        return MultiRowInsert.ExecuteAsync(c, tx, Statements.Insert, rows, ct);
    }
}
