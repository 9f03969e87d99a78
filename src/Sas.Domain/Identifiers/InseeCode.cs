using System.Text.RegularExpressions;

namespace Sas.Domain.Identifiers;

/// <summary>
/// The shape of an INSEE commune code: five digits, or <c>2A</c>/<c>2B</c> and three digits for
/// Corsica. Whether the commune exists is a question for the reference geography, not for this.
/// </summary>
public static partial class InseeCode
{
    public const string Pattern = "^(?:[0-9]{5}|2[AB][0-9]{3})$";

    public const string PostalCodePattern = "^[0-9]{5}$";

    public static bool HasValidShape(string? value) => value is { Length: 5 } && Shape().IsMatch(value);

    /// <summary>The département a commune belongs to: 2 characters, or 3 for overseas (97x).</summary>
    public static string Department(string inseeCode) =>
        inseeCode.StartsWith("97", StringComparison.Ordinal) ? inseeCode[..3] : inseeCode[..2];

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
