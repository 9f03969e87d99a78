namespace Sas.Domain.Identifiers;

/// <summary>
/// SIRET: the 14-digit identifier of an establishment in the national business register (a GP's practice has
/// one), its last digit a Luhn key. La Poste's establishments (SIREN 356000000) are numbered past what Luhn
/// allows and are checked the register's way instead: their digits add up to a multiple of 5.
/// </summary>
public static class Siret
{
    public const int Length = 14;

    /// <summary>The shape (the key is checked besides): for the contract's <c>pattern</c>.</summary>
    public const string Pattern = "^[0-9]{14}$";

    private const string LaPosteSiren = "356000000";

    public static bool IsValid(string? value)
    {
        if (value is not { Length: Length } || !value.All(char.IsAsciiDigit)) return false;
        if (value.StartsWith(LaPosteSiren, StringComparison.Ordinal) && value != LaPosteSiren + "00048")
            return value.Sum(c => c - '0') % 5 == 0;
        return Luhn.IsValid(value);
    }
}
