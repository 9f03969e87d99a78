using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Sas.Api.Reference;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Bookings;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Bookings;

public static partial class BookingEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapBookings(this RouteGroupBuilder v1)
    {
        var bookings = v1.MapGroup("/bookings").WithTags("Booking");
        bookings.MapPost("/", CreateBooking).WithName(nameof(CreateBooking)).WithMetadata(new AuditedInTransaction(), new Infrastructure.OpenApi.RequiredParametersMetadata(IdempotencyHeader))
            .WithSummary("Book a slot (with its holdId if held) or an overflow place; Idempotency-Key required (regulator, admin)")
            .RequireAuthorization(Policies.Regulator).ProducesErrors(E.ValidationFailed, E.IdempotencyKeyRequired, E.IdempotencyKeyReused, E.SlotNotFound, E.PractitionerNotFound, E.SlotBooked, E.SlotHeld, E.HoldIdRequired, E.HoldExpired, E.SlotWithdrawn, E.SlotStarted, E.OutsideBookingHorizon, E.OverflowFull);
        bookings.MapGet("/{id}", GetBooking).WithName(nameof(GetBooking))
            .WithSummary("Read a booking with its patient data; the read is audited (its regulator or GP's client, admin)").ProducesErrors(E.BookingNotFound);
        bookings.MapPost("/{id}/cancellation", CancelBooking).WithName(nameof(CancelBooking)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Cancel a booking, saying who and why; before the cut-off the slot is offered again").ProducesErrors(E.ValidationFailed, E.BookingNotFound, E.BookingCancelled, E.OutcomeRecorded);
        bookings.MapPost("/{id}/move", MoveBooking).WithName(nameof(MoveBooking)).WithMetadata(new AuditedInTransaction(), new Infrastructure.OpenApi.RequiredParametersMetadata(IdempotencyHeader))
            .WithSummary("Move a booking to another slot (with its holdId if held), keeping its id and patient; the old slot is freed; Idempotency-Key required (its regulator or GP's client within their scope, admin)")
            .ProducesErrors(E.ValidationFailed, E.IdempotencyKeyRequired, E.IdempotencyKeyReused, E.BookingNotFound, E.BookingCancelled, E.OutcomeRecorded, E.OverflowNotMovable,
                E.SlotNotFound, E.SlotBooked, E.SlotHeld, E.HoldIdRequired, E.HoldExpired, E.SlotWithdrawn, E.SlotStarted, E.OutsideBookingHorizon);
        bookings.MapPut("/{id}/outcome", RecordOutcome).WithName(nameof(RecordOutcome)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Record whether the patient came, after the start (the GP's practitioner client only)")
            .RequireAuthorization(Policies.Practitioner).ProducesErrors(E.ValidationFailed, E.BookingNotFound, E.BookingCancelled, E.OutcomeRecorded, E.ConsultationNotStarted);

        v1.MapGet("/practitioners/{rpps}/bookings", ListPractitionerBookings).WithName(nameof(ListPractitionerBookings)).WithTags("Booking")
            .WithSummary("The GP's bookings in [from, to), for the practice software to pull (the GP's practitioner client, admin)")
            .RequireAuthorization(Policies.Practitioner, ActsForRouteGp.Policy).WithMetadata(new Infrastructure.OpenApi.RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed);
        return v1;
    }

    /// <summary>Set on an answer that replays the first answer of its Idempotency-Key.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static async Task<Results<Created<BookingDto>, ProblemHttpResult>> CreateBooking(
        BookingInput input, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, ClaimsPrincipal user, BookingService bookings, HttpContext http, CancellationToken ct)
    {
        var result = await bookings.BookAsync(input, idempotencyKey, Caller.From(user), ct);
        if (!result.Succeeded) return result.Problem();
        if (result.Value.Replayed) http.Response.Headers[ReplayedHeader] = "true";
        return TypedResults.Created($"/v1/bookings/{result.Value.Booking.Id}", result.Value.Booking);
    }

    public static async Task<Results<Ok<BookingDto>, ProblemHttpResult>> GetBooking(string id, ClaimsPrincipal user, BookingService bookings, CancellationToken ct) =>
        Answer(await bookings.GetAsync(id, Caller.From(user), ct));

    public static async Task<Results<Ok<BookingDto>, ProblemHttpResult>> CancelBooking(
        string id, CancellationInput input, ClaimsPrincipal user, BookingService bookings, CancellationToken ct) =>
        Answer(await bookings.CancelAsync(id, input, Caller.From(user), ct));

    public static async Task<Results<Ok<BookingDto>, ProblemHttpResult>> MoveBooking(
        string id, MoveInput input, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, ClaimsPrincipal user, BookingService bookings, HttpContext http, CancellationToken ct)
    {
        var result = await bookings.MoveAsync(id, input, idempotencyKey, Caller.From(user), ct);
        if (!result.Succeeded) return result.Problem();
        if (result.Value.Replayed) http.Response.Headers[ReplayedHeader] = "true";
        return TypedResults.Ok(result.Value.Booking);
    }

    public static async Task<Results<Ok<BookingDto>, ProblemHttpResult>> RecordOutcome(
        string id, OutcomeInput input, ClaimsPrincipal user, BookingService bookings, CancellationToken ct) =>
        Answer(await bookings.RecordOutcomeAsync(id, input, Caller.From(user), ct));

    public static async Task<Results<Ok<Page<BookingDto>>, ProblemHttpResult>> ListPractitionerBookings(
        string rpps, string? from, string? to, int? limit, string? after, ClaimsPrincipal user, BookingService bookings, CancellationToken ct) =>
        Answer(await bookings.ListForPractitionerAsync(rpps, from, to, limit, after, Caller.From(user), ct));

    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(Result<T> result) => result.Succeeded ? TypedResults.Ok(result.Value) : result.Problem();
}
