using System.Globalization;

namespace Sas.Domain.Requests;

/// <summary>
/// When a professional takes pooled requests: ISO weekdays (1 Monday … 7 Sunday) and local hours [from, until), in the
/// time zone of the sector a request comes from.
/// </summary>
public sealed record PoolHours(IReadOnlyList<int> Weekdays, TimeOnly From, TimeOnly Until)
{
    public bool Covers(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        var day = local.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)local.DayOfWeek;
        var time = TimeOnly.FromDateTime(local);
        return Weekdays.Contains(day) && time >= From && time < Until;
    }

    /// <summary>Stored and answered as "1,2,3" and "HH:mm".</summary>
    public string WeekdaysText => string.Join(',', Weekdays);

    public static string Text(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static TimeOnly? ParseTime(string? text) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    public static PoolHours Parse(string weekdays, string from, string until) =>
        new([.. weekdays.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture))], ParseTime(from)!.Value, ParseTime(until)!.Value);
}

/// <summary>The rules of a request posted to the pool.</summary>
public static class PooledRequestRules
{
    /// <summary>The longest urgency window: a request is for today or the next hours, never a later day.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    /// <summary>The shortest: a professional needs a moment to read and accept it.</summary>
    public static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(15);
}
