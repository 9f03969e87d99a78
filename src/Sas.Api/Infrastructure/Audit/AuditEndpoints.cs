using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Domain.Time;

namespace Sas.Api.Infrastructure.Audit;

public sealed record AuditDto(long Id, string At, string ClientId, string Role, string Action, string Entity, string EntityId, string? TraceId);

/// <summary>Marks an endpoint whose store writes its audit row inside the change's own transaction.</summary>
public sealed class AuditedInTransaction;

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder v1)
    {
        v1.MapGet("/audit", ReadAudit).WithName(nameof(ReadAudit)).WithTags("Audit")
            .WithSummary("The audit trail, e.g. ?entity=booking&id=… (admin)").RequireAuthorization(Policies.Admin).ProducesProblems(422);
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

    /// <summary>
    /// Audits every successful write of the /v1 routes (who, what, which id) unless its store already did
    /// so inside the change's transaction. Written after the change, on its own connection.
    /// </summary>
    public static RouteGroupBuilder AuditWrites(this RouteGroupBuilder v1)
    {
        v1.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var http = context.HttpContext;
            if (!HttpMethods.IsPost(http.Request.Method) && !HttpMethods.IsPut(http.Request.Method) && !HttpMethods.IsDelete(http.Request.Method)) return result;
            var endpoint = http.GetEndpoint();
            if (endpoint?.Metadata.GetMetadata<AuditedInTransaction>() is not null) return result;
            if (StatusOf(result) is not (>= 200 and < 300)) return result;
            var segments = http.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var entity = segments.Length > 1 ? segments[1] : "v1";
            var id = http.Request.RouteValues.Values.FirstOrDefault(v => v is string)?.ToString() ?? "-";
            var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? http.Request.Method;
            await http.RequestServices.GetRequiredService<Audit>().WriteAsync(Caller.From(http.User), action, entity, id.Length > 64 ? id[..64] : id, http.RequestAborted);
            return result;
        });
        return v1;
    }

    /// <summary>The status a handler's result will answer; a <c>Results&lt;…&gt;</c> union wraps the actual one.</summary>
    private static int? StatusOf(object? result) => result switch
    {
        INestedHttpResult nested => StatusOf(nested.Result),
        IStatusCodeHttpResult withStatus => withStatus.StatusCode,
        _ => null,
    };
}
