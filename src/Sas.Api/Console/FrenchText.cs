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

    /// <summary>A refusal of a use case, in French: by its code, or by its fields when it is about fields.</summary>
    public static string Of<T>(Result<T> refused) => refused.Refusal is { } code ? Of(code, refused.Detail) : Of(ErrorCodes.ValidationFailed);
}
