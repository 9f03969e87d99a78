namespace Sas.Domain.Identifiers;

/// <summary>The Luhn (mod 10) check used by RPPS and FINESS numbers.</summary>
public static class Luhn
{
    /// <summary>True when <paramref name="digits"/> is all ASCII digits and its Luhn sum is a multiple of 10.</summary>
    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty) return false;
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var c = digits[i];
            if (c is < '0' or > '9') return false;
            var d = c - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /// <summary>The digit that makes <paramref name="payload"/> + digit Luhn-valid (to build test and demo identifiers).</summary>
    public static char CheckDigit(string payload)
    {
        for (var d = '0'; d <= '9'; d++)
            if (IsValid(payload + d)) return d;
        throw new ArgumentException("payload must be digits", nameof(payload));
    }
}
