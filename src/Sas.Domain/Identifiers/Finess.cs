namespace Sas.Domain.Identifiers;

/// <summary>
/// FINESS: the 9-character identifier of a health establishment or organisation (a CPTS has one).
/// It starts with the département; Corsican numbers start with <c>2A</c> or <c>2B</c>, which are
/// read as <c>20</c> (the pre-1976 département) for the Luhn key, so the check stays numeric.
/// </summary>
public static class Finess
{
    public const int Length = 9;

    /// <summary>The shape (the Luhn key is checked besides): for the contract's <c>pattern</c>.</summary>
    public const string Pattern = "^(?:[0-9]{9}|2[AB][0-9]{7})$";

    public static bool IsValid(string? value)
    {
        if (value is not { Length: Length }) return false;
        Span<char> digits = stackalloc char[Length];
        value.AsSpan().CopyTo(digits);
        if (digits[0] == '2' && digits[1] is 'A' or 'B') digits[1] = '0';
        return Luhn.IsValid(digits);
    }
}
