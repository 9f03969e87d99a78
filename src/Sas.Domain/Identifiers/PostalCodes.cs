namespace Sas.Domain.Identifiers;

/// <summary>French postal codes: five digits (which communes share one is the reference data's business).</summary>
public static class PostalCodes
{
    public static bool HasValidShape(string? code) => code is { Length: 5 } && code.All(char.IsAsciiDigit);
}
