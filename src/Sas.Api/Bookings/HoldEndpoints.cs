using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Bookings;

public static class HoldEndpoints
{
    public static RouteGroupBuilder MapHolds(this RouteGroupBuilder v1)
    {
        v1.MapPost("/slots/{id:long}/hold", HoldSlot).WithName(nameof(HoldSlot)).WithMetadata(new AuditedInTransaction()).WithTags("Booking")
            .WithSummary("Hold a slot for this regulator while the patient is on the phone (regulator, admin)")
            .RequireAuthorization(Policies.Regulator).ProducesErrors(E.SlotNotFound, E.SlotBooked, E.SlotHeld, E.SlotWithdrawn, E.SlotStarted, E.OutsideBookingHorizon, E.HoldNotRenewable);
        v1.MapGet("/holds/{holdId}", GetHold).WithName(nameof(GetHold)).WithTags("Booking")
            .WithSummary("A live hold of this client: its slot and when it lapses (regulator, admin)")
            .RequireAuthorization(Policies.Regulator).ProducesErrors(E.HoldNotFound);
        v1.MapDelete("/holds/{holdId}", ReleaseHold).WithName(nameof(ReleaseHold)).WithMetadata(new AuditedInTransaction()).WithTags("Booking")
            .WithSummary("Release a hold this client made (regulator, admin)")
            .RequireAuthorization(Policies.Regulator).ProducesErrors(E.HoldNotFound);
        return v1;
    }

    /// <summary>201 with a new hold; 200 with the same hold when this client already holds the slot (idempotent, not extended).</summary>
    public static async Task<Results<Created<HoldDto>, Ok<HoldDto>, ProblemHttpResult>> HoldSlot(long id, ClaimsPrincipal user, HoldService holds, CancellationToken ct)
    {
        var result = await holds.HoldAsync(id, Caller.From(user), ct);
        if (!result.Succeeded) return result.Problem();
        var (hold, existing) = result.Value;
        return existing ? TypedResults.Ok(hold) : TypedResults.Created($"/v1/holds/{hold.HoldId}", hold);
    }

    public static async Task<Results<Ok<HoldDto>, ProblemHttpResult>> GetHold(string holdId, ClaimsPrincipal user, HoldService holds, CancellationToken ct)
    {
        var result = await holds.GetAsync(holdId, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ReleaseHold(string holdId, ClaimsPrincipal user, HoldService holds, CancellationToken ct)
    {
        var result = await holds.ReleaseAsync(holdId, Caller.From(user), ct);
        return result.Succeeded ? TypedResults.NoContent() : result.Problem();
    }
}
