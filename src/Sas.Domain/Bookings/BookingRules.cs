namespace Sas.Domain.Bookings;

/// <summary>Rules about a booking request itself (the slot's own rules are in <c>Slots</c>).</summary>
public static class BookingRules
{
    /// <summary>
    /// How long before the booking the patient's call (<c>requestedAt</c>) may have begun. The ACI delay indicators
    /// measure from it, and regulators book within hours: a call weeks old is a typing mistake that would skew them.
    /// </summary>
    public static readonly TimeSpan MaxCallAge = TimeSpan.FromDays(7);
}
