using PhoneNumbers;
using Sas.Domain.Validation;

namespace Sas.Domain.Patients;

/// <summary>
/// Patients' phone numbers arrive as dialled in France (<c>06 12 34 56 78</c>, overseas départements included) or
/// with a country code (<c>+33612345678</c>, <c>00 32 470 12 34 56</c>); they are stored in E.164. Whether a number
/// can exist is Google's libphonenumber's call (its metadata knows every country's lengths and ranges): the GP must be
/// able to call the patient back, so <c>00 12 34 56 78</c> (country code 1, four digits) is refused, not stored.
/// </summary>
public static class Phones
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// Regions that dial 10-digit national numbers starting with 0 within the French plan, mainland first: an overseas
    /// number dialled nationally (<c>0692…</c>) belongs to its own country code (+262), which its prefix tells.
    /// </summary>
    private static readonly string[] FrenchPlan = ["FR", "RE", "YT", "GP", "BL", "MF", "MQ", "GF", "PM"];

    /// <summary>How a number is stored and answered.</summary>
    public const string E164Pattern = "^\\+[1-9][0-9]{6,14}$";

    public const string Expected = "must be a French number (06 12 34 56 78, overseas included) or an international number with its country code (+32 470 12 34 56)";

    public static bool TryNormalise(string? input, out string e164) => Check(input, out e164) is null;

    /// <summary>Null when the number is valid (<paramref name="e164"/> is then its E.164 form); else why not, without echoing it.</summary>
    public static FieldRule? Check(string? input, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(input) || input.Length > 25) return ExpectedRule;
        var text = input.Trim().Replace("(0)", "", StringComparison.Ordinal); // +33 (0)6…: the trunk 0 written in brackets
        if (text.Any(c => !(char.IsAsciiDigit(c) || c is ' ' or '.' or '-' or '(' or ')' or '+' or '\u00A0'))) return ExpectedRule;
        var compact = new string(text.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
        if (compact.StartsWith("00", StringComparison.Ordinal)) compact = "+" + compact[2..];

        if (compact.StartsWith('+'))
        {
            if (compact.StartsWith("+330", StringComparison.Ordinal)) compact = "+33" + compact[4..]; // the trunk 0 is not dialled after +33
            if (!TryParse(compact, "ZZ", out var number, out var error))
                return error == ErrorType.INVALID_COUNTRY_CODE ? new FieldRule("no_country_code", "starts with no country's calling code") : ExpectedRule;
            if (Util.GetRegionCodeForCountryCode(number.CountryCode) == "ZZ")
                return new FieldRule("unknown_country_code", $"starts with +{number.CountryCode}, which is no country's calling code", number.CountryCode);
            if (!Util.IsValidNumber(number)) return new FieldRule("invalid_for_country", $"is not a valid number for the country code +{number.CountryCode}", number.CountryCode);
            e164 = Util.Format(number, PhoneNumberFormat.E164);
            return null;
        }

        if (compact.Length != 10 || compact[0] != '0') return ExpectedRule;
        foreach (var region in FrenchPlan)
            if (TryParse(compact, region, out var number, out _) && Util.IsValidNumberForRegion(number, region))
            {
                e164 = Util.Format(number, PhoneNumberFormat.E164);
                return null;
            }
        return FieldRules.FrenchPhone;
    }

    private static readonly FieldRule ExpectedRule = new("phone_expected", Expected);

    private static bool TryParse(string text, string region, out PhoneNumber number, out ErrorType? error)
    {
        try
        {
            number = Util.Parse(text, region);
            error = null;
            return true;
        }
        catch (NumberParseException e)
        {
            number = null!;
            error = e.ErrorType;
            return false;
        }
    }
}
