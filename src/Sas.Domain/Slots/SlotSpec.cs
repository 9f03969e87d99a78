namespace Sas.Domain.Slots;

/// <summary>What a GP offers: when, where and how. Instants are UTC.</summary>
public sealed record SlotSpec(DateTime StartUtc, DateTime EndUtc, string Sector, string Site, Modality Modality)
{
    public const int MinMinutes = 5;
    public const int MaxMinutes = 240;

    public TimeSpan Duration => EndUtc - StartUtc;

    /// <summary>The duration rules; null when the slot is well-formed, else the message for <c>end</c>.</summary>
    public string? DurationError() =>
        EndUtc <= StartUtc ? "must be after start"
        : Duration < TimeSpan.FromMinutes(MinMinutes) ? $"a slot lasts at least {MinMinutes} minutes"
        : Duration > TimeSpan.FromMinutes(MaxMinutes) ? $"a slot lasts at most {MaxMinutes} minutes"
        : null;

    /// <summary>Two slots at the same site overlap when each starts before the other ends.</summary>
    public bool Overlaps(SlotSpec other) =>
        Site == other.Site && StartUtc < other.EndUtc && other.StartUtc < EndUtc;
}
