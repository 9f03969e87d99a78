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

    public readonly record struct Services(
        BookingStore Bookings, SlotStore Slots, TerritoryStore Territory, BookingOptions Options, Infrastructure.Telemetry.SasMetrics Metrics, BookingRaceHook Race);

    /// <summary>201 with a new hold; 200 with the same hold when this client already holds the slot (idempotent, not extended).</summary>
    public static async Task<Results<Created<HoldDto>, Ok<HoldDto>, ProblemHttpResult>> HoldSlot(long id, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var slot = await s.Slots.GetAsync(id, ct);
        if (slot is null) return Problems.NotFound("slot_not_found", "No slot has this id.");
        var sector = await s.Territory.GetSectorAsync(slot.SectorCode, ct);
        if (sector is null || !caller.CoversSector(sector.Code, sector.Department)) return Problems.Forbidden("This slot's sector is outside this regulator's scope.");

        await s.Race.AfterSlotReadAsync(id, ct);
        var result = await s.Bookings.HoldAsync(slot, s.Options.WindowFor((int)sector.BookingHorizonHours), TimeSpan.FromMinutes(s.Options.HoldMinutes), caller, ct);
        s.Metrics.Hold(result.Refusal?.Code ?? (result.Existing ? "same_hold" : "granted"));
        if (result.Refusal is { } refused) return BookingEndpoints.Problem(refused);
        var hold = new HoldDto(result.HoldId!, id, Instants.Format(result.ExpiresAt));
        return result.Existing ? TypedResults.Ok(hold) : TypedResults.Created($"/v1/holds/{result.HoldId}", hold);
    }

    public static async Task<Results<Ok<HoldDto>, ProblemHttpResult>> GetHold(string holdId, ClaimsPrincipal user, BookingStore bookings, CancellationToken ct)
    {
        var hold = holdId.Length > 64 ? null : await bookings.FindHoldAsync(holdId, Caller.From(user), ct);
        return hold is { } h ? TypedResults.Ok(new HoldDto(holdId, h.SlotId, Instants.Format(h.ExpiresAt)))
            : Problems.NotFound("hold_not_found", "No live hold of this client has this id.");
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ReleaseHold(string holdId, ClaimsPrincipal user, BookingStore bookings, CancellationToken ct)
    {
        if (holdId.Length > 64) return Problems.NotFound("hold_not_found", "No live hold of this client has this id.");
        return await bookings.ReleaseHoldAsync(holdId, Caller.From(user), ct)
            ? TypedResults.NoContent()
            : Problems.NotFound("hold_not_found", "No live hold of this client has this id.");
    }
}
