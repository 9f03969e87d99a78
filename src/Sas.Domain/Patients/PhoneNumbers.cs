using System.Text.RegularExpressions;

namespace Sas.Domain.Patients;

/// <summary>
/// Patients' phone numbers arrive as dialled in France (<c>06 12 34 56 78</c>) or in E.164
/// (<c>+33612345678</c>); they are stored in E.164. Overseas départements dial 10 digits too, but
/// belong to their own country codes, which the national form's prefix tells.
/// </summary>
public static partial class PhoneNumbers
{
    private static readonly (string Prefix, string CountryCode)[] Overseas =
    [
        ("0262", "262"), ("0263", "262"), ("0692", "262"), ("0693", "262"), // La Réunion
        ("0269", "262"), ("0639", "262"),                                     // Mayotte
        ("0590", "590"), ("0690", "590"), ("0691", "590"),                    // Guadeloupe, Saint-Martin, Saint-Barthélemy
        ("0594", "594"), ("0694", "594"),                                     // Guyane
        ("0596", "596"), ("0696", "596"), ("0697", "596"),                    // Martinique
    ];

    public static bool TryNormalise(string? input, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(input) || input.Length > 25) return false;
        var compact = Separators().Replace(input.Trim(), "");
        if (compact.StartsWith("00", StringComparison.Ordinal)) compact = "+" + compact[2..];
        if (compact.StartsWith('+'))
        {
            if (!E164().IsMatch(compact)) return false;
            // +33 0612... is a common mistake: the trunk 0 is not dialled after the country code.
            if (compact.StartsWith("+330", StringComparison.Ordinal)) compact = "+33" + compact[4..];
            if (compact.StartsWith("+33", StringComparison.Ordinal) && compact.Length != 12) return false;
            e164 = compact;
            return true;
        }
        if (!National().IsMatch(compact)) return false;
        var overseas = Overseas.FirstOrDefault(o => compact.StartsWith(o.Prefix, StringComparison.Ordinal));
        e164 = overseas.CountryCode is null ? "+33" + compact[1..] : "+" + overseas.CountryCode + compact[1..];
        return true;
    }

    [GeneratedRegex(@"[\s.\-()]", RegexOptions.CultureInvariant)]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();

    [GeneratedRegex(@"^0[1-9][0-9]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex National();
}
