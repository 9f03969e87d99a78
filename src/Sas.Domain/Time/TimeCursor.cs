using System.Globalization;

namespace Sas.Domain.Time;

/// <summary>
/// Where a page of items ordered by (time, id) stopped: the last item's instant and id. One text form for every such
/// page (bookings by start, searches and the FHIR query by slot start), <c>ticks|id</c>; the API gives it opaque.
/// </summary>
public readonly record struct TimeCursor(DateTime At, string Id)
{
    public TimeCursor(DateTime at, long id) : this(at, id.ToString(CultureInfo.InvariantCulture)) { }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{At.Ticks}|{Id}");

    /// <summary>A cursor this API wrote: an instant within <see cref="Instants"/>' range and a non-empty id.</summary>
    public static bool TryParse(string? text, out TimeCursor cursor)
    {
        cursor = default;
        var bar = text?.IndexOf('|') ?? -1;
        if (bar <= 0 || bar == text!.Length - 1
            || !long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < Instants.Earliest.Ticks || ticks >= Instants.Latest.Ticks) return false;
        cursor = new TimeCursor(new DateTime(ticks, DateTimeKind.Utc), text[(bar + 1)..]);
        return true;
    }

    /// <summary>The id as a number (slots), when it is one.</summary>
    public bool TryGetNumber(out long id) => long.TryParse(Id, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    /// <summary>Whether an item comes after this cursor in the (time, id) order.</summary>
    public bool Precedes(DateTime at, long id) => at > At || (at == At && TryGetNumber(out var mine) && id > mine);
}
