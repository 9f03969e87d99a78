using Sas.Domain.Reports;

namespace Sas.Domain.Slots;

/// <summary>
/// A recurring availability (a *plage*): on these weekdays, every <see cref="EveryWeeks"/> weeks counted from the week of
/// <see cref="From"/>, from <see cref="Start"/> to <see cref="End"/> local time, cut into slots of
/// <see cref="SlotMinutes"/>; from a date, until a date or open-ended; never on the dates excepted, nor on French public
/// holidays when asked. "Every Tuesday afternoon" given once, instead of slots published one by one.
/// </summary>
public sealed record AvailabilityRule(
    IReadOnlySet<DayOfWeek> Weekdays, int EveryWeeks, TimeOnly Start, TimeOnly End, int SlotMinutes,
    DateOnly From, DateOnly? Until, bool SkipPublicHolidays, IReadOnlySet<DateOnly> Exceptions)
{
    public const int MaxEveryWeeks = 8;

    /// <summary>What is wrong with the rule, field by field (empty when it is well-formed).</summary>
    public IEnumerable<(string Field, string Message)> Errors()
    {
        if (Weekdays.Count == 0) yield return ("weekdays", "names at least one day");
        if (EveryWeeks is < 1 or > MaxEveryWeeks) yield return ("everyWeeks", $"must be between 1 and {MaxEveryWeeks}");
        if (SlotMinutes is < SlotSpec.MinMinutes or > SlotSpec.MaxMinutes)
            yield return ("slotMinutes", $"must be between {SlotSpec.MinMinutes} and {SlotSpec.MaxMinutes}");
        else if (End <= Start || (End - Start).TotalMinutes < SlotMinutes) yield return ("end", "must leave room for one slot after start");
        if (Until is { } until && until < From) yield return ("until", "must not be before from");
    }

    /// <summary>
    /// The slots the rule makes on the local days [<paramref name="first"/>, <paramref name="last"/>], in
    /// <paramref name="zone"/>, soonest first. Each slot is its local wall-clock time: a slot in the hour the clocks skip
    /// (spring) is not made; in the hour they repeat (autumn), it is the first of the two.
    /// </summary>
    public IEnumerable<(DateTime StartUtc, DateTime EndUtc)> SlotsBetween(DateOnly first, DateOnly last, TimeZoneInfo zone)
    {
        var from = first > From ? first : From;
        var to = Until is { } until && until < last ? until : last;
        var firstMonday = Monday(From);
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            if (!Weekdays.Contains(day.DayOfWeek) || Exceptions.Contains(day)) continue;
            if ((Monday(day).DayNumber - firstMonday.DayNumber) / 7 % EveryWeeks != 0) continue;
            if (SkipPublicHolidays && FrenchHolidays.IsHoliday(day)) continue;
            for (var start = Start; (End - start).TotalMinutes >= SlotMinutes; start = start.AddMinutes(SlotMinutes))
            {
                if (ToUtc(day.ToDateTime(start), zone) is not { } startUtc) continue;
                yield return (startUtc, startUtc.AddMinutes(SlotMinutes));
                if (start.AddMinutes(SlotMinutes) < start) break; // past midnight: the day is over
            }
        }
    }

    private static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    private static DateTime? ToUtc(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local)) return null;
        // An ambiguous time happens twice: the first, under the larger offset (summer time).
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }
}
