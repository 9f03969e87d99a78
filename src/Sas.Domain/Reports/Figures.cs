using System.Globalization;

namespace Sas.Domain.Reports;

public static class Figures
{
    /// <summary>Booked ÷ offered; null when nothing was offered (0 % would claim slots went unused).</summary>
    public static double? FillRate(long booked, long offered) => offered == 0 ? null : Math.Round((double)booked / offered, 4);

    /// <summary>The nearest-rank percentile of values given as (value, count) pairs; null when there are none.</summary>
    public static long? Percentile(IEnumerable<(long Value, long Count)> histogram, double p)
    {
        var sorted = histogram.Where(h => h.Count > 0).OrderBy(h => h.Value).ToList();
        var total = sorted.Sum(h => h.Count);
        if (total == 0) return null;
        var rank = (long)Math.Ceiling(p * total);
        if (rank < 1) rank = 1;
        long seen = 0;
        foreach (var (value, count) in sorted)
        {
            seen += count;
            if (seen >= rank) return value;
        }
        return sorted[^1].Value;
    }
}

/// <summary>The report groupings, all taken in the sector's local time.</summary>
public enum GroupBy { Day, Week, Month, Practitioner, Sector, WeekdayHour, Profession }

public static class Buckets
{
    public static string Day(DateTime local) => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 week, e.g. <c>2026-W53</c>: the year is the ISO week-year, not the calendar year.</summary>
    public static string Week(DateTime local) => $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):D2}";

    public static string Month(DateTime local) => local.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>
    /// The instant (UTC) at which the local hour holding <paramref name="utc"/> began in <paramref name="zone"/>: the key of
    /// the hourly aggregates. In a whole-hour zone it is the UTC hour; in Pacific/Marquesas (UTC−09:30) local hours
    /// begin at :30 UTC, so keying by UTC hours would put a 16:01 slot in 15:00.
    /// </summary>
    public static DateTime LocalHourStart(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        return DateTime.SpecifyKind(utc - (local - new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0)), DateTimeKind.Utc);
    }

    /// <summary>Whether an instant falls exactly on the start of a local hour of <paramref name="zone"/>.</summary>
    public static bool IsLocalHourStart(DateTime utc, TimeZoneInfo zone) => LocalHourStart(utc, zone) == utc;

    /// <summary>ISO weekday (1 = Monday … 7 = Sunday).</summary>
    public static int IsoWeekday(DateTime local) => local.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)local.DayOfWeek;
}
