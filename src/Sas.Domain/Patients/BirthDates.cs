using System.Globalization;
using Sas.Domain.Validation;

namespace Sas.Domain.Patients;

public static class BirthDates
{
    public const int MaxAgeYears = 120;

    /// <summary>A calendar date (<c>yyyy-MM-dd</c>), not in the future and not more than 120 years ago; null when valid, else why.</summary>
    public static FieldRule? Check(string? text, DateOnly today, out DateOnly date)
    {
        date = default;
        if (text is null || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            return FieldRules.DateFormat;
        if (date > today) return FieldRules.InFuture;
        if (date < today.AddYears(-MaxAgeYears)) return FieldRules.YearsAgo(MaxAgeYears);
        return null;
    }
}
