namespace Sas.Domain.Bookings;

/// <summary>
/// Why a hold, a booking, a cancellation or an outcome did not happen, as the booking rules say it. The API gives each
/// its stable code and status (<c>ErrorCodes.Of</c>); an idempotency key keeps the code and replays the same answer.
/// </summary>
public enum Refusal
{
    SlotNotFound,
    SlotWithdrawn,
    SlotBooked,
    SlotHeld,
    HoldIdRequired,
    HoldExpired,
    HoldNotRenewable,
    SlotStarted,
    OutsideBookingHorizon,
    OverflowFull,
    BookingCancelled,
    OutcomeRecorded,
    ConsultationNotStarted,
    /// <summary>The booking is not there any more: the database lost it after it was read (a failover, a restore).</summary>
    BookingNotFound,
}
