namespace Sas.Domain.Identifiers;

/// <summary>
/// ADELI: the 9-character departmental number of a health professional not (yet) in the RPPS — its first two
/// characters the département (<c>2A</c>/<c>2B</c> in Corsica), its last a Luhn key, checked as a FINESS number is
/// (the same departmental numbering; Corsica read as <c>20</c>). The guide writes it in an IDNPS as <c>0</c> + ADELI.
/// </summary>
public static class Adeli
{
    public const int Length = 9;

    /// <summary>The shape (the key is checked besides): for the contract's <c>pattern</c>.</summary>
    public const string Pattern = Finess.Pattern;

    public static bool IsValid(string? value) => Finess.IsValid(value);
}
