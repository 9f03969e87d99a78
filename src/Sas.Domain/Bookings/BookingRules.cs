namespace Sas.Domain.Bookings;

/// <summary>Rules about a booking request itself (the slot's own rules are in <c>Slots</c>).</summary>
public static class BookingRules
{
    /// <summary>
    /// How long before the booking the patient's call (<c>requestedAt</c>) may have begun. The ACI delay indicators
    /// measure from it, and regulators book within hours: a call weeks old is a typing mistake that would skew them.
    /// </summary>
    public static readonly TimeSpan MaxCallAge = TimeSpan.FromDays(7);

    /// <summary>A regulator's national identifier (or an account's SAS id) as a booking may name it.</summary>
    public const string OperatorPattern = @"^[0-9A-Za-z/.\-]{1,64}$";

    private static readonly System.Text.RegularExpressions.Regex Operator = new(OperatorPattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static bool IsOperatorId(string value) => Operator.IsMatch(value);

    /// <summary>
    /// Who may see or act on a booking: an admin, the GP's practice software, and a regulator that booked it or whose
    /// scope covers its sector.
    /// </summary>
    public static bool MaySee(bool admin, bool actsForTheGp, bool regulator, bool bookedIt, bool coversItsSector) =>
        admin || actsForTheGp || (regulator && (bookedIt || coversItsSector));

    /// <summary>
    /// Whether a booking leaving its slot (cancelled, moved) makes the slot available again: only before the slot starts.
    /// After its start the slot was taken at its start and nobody else could have used it: it stays booked, counted
    /// filled, and the cancellation is an outcome of that booking (../shared/DOMAIN.md, fill rate).
    /// </summary>
    public static bool FreesItsSlot(DateTime? slotStartUtc, DateTime nowUtc) => slotStartUtc is { } start && nowUtc < start;
}
