using System.Globalization;

namespace Sas.Domain.Validation;

/// <summary>
/// A rule a field broke: a stable id, the values it names, and the English the API answers in <c>errors</c>. People read
/// it in French by its id (the console's text resource), never by its English.
/// </summary>
public sealed record FieldRule(string Id, string Message, params object[] Values)
{
    public override string ToString() => Message;
}

/// <summary>The field rules that are said in more than one place, each once.</summary>
public static class FieldRules
{
    public static readonly FieldRule Required = new("required", "is required");
    public static readonly FieldRule DateFormat = new("date_format", "must be a date as yyyy-MM-dd");
    public static readonly FieldRule InFuture = new("in_future", "is in the future");
    public static readonly FieldRule UnknownCommune = new("unknown_commune", "is not a known INSEE commune code");
    public static readonly FieldRule InvalidRpps = new("invalid_rpps", "is not a valid RPPS number");
    public static readonly FieldRule InvalidFiness = new("invalid_finess", "is not a valid FINESS number");
    public static readonly FieldRule NotACursor = new("not_a_cursor", "is not a cursor this API gave");
    public static readonly FieldRule FrenchPhone = new("french_phone", "is not a valid French number (mainland or overseas)");

    public static FieldRule TooLong(int max) => new("too_long", $"is longer than {max} characters", max);

    public static FieldRule YearsAgo(int years) => new("years_ago", $"is more than {years} years ago", years);

    public static FieldRule LimitBetween(int min, int max) =>
        new("limit_between", string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"), min, max);
}
