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
public enum GroupBy { Day, Week, Month, Practitioner, Sector, WeekdayHour }

public static class Buckets
{
    public static string Day(DateTime local) => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 week, e.g. <c>2026-W53</c>: the year is the ISO week-year, not the calendar year.</summary>
    public static string Week(DateTime local) => $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):D2}";

    public static string Month(DateTime local) => local.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>ISO weekday (1 = Monday … 7 = Sunday).</summary>
    public static int IsoWeekday(DateTime local) => local.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)local.DayOfWeek;
}
