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
    /// <summary>
    /// A hold lapses by the clock: a slot stored as held whose hold has expired is available, at once,
    /// without waiting for any job to rewrite the row.
    /// </summary>
    public static SlotStatus Effective(SlotStatus stored, DateTime? holdExpiresAtUtc, DateTime nowUtc) =>
        stored == SlotStatus.Held && (holdExpiresAtUtc is null || holdExpiresAtUtc <= nowUtc) ? SlotStatus.Available : stored;
}

/// <summary>Text forms of the enumerations, as stored in the database and sent on the wire.</summary>
public static class SlotText
{
    public static string ToText(this SlotStatus status) => status switch
    {
        SlotStatus.Available => "available",
        SlotStatus.Held => "held",
        SlotStatus.Booked => "booked",
        SlotStatus.Withdrawn => "withdrawn",
        SlotStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static SlotStatus ParseStatus(string text) => text switch
    {
        "available" => SlotStatus.Available,
        "held" => SlotStatus.Held,
        "booked" => SlotStatus.Booked,
        "withdrawn" => SlotStatus.Withdrawn,
        "expired" => SlotStatus.Expired,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, "unknown slot status"),
    };

    public static string ToText(this Modality modality) => modality switch
    {
        Modality.InPerson => "in_person",
        Modality.Teleconsultation => "teleconsultation",
        Modality.HomeVisit => "home_visit",
        _ => throw new ArgumentOutOfRangeException(nameof(modality)),
    };

    public static Modality ParseModality(string text) => text switch
    {
        "in_person" => Modality.InPerson,
        "teleconsultation" => Modality.Teleconsultation,
        "home_visit" => Modality.HomeVisit,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, "unknown modality"),
    };

    public static bool TryParseModality(string? text, out Modality modality)
    {
        modality = default;
        if (text is not ("in_person" or "teleconsultation" or "home_visit")) return false;
        modality = ParseModality(text);
        return true;
    }
}
