namespace Sas.Domain.Slots;

/// <summary>Where a slot is in its life. Stored and sent as snake_case text.</summary>
public enum SlotStatus
{
    Available,
    Held,
    Booked,
    Withdrawn,
    Expired,
}

/// <summary>How the consultation happens.</summary>
public enum Modality
{
    InPerson,
    Teleconsultation,
    HomeVisit,
}

public static class SlotLife
{
    /// <summary>A slot that takes its GP's time at its site: free, held or booked. A withdrawn or expired one does not.</summary>
    public static bool IsLive(SlotStatus status) => status is SlotStatus.Available or SlotStatus.Held or SlotStatus.Booked;

    /// <summary>
    /// A hold lapses by the clock: a slot stored as held whose hold has expired is available, at once,
    /// without waiting for any job to rewrite the row.
    /// </summary>
    public static SlotStatus Effective(SlotStatus stored, DateTime? holdExpiresAtUtc, DateTime nowUtc) =>
        stored == SlotStatus.Held && (holdExpiresAtUtc is null || holdExpiresAtUtc <= nowUtc) ? SlotStatus.Available : stored;
}

/// <summary>The slot's enumerations as text: <see cref="EnumText"/>'s one rule, under the names the slot code reads.</summary>
public static class SlotText
{
    public static string ToText(this SlotStatus status) => EnumText.ToText(status);

    public static SlotStatus ParseStatus(string text) => EnumText.Parse<SlotStatus>(text);

    public static string ToText(this Modality modality) => EnumText.ToText(modality);

    public static Modality ParseModality(string text) => EnumText.Parse<Modality>(text);

    public static bool TryParseModality(string? text, out Modality modality) => EnumText.TryParse(text, out modality);
}
