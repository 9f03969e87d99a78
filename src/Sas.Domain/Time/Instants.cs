using System.Globalization;
using System.Text.RegularExpressions;

namespace Sas.Domain.Time;

/// <summary>
/// Instants on the wire are ISO 8601 with an explicit offset. A value without one would be read in
/// the server's zone, which is how a slot silently moves by an hour, so it is refused.
/// </summary>
public static partial class Instants
{
    public const string OffsetRequired = "must be an ISO 8601 instant with an offset, e.g. 2026-11-23T14:30:00+01:00";

    /// <summary>
    /// Every instant the API accepts lies in [<see cref="Earliest"/>, <see cref="Latest"/>): far enough from the type's
    /// edges that no window widened or narrowed by hours or days can overflow, and wide enough for any real use.
    /// </summary>
    public static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime Latest = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public const string OutOfRange = "must lie between 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z";

    public static bool IsInRange(DateTime utc) => utc >= Earliest && utc < Latest;

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40 || !Shape().IsMatch(text)) return false;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>UTC with whole seconds: what is stored, so a re-sent slot compares equal to the stored one.</summary>
    public static DateTime ToStoredUtc(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    /// <summary>The wire form of a stored instant's pattern: UTC to the second with a <c>Z</c>.</summary>
    public const string WireFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The wire form of a stored instant: UTC with a <c>Z</c>.</summary>
    public static string Format(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString(WireFormat, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
