using System.Globalization;

namespace Sas.Api.Infrastructure.Data;

/// <summary>
/// Reads an instant as SQLite stores it: Microsoft.Data.Sqlite writes a <see cref="DateTime"/> parameter as
/// <c>yyyy-MM-dd HH:mm:ss</c> with up to seven fraction digits (<c>.FFFFFFF</c>), in UTC here. Every row read
/// carries two or three of them, and <see cref="DateTime.Parse(string)"/> (a general parser: about 600 ns)
/// was a visible share of a 25-GP FHIR answer; the fixed layout is read digit by digit. Anything else
/// (a value written by hand, with an offset or a <c>T</c>) goes to the general parser, as before.
/// </summary>
public static class StoredInstant
{
    public static DateTime Parse(string text) => TryParseStored(text, out var value) ? value
        : DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc);

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c>, then optionally <c>.</c> and 1 to 7 digits; nothing else.</summary>
    public static bool TryParseStored(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        if (s.Length < 19 || s.Length == 20 || s.Length > 27 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return false;
        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second)) return false;
        long fraction = 0;
        if (s.Length > 19)
        {
            if (s[19] != '.' || !Digits(s[20..], out var digits)) return false;
            fraction = digits;
            for (var i = s.Length - 20; i < 7; i++) fraction *= 10; // to ticks (100 ns)
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(fraction);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
