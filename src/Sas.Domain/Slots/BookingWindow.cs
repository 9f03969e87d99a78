namespace Sas.Domain.Slots;

/// <summary>Why a slot can or cannot be booked at a given instant.</summary>
public enum Bookability
{
    Bookable,
    /// <summary>The slot has started (or starts inside the cut-off): too late to send a patient.</summary>
    Started,
    /// <summary>The slot starts beyond the sector's booking horizon.</summary>
    OutsideHorizon,
}

/// <summary>
/// The booking window of a sector: a slot is bookable when it starts no sooner than
/// <see cref="CutOff"/> from now and no later than <see cref="Horizon"/> from now.
/// </summary>
public sealed record BookingWindow(TimeSpan Horizon, TimeSpan CutOff)
{
    public static readonly TimeSpan DefaultHorizon = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultCutOff = TimeSpan.FromMinutes(10);

    public static BookingWindow ForSector(int bookingHorizonHours, TimeSpan cutOff) =>
        new(TimeSpan.FromHours(bookingHorizonHours), cutOff);

    /// <summary>The earliest start that is still bookable now.</summary>
    public DateTime EarliestStart(DateTime nowUtc) => nowUtc + CutOff;

    /// <summary>The latest start that is bookable now (inclusive).</summary>
    public DateTime LatestStart(DateTime nowUtc) => nowUtc + Horizon;

    public Bookability Check(DateTime startUtc, DateTime nowUtc) =>
        startUtc < EarliestStart(nowUtc) ? Bookability.Started
        : startUtc > LatestStart(nowUtc) ? Bookability.OutsideHorizon
        : Bookability.Bookable;

    /// <summary>Whether a cancellation now happens before the slot's cut-off, so it can be offered again.</summary>
    public bool IsBeforeCutOff(DateTime startUtc, DateTime nowUtc) => nowUtc < startUtc - CutOff;
}
