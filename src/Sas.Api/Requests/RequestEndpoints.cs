using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Requests;

/// <summary>
/// Pooled requests: a professional's practice opts in (<c>/practitioners/{rpps}/pool</c>) and reads what it is offered;
/// a regulator posts and withdraws (<c>/requests</c>); the practice accepts.
/// </summary>
public static class RequestEndpoints
{
    private const string Idempotency = BookingEndpoints.IdempotencyHeader;

    public static RouteGroupBuilder MapRequests(this RouteGroupBuilder v1)
    {
        var pool = v1.MapGroup("/practitioners/{rpps}").WithTags("Pooled requests").RequireAuthorization(Policies.Practitioner, ActsForRouteGp.Policy);
        pool.MapPut("/pool", JoinPool).WithName(nameof(JoinPool)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Take pooled requests of the professional's sectors on these weekdays and local hours (the professional's practitioner client, admin)")
            .ProducesErrors(E.ValidationFailed, E.PractitionerNotFound, E.PoolNeedsOverflow);
        pool.MapGet("/pool", GetPool).WithName(nameof(GetPool)).WithSummary("Whether and when the professional takes pooled requests").ProducesErrors(E.NotFound);
        pool.MapDelete("/pool", LeavePool).WithName(nameof(LeavePool)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Take no more pooled requests (those already offered stay offered)").ProducesErrors(E.NotFound);
        pool.MapGet("/requests", OfferedRequests).WithName(nameof(OfferedRequests))
            .WithSummary("The open pooled requests offered to the professional, the soonest to end first; each read is audited (its reason is the patient's)");

        var requests = v1.MapGroup("/requests").WithTags("Pooled requests");
        requests.MapPost("/", PostRequest).WithName(nameof(PostRequest)).WithMetadata(new AuditedInTransaction(), new Infrastructure.OpenApi.RequiredParametersMetadata(Idempotency))
            .WithSummary("When no slot fits: post the need to the professionals of the territory who take pooled requests; the first to accept gets it; Idempotency-Key required (regulator, admin)")
            .RequireAuthorization(Policies.Regulator)
            .ProducesErrors(E.ValidationFailed, E.IdempotencyKeyRequired, E.IdempotencyKeyReused, E.SectorNotFound, E.PostalCodeNotFound, E.NobodyInPool);
        requests.MapGet("/", PostedRequests).WithName(nameof(PostedRequests))
            .WithSummary("The requests this client posted in the last 24 hours, newest first: the open ones and how the others ended (regulator, admin); each read is audited")
            .RequireAuthorization(Policies.Regulator);
        requests.MapGet("/{id}", GetRequest).WithName(nameof(GetRequest))
            .WithSummary("A pooled request and where it stands (its regulator's client, the practice of a professional it was offered to, admin); the read is audited")
            .ProducesErrors(E.RequestNotFound);
        requests.MapPost("/{id}/accept", AcceptRequest).WithName(nameof(AcceptRequest)).WithMetadata(new AuditedInTransaction(), new Infrastructure.OpenApi.RequiredParametersMetadata(Idempotency))
            .WithSummary("Accept a request offered to one of this client's professionals, at the time they will see the patient: it becomes their overflow booking; the first to accept wins; Idempotency-Key required")
            .RequireAuthorization(Policies.Practitioner)
            .ProducesErrors(E.ValidationFailed, E.IdempotencyKeyRequired, E.IdempotencyKeyReused, E.RequestNotFound, E.RequestClosed, E.PractitionerNotFound, E.OverflowFull);
        requests.MapPost("/{id}/withdrawal", WithdrawRequest).WithName(nameof(WithdrawRequest)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Take back an open request (its regulator's client, admin): it is closed and the patient's data cleared")
            .RequireAuthorization(Policies.Regulator).ProducesErrors(E.RequestNotFound, E.RequestClosed);
        return v1;
    }

    public static async Task<Results<Ok<PoolDto>, ProblemHttpResult>> JoinPool(string rpps, PoolInput input, ClaimsPrincipal user, RequestService requests, CancellationToken ct)
    {
        var result = await requests.JoinPoolAsync(rpps, input, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }

    public static async Task<Results<Ok<PoolDto>, ProblemHttpResult>> GetPool(string rpps, RequestService requests, CancellationToken ct)
    {
        var result = await requests.PoolAsync(rpps, ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> LeavePool(string rpps, ClaimsPrincipal user, RequestService requests, CancellationToken ct) =>
        await requests.LeavePoolAsync(rpps, Caller.From(user), ct) ? TypedResults.NoContent() : Problems.Of(E.NotFound, "This professional takes no pooled requests.");

    public static async Task<Ok<IReadOnlyList<RequestDto>>> OfferedRequests(string rpps, ClaimsPrincipal user, RequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.OpenForAsync(rpps, Caller.From(user), ct));

    public static async Task<Results<Created<RequestDto>, ProblemHttpResult>> PostRequest(
        RequestInput input, [FromHeader(Name = Idempotency)] string? idempotencyKey, ClaimsPrincipal user, RequestService requests, CancellationToken ct)
    {
        var result = await requests.PostAsync(input, idempotencyKey, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Created($"/v1/requests/{result.Value.Id}", result.Value) : result.Problem();
    }

    public static async Task<Ok<IReadOnlyList<RequestDto>>> PostedRequests(ClaimsPrincipal user, RequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.PostedAsync(Caller.From(user), ct));

    public static async Task<Results<Ok<RequestDto>, ProblemHttpResult>> GetRequest(string id, ClaimsPrincipal user, RequestService requests, CancellationToken ct)
    {
        var result = await requests.GetAsync(id, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }

    public static async Task<Results<Created<BookingDto>, ProblemHttpResult>> AcceptRequest(
        string id, AcceptInput input, [FromHeader(Name = Idempotency)] string? idempotencyKey, ClaimsPrincipal user, RequestService requests, HttpContext http, CancellationToken ct)
    {
        var result = await requests.AcceptAsync(id, input, idempotencyKey, Caller.From(user), ct);
        if (!result.Succeeded) return result.Problem();
        if (result.Value.Replayed) http.Response.Headers[BookingEndpoints.ReplayedHeader] = "true";
        return TypedResults.Created($"/v1/bookings/{result.Value.Booking.Id}", result.Value.Booking);
    }

    public static async Task<Results<Ok<RequestDto>, ProblemHttpResult>> WithdrawRequest(string id, ClaimsPrincipal user, RequestService requests, CancellationToken ct)
    {
        var result = await requests.WithdrawAsync(id, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }
}
