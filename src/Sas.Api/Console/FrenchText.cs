using System.Globalization;
using System.Resources;
using Sas.Api.Infrastructure.Errors;
using Sas.Domain.Validation;

namespace Sas.Api.Console;

/// <summary>
/// What the console tells a person, in French, of the API's refusals (by their stable code) and of the field rules a
/// form broke (by the rule's id, with the values it names): the text lives in <c>FrenchText.resx</c>. The rule stays the
/// API's; only the words change. A code or rule not yet worded there is shown as the API says it rather than lost.
/// </summary>
public static class FrenchText
{
    private static readonly ResourceManager Resources = new("Sas.Api.Console.FrenchText", typeof(FrenchText).Assembly);

    public static string Of(ErrorCode code, string? detail = null) => Resources.GetString("code." + code.Code, CultureInfo.InvariantCulture) ?? detail ?? code.Meaning;

    public static string Of(FieldRule rule) =>
        Resources.GetString("rule." + rule.Id, CultureInfo.InvariantCulture) is { } french
            ? string.Format(ConsoleSetup.French, french, rule.Values)
            : rule.Message;

    /// <summary>What a form's field broke, in French, rule by rule; null when nothing.</summary>
    public static string? Of(IReadOnlyDictionary<string, IReadOnlyList<FieldRule>> broken, string field) =>
        broken.TryGetValue(field, out var rules) ? string.Join(" ; ", rules.Select(Of)) : null;

    /// <summary>Until when a hold lasts, in its slot's sector time with the zone, and the minutes left: null when unreadable.</summary>
    public static string? HoldUntil(Bookings.HoldDto hold, string? timeZone, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(hold.ExpiresAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires)) return null;
        var zone = timeZone ?? Sas.Domain.Time.Zones.Mainland;
        var local = TimeZoneInfo.ConvertTime(expires, Sas.Domain.Time.Zones.Find(zone));
        var minutes = (int)Math.Ceiling(Math.Max(0, (expires - now).TotalMinutes));
        return $"{local.ToString("HH:mm", ConsoleSetup.French)} ({zone}), dans {minutes} min";
    }

    /// <summary>A refusal of a use case, in French: by its code, or by its fields when it is about fields.</summary>
    public static string Of<T>(Result<T> refused) => refused.Refusal is { } code ? Of(code, refused.Detail) : Of(ErrorCodes.ValidationFailed);
}
