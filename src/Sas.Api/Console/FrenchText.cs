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

    /// <summary>How the console names a professional: "Dr Claire Martin" for a physician only (a nurse is not a doctor), "Jeanne Roux".</summary>
    public static string Named(string? profession, string firstName, string lastName) =>
        IsPhysician(profession) ? $"Dr {firstName} {lastName}" : $"{firstName} {lastName}";

    /// <summary>Named shortly, in captions and labels: "Dr Martin" for a physician, "Jeanne Roux" for anyone else.</summary>
    public static string Short(string? profession, string firstName, string lastName) =>
        IsPhysician(profession) ? $"Dr {lastName}" : $"{firstName} {lastName}";

    /// <summary>"du Dr Martin", "de Jeanne Roux", "d'Anne Le Goff": a name after "de".</summary>
    public static string Of(string named) =>
        named.StartsWith("Dr ", StringComparison.Ordinal) ? "du " + named : ("AEIOUYÉÈÊH".Contains(char.ToUpperInvariant(named[0])) ? "d'" : "de ") + named;

    /// <summary>"1 professionnel", "3 professionnels": how many a pooled request was offered to.</summary>
    public static string Professionals(long count) => $"{count.ToString(ConsoleSetup.French)} professionnel{(count > 1 ? "s" : "")}";

    /// <summary>"le Dr Martin", "Jeanne Roux": a name as the subject of a sentence.</summary>
    public static string The(string named) => named.StartsWith("Dr ", StringComparison.Ordinal) ? "le " + named : named;

    private static bool IsPhysician(string? profession) => Sas.Domain.Professions.Professions.Find(profession)?.IsPhysician == true;

    /// <summary>A refusal of a use case, in French: by its code, or by its fields when it is about fields.</summary>
    public static string Of<T>(Result<T> refused) => refused.Refusal is { } code ? Of(code, refused.Detail) : Of(ErrorCodes.ValidationFailed);
}
