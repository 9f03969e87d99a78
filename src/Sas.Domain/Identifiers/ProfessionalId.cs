namespace Sas.Domain.Identifiers;

/// <summary>
/// A professional's national identifier here: the RPPS, or the ADELI number of a professional who has no RPPS yet.
/// Stored as given (11 or 9 characters: they never collide); written in national exchanges as an IDNPS.
/// </summary>
public static class ProfessionalId
{
    /// <summary>Either shape: for the contract's <c>pattern</c>.</summary>
    public const string Pattern = "^(?:[0-9]{11}|[0-9]{9}|2[AB][0-9]{7})$";

    public const string Description = "The professional's RPPS (11 digits, the last a Luhn key), or ADELI number for one without an RPPS (9 characters, 2A/2B in Corsica, the last a Luhn key).";

    public static bool IsValid(string? value) => value?.Length == Rpps.Length ? Rpps.IsValid(value) : Adeli.IsValid(value);

    /// <summary>The IDNPS: <c>8</c> + RPPS, <c>0</c> + ADELI.</summary>
    public static string ToIdnps(string id) => id.Length == Rpps.Length ? Rpps.ToIdnps(id) : "0" + id;

    /// <summary>The identifier an IDNPS names, when it is a valid one (<c>8</c> + RPPS or <c>0</c> + ADELI); null otherwise.</summary>
    public static string? FromIdnps(string? idnps) => idnps switch
    {
        ['8', .. var rpps] when rpps.Length == Rpps.Length && Rpps.IsValid(rpps) => rpps,
        ['0', .. var adeli] when adeli.Length == Adeli.Length && Adeli.IsValid(adeli) => adeli,
        _ => null,
    };
}
