using System.Text.Json;

namespace Sas.Api.Bookings;

/// <summary>
/// Why a hold, booking, cancellation or outcome did not happen: the answer's status, its stable code and one detail
/// per code, so that an idempotency key keeps only the code and replays the very same answer.
/// </summary>
public sealed record Refusal(int Status, string Code, string Detail)
{
    public static readonly Refusal SlotNotFound = new(404, "slot_not_found", "No slot has this id.");
    public static readonly Refusal SlotWithdrawn = new(410, "slot_withdrawn", "The GP has withdrawn this slot.");
    public static readonly Refusal SlotBooked = new(409, "slot_booked", "This slot is booked, or changed meanwhile; search again.");
    public static readonly Refusal SlotHeld = new(409, "slot_held", "Another regulator holds this slot.");
    public static readonly Refusal HoldIdRequired = new(409, "hold_id_required", "You hold this slot: send its holdId to book it.");
    public static readonly Refusal HoldExpired = new(409, "hold_expired", "This hold has lapsed or was released: hold the slot again, or book it without a holdId while it is free.");
    public static readonly Refusal HoldNotRenewable = new(409, "hold_not_renewable", "Your hold on this slot ended less than a hold period ago: a hold is not renewed; book the slot without a hold while it is free.");
    public static readonly Refusal SlotStarted = new(422, "slot_started", "This slot starts within the cut-off or has started.");
    public static readonly Refusal OutsideBookingHorizon = new(422, "outside_booking_horizon", "This slot starts beyond the sector's booking horizon.");
    public static readonly Refusal OverflowFull = new(409, "overflow_full", "This GP's overflow places for the day are all taken.");
    public static readonly Refusal BookingCancelled = new(409, "booking_cancelled", "This booking is cancelled.");
    public static readonly Refusal OutcomeRecorded = new(409, "outcome_recorded", "The consultation's outcome is recorded; the booking can no longer change.");
    public static readonly Refusal ConsultationNotStarted = new(422, "consultation_not_started", "An outcome is recorded once the consultation has started.");

    private static readonly Dictionary<string, Refusal> ByCode = new[]
    {
        SlotNotFound, SlotWithdrawn, SlotBooked, SlotHeld, HoldIdRequired, HoldExpired, HoldNotRenewable, SlotStarted, OutsideBookingHorizon, OverflowFull,
        BookingCancelled, OutcomeRecorded, ConsultationNotStarted,
    }.ToDictionary(r => r.Code, StringComparer.Ordinal);

    /// <summary>The refusal an idempotency key stored (its code; a JSON body for keys stored before codes were).</summary>
    public static Refusal Of(int status, string stored)
    {
        var code = stored.StartsWith('{') ? JsonDocument.Parse(stored).RootElement.GetProperty("code").GetString()! : stored;
        return ByCode.TryGetValue(code, out var known) ? known : new Refusal(status, code, "The first request with this Idempotency-Key was refused.");
    }
}
