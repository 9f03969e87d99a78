namespace Sas.Domain.Identifiers;

/// <summary>RPPS: the 11-digit national identifier of a health professional, last digit a Luhn key.</summary>
public static class Rpps
{
    public const int Length = 11;

    /// <summary>The shape (the Luhn key is checked besides): for the contract's <c>pattern</c>.</summary>
    public const string Pattern = "^[0-9]{11}$";

    /// <summary>The FHIR OID under which an IDNPS (<c>8</c> + RPPS) is written.</summary>
    public const string IdnpsSystem = "urn:oid:1.2.250.1.71.4.2.1";

    public static bool IsValid(string? value) =>
        value is { Length: Length } && Luhn.IsValid(value);

    /// <summary>The IDNPS of a practitioner as written in national exchanges.</summary>
    public static string ToIdnps(string rpps) => "8" + rpps;
}
