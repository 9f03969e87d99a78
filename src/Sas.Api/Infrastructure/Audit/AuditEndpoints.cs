using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Infrastructure.Audit;

public sealed record AuditDto(long Id, string At, string ClientId, string Role, string Action, string Entity, string EntityId, string? TraceId);

/// <summary>
/// Marks a write route whose store writes its audit row inside the change's own transaction, so that the row exists if and
/// only if the change does (a client that disconnects, or a crash after the commit, cannot lose it). Every write route of
/// /v1 carries it; a test fails for one that does not.
/// </summary>
public sealed class AuditedInTransaction;

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder v1)
    {
        v1.MapGet("/audit", ReadAudit).WithName(nameof(ReadAudit)).WithTags("Audit")
            .WithSummary("The audit trail, e.g. ?entity=booking&id=… (admin)").RequireAuthorization(Policies.Admin).ProducesErrors(E.ValidationFailed);
        return v1;
    }

    public static async Task<Results<Ok<Page<AuditDto>>, ProblemHttpResult>> ReadAudit(string? entity, string? id, int? limit, string? after, Audit audit, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Text("entity", entity, 20, required: false);
        errors.Text("id", id, 64, required: false);
        if (!Paging.IsValidLimit(limit)) errors.Add("limit", $"must be between 1 and {Paging.MaxLimit}");
        if (!Paging.TryDecodeId(after, out var afterId)) errors.Add("after", "is not a cursor this API gave");
        if (errors.Any) return errors.ToProblem();
        var take = Paging.Limit(limit);
        var rows = await audit.ReadAsync(entity, id, afterId, take + 1, ct);
        var page = rows.Take(take).Select(r => new AuditDto(r.Id, Instants.Format(r.At), r.ClientId, r.Role, r.Action, r.Entity, r.EntityId, r.TraceId)).ToList();
        return TypedResults.Ok(new Page<AuditDto>(page, rows.Count > take ? Paging.EncodeId(page[^1].Id) : null));
    }
}
