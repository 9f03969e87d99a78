using System.Text.RegularExpressions;

namespace Sas.Api.Console;

/// <summary>
/// The API's field messages as the console says them in French. The API's contract speaks English to programs; a person
/// reads French. The rule stays the API's (the message comes from its validation); only the wording changes here, and a
/// message not listed is shown as the API gives it rather than lost.
/// </summary>
public static partial class FrenchMessages
{
    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        ["is required"] = "à remplir",
        ["must be a date as yyyy-MM-dd"] = "doit être une date écrite AAAA-MM-JJ (par exemple 1990-04-12)",
        ["is in the future"] = "est dans le futur",
        ["is not a valid French number (mainland or overseas)"] = "n'est pas un numéro français valide (métropole ou outre-mer)",
        ["is not a known INSEE commune code"] = "n'est pas un code INSEE de commune connu",
        ["is not a valid RPPS number"] = "n'est pas un numéro RPPS valide",
    };

    /// <summary>What a refusal means for the person at the console, by the API's stable code.</summary>
    private static readonly Dictionary<string, string> Refusals = new(StringComparer.Ordinal)
    {
        ["slot_booked"] = "ce créneau vient d'être réservé par un autre régulateur ; choisissez-en un autre",
        ["slot_held"] = "ce créneau est tenu par un autre régulateur ; choisissez-en un autre",
        ["hold_expired"] = "le créneau n'était plus tenu pour vous ; tenez-le de nouveau",
        ["hold_id_required"] = "tenez d'abord le créneau",
        ["slot_withdrawn"] = "le médecin a retiré ce créneau",
        ["slot_started"] = "ce créneau a déjà commencé",
        ["slot_expired"] = "ce créneau est passé",
        ["outside_booking_horizon"] = "ce créneau est hors de la fenêtre de réservation du secteur",
        ["overflow_full"] = "ce médecin n'a plus de place en surnombre aujourd'hui",
        ["slot_not_found"] = "ce créneau n'existe plus",
        ["practitioner_not_found"] = "ce médecin n'est pas enregistré",
        ["booking_not_found"] = "ce rendez-vous est introuvable",
        ["booking_cancelled"] = "ce rendez-vous est déjà annulé",
        ["postal_code_not_found"] = "aucune commune n'a ce code postal",
        ["commune_not_found"] = "aucune commune n'a ce code INSEE",
        ["forbidden_scope"] = "ce secteur n'est pas dans votre périmètre",
        ["validation_failed"] = "des champs sont à corriger (voir ci-dessous)",
    };

    /// <summary>A refusal in French by its code, or the API's own detail when the code is not listed.</summary>
    public static string OfProblem(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem) =>
        problem.ProblemDetails.Extensions.TryGetValue("code", out var code) && code is string c && Refusals.TryGetValue(c, out var french)
            ? french
            : problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "";

    public static string Of(string message)
    {
        if (Exact.TryGetValue(message, out var french)) return french;
        if (LongerThan().Match(message) is { Success: true } longer) return $"dépasse {longer.Groups[1].Value} caractères";
        if (YearsAgo().Match(message) is { Success: true } years) return $"remonte à plus de {years.Groups[1].Value} ans";
        return message;
    }

    [GeneratedRegex(@"^is longer than (\d+) characters$")]
    private static partial Regex LongerThan();

    [GeneratedRegex(@"^is more than (\d+) years ago$")]
    private static partial Regex YearsAgo();
}
