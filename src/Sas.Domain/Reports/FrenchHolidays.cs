namespace Sas.Domain.Reports;

/// <summary>
/// The eleven national public holidays (jours fériés) of the Code du travail, Easter-based ones included.
/// Local extra days (Alsace-Moselle, abolition-of-slavery days overseas) are not national and not here.
/// </summary>
public static class FrenchHolidays
{
    public static bool IsHoliday(DateOnly day)
    {
        if ((day.Month, day.Day) is (1, 1) or (5, 1) or (5, 8) or (7, 14) or (8, 15) or (11, 1) or (11, 11) or (12, 25)) return true;
        var easter = EasterSunday(day.Year);
        return day == easter.AddDays(1) || day == easter.AddDays(39) || day == easter.AddDays(50);
    }

    /// <summary>The anonymous Gregorian algorithm (Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
        int month = (h + l - 7 * m + 114) / 31, dayOfMonth = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, dayOfMonth);
    }
}

/// <summary>PDSA hours (out-of-hours on-call): 20:00–08:00, Saturday from 12:00, Sundays and public holidays, in local time.</summary>
public static class Pdsa
{
    public static bool IsPdsa(DateTime local)
    {
        var day = DateOnly.FromDateTime(local);
        return local.Hour >= 20 || local.Hour < 8
            || local.DayOfWeek == DayOfWeek.Sunday
            || (local.DayOfWeek == DayOfWeek.Saturday && local.Hour >= 12)
            || FrenchHolidays.IsHoliday(day);
    }
}
