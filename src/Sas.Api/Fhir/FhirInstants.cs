using System.Globalization;
using System.Text.RegularExpressions;

namespace Sas.Api.Fhir;

/// <summary>A search bound on <c>Slot.start</c>: an inclusive UTC instant.</summary>
public readonly record struct SearchBound(DateTime Utc);

/// <summary>
/// Instants as the ANS SAS guide writes and reads them. Answers carry
/// <c>YYYY-MM-DDTHH:MM:SS.000+hh:mm</c> in the sector's own zone (test-kit requirement 45). Search dates
/// arrive in several shapes from the platform and its test kit: with or without milliseconds, with
/// <c>Z</c>, <c>+hh:mm</c>, <c>+hh</c>, <c>+hhmm</c> or no offset at all (then read in the platform's
/// zone, Europe/Paris by default), and sometimes with the <c>+</c> decoded to a space by a client that did
/// not escape it. A date alone covers the whole day, as FHIR date precision says.
/// </summary>
public static partial class FhirInstants
{
    public static string Format(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        var offset = zone.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return local.ToString("yyyy-MM-dd'T'HH:mm:ss'.000'", CultureInfo.InvariantCulture)
            + $"{sign}{abs.Hours:00}:{abs.Minutes:00}";
    }

    /// <summary>
    /// Reads a FHIR search date value (without its prefix). <paramref name="lowest"/> and
    /// <paramref name="highest"/> are the first and last instants the value's precision covers:
    /// <c>2026-11-23</c> covers the whole local day, a value with seconds covers that second.
    /// </summary>
    public static bool TryParseSearchValue(string text, TimeZoneInfo defaultZone, out DateTime lowest, out DateTime highest)
    {
        lowest = highest = default;
        if (text.Length > 40) return false;
        var m = Shape().Match(text);
        if (!m.Success) return false;
        if (!int.TryParse(m.Groups["y"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(m.Groups["mo"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var mo)
            || !int.TryParse(m.Groups["d"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            || y < 1900 || y > 9000 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo)) return false;

        var hasTime = m.Groups["h"].Success;
        int h = 0, mi = 0, s = 0;
        if (hasTime)
        {
            h = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
            mi = int.Parse(m.Groups["mi"].Value, CultureInfo.InvariantCulture);
            s = m.Groups["s"].Success ? int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) : 0;
            if (h > 23 || mi > 59 || s > 59) return false;
        }
        var fraction = m.Groups["f"].Success ? m.Groups["f"].Value : "";
        var local = new DateTime(y, mo, d, h, mi, s, DateTimeKind.Unspecified)
            .AddTicks(fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture));
        var span = !hasTime ? TimeSpan.FromDays(1)
            : !m.Groups["s"].Success ? TimeSpan.FromMinutes(1)
            : fraction.Length == 0 ? TimeSpan.FromSeconds(1)
            : TimeSpan.FromTicks((long)Math.Pow(10, 7 - Math.Min(fraction.Length, 7)));

        DateTime utcStart;
        if (m.Groups["z"].Success && hasTime)
        {
            if (!TryReadOffset(m.Groups["z"].Value, out var offset)) return false;
            utcStart = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        }
        else
        {
            if (m.Groups["z"].Success) return false; // an offset on a date without a time means nothing
            utcStart = ToUtc(local, defaultZone);
        }
        lowest = utcStart;
        highest = (hasTime ? utcStart + span : ToUtc(local.AddDays(1), defaultZone)).AddTicks(-1);
        return true;
    }

    /// <summary>A local time in a zone: a time skipped by a DST jump counts from the jump; a repeated one takes its first occurrence.</summary>
    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    private static bool TryReadOffset(string z, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (z == "Z") return true;
        var sign = z[0] == '-' ? -1 : 1; // '+', or the space a '+' decodes to
        var digits = z[1..].Replace(":", "", StringComparison.Ordinal);
        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length == 4 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
        if (hours > 14 || minutes > 59) return false;
        offset = sign * new TimeSpan(hours, minutes, 0);
        return true;
    }

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})(T(?<h>\d{2}):(?<mi>\d{2})(:(?<s>\d{2})(\.(?<f>\d{1,9}))?)?)?(?<z>Z|[+\- ]\d{2}(:?\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
