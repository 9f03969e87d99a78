using System.Numerics;

namespace Sas.Domain.Patients;

/// <summary>
/// INS (the patient's national health identifier, the NIR): 13 characters and a 2-digit key equal to
/// 97 − (number mod 97). Patients born in Corsica have <c>2A</c> or <c>2B</c> as département, which
/// count as 19 and 18 in the number the key is taken on.
/// </summary>
public static class Ins
{
    public const int Length = 15;

    public static bool IsValid(string? value)
    {
        if (value is not { Length: Length }) return false;
        var body = value[..13];
        var key = value[13..];
        if (!key.All(char.IsAsciiDigit)) return false;
        var corsica = body[5..7];
        var adjust = corsica switch { "2A" => 1_000_000L, "2B" => 2_000_000L, _ => 0L };
        if (adjust != 0) body = body[..5] + "20" + body[7..];
        if (!body.All(char.IsAsciiDigit)) return false;
        var number = BigInteger.Parse(body) - adjust;
        return int.Parse(key) == 97 - (int)(number % 97);
    }

    /// <summary>The key of a 13-character INS body: to build examples and test data.</summary>
    public static string Key(string body)
    {
        var adjust = body[5..7] switch { "2A" => 1_000_000L, "2B" => 2_000_000L, _ => 0L };
        if (adjust != 0) body = body[..5] + "20" + body[7..];
        return (97 - (int)((BigInteger.Parse(body) - adjust) % 97)).ToString("D2");
    }
}
