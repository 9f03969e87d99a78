using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Sas.Api.Rules;
using Sas.Domain.Slots;
using Sas.Domain.Validation;

namespace Sas.Api.Console;

/// <summary>A recurring availability as typed in the console: the API's <see cref="RuleInput"/>, for one GP.</summary>
public sealed class RuleForm
{
    /// <summary>The rule being edited; null for a new one.</summary>
    public string? Id { get; set; }
    public string Rpps { get; set; } = "";
    public string? Site { get; set; }
    public string? Sector { get; set; }
    public string Modality { get; set; } = "in_person";
    public string[] Weekdays { get; set; } = [];
    public int EveryWeeks { get; set; } = 1;
    public string StartTime { get; set; } = "14:00";
    public string EndTime { get; set; } = "18:00";
    public int SlotMinutes { get; set; } = 20;
    public string? FirstDay { get; set; }
    public string? LastDay { get; set; }
    public bool SkipPublicHolidays { get; set; } = true;

    public RuleInput ToInput() => new(Site, Sector, Sas.Domain.EnumText.TryParse<Modality>(Modality, out var m) ? m : null, Weekdays, EveryWeeks,
        StartTime, EndTime, SlotMinutes, FirstDay, string.IsNullOrWhiteSpace(LastDay) ? null : LastDay, SkipPublicHolidays);

    /// <summary>A stored rule in the form, to edit it.</summary>
    public static RuleForm From(RuleDto r) => new()
    {
        Id = r.Id, Rpps = r.PractitionerRpps, Site = r.Site, Sector = r.Sector, Modality = r.Modality.ToText(), Weekdays = r.Weekdays,
        EveryWeeks = r.EveryWeeks, StartTime = r.StartTime, EndTime = r.EndTime, SlotMinutes = r.SlotMinutes, FirstDay = r.FirstDay,
        LastDay = r.LastDay, SkipPublicHolidays = r.SkipPublicHolidays,
    };

    public static readonly (string Value, string Label)[] WeekdayNames =
        [("monday", "lundi"), ("tuesday", "mardi"), ("wednesday", "mercredi"), ("thursday", "jeudi"), ("friday", "vendredi"), ("saturday", "samedi"), ("sunday", "dimanche")];

    public static string DayName(string value) => WeekdayNames.FirstOrDefault(d => d.Value == value).Label ?? value;

    public static string FieldName(string field) => field switch
    {
        "startTime" => "Début", "endTime" => "Fin", "slotMinutes" => "Durée d'un créneau", "everyWeeks" => "Une semaine sur",
        "firstDay" => "À partir du", "lastDay" => "Jusqu'au", "site" => "Lieu", _ => "Secteur",
    };

    /// <summary>A rule's days and hours as a person reads them (mardi, une semaine sur 2).</summary>
    public static string Days(RuleDto r) => string.Join(", ", r.Weekdays.Select(DayName)) + (r.EveryWeeks > 1 ? $" (une semaine sur {r.EveryWeeks})" : "");
}

/// <summary>
/// The rule form's work on a page, the practice's and the CPTS's rota alike: the preview, saving, removing, and what to
/// tell the person in French. <paramref name="cpts"/>: the CPTS whose rota it is, when its coordinator acts.
/// </summary>
public sealed class RuleFormActions(RuleService rules, Caller caller, string? cpts = null)
{
    /// <summary>The slots the rule typed would make over its first weeks, local times: shown before it is saved.</summary>
    public IReadOnlyList<DateTime>? Preview { get; private set; }

    public IReadOnlyDictionary<string, IReadOnlyList<FieldRule>> Errors { get; private set; } = new Dictionary<string, IReadOnlyList<FieldRule>>();

    public string? Done { get; private set; }
    public string? Problem { get; private set; }

    /// <summary>What a field of the rule form broke, in French; null when nothing.</summary>
    public string? ErrorOf(string field) => FrenchText.Of(Errors, field);

    public async Task PreviewAsync(RuleForm form, CancellationToken ct)
    {
        var result = await rules.PreviewAsync(form.Rpps, form.ToInput(), caller, weeks: 4, ct);
        if (result.Succeeded) Preview = result.Value;
        else Refused(result.Invalid?.Rules, FrenchText.Of(result));
    }

    /// <summary>Saves the rule; true when saved (the form can be emptied).</summary>
    public async Task<bool> AddAsync(RuleForm form, CancellationToken ct)
    {
        var result = await rules.CreateAsync(form.Rpps, form.ToInput(), caller, ct, cpts);
        if (!result.Succeeded)
        {
            Refused(result.Invalid?.Rules, FrenchText.Of(result));
            return false;
        }
        var made = result.Value;
        Done = $"Plage enregistrée : {made.SlotsMade.ToString(ConsoleSetup.French)} créneau(x) créé(s) jusqu'à l'horizon de réservation"
            + (made.Conflicts.Length > 0 ? $", {made.Conflicts.Length.ToString(ConsoleSetup.French)} non créé(s) car un autre créneau occupe déjà l'heure." : ".");
        return true;
    }

    /// <summary>Saves the rule edited in place; true when saved.</summary>
    public async Task<bool> EditAsync(RuleForm form, CancellationToken ct)
    {
        var result = await rules.EditAsync(form.Rpps, form.Id ?? "", form.ToInput(), caller, ct, cpts);
        if (!result.Succeeded)
        {
            Refused(result.Invalid?.Rules, FrenchText.Of(result));
            return false;
        }
        var edited = result.Value;
        Done = $"Plage modifiée : {edited.Withdrawn.ToString(ConsoleSetup.French)} créneau(x) libre(s) retiré(s), {edited.SlotsMade.ToString(ConsoleSetup.French)} créé(s)"
            + (edited.Kept.Length > 0 ? $", {edited.Kept.Length.ToString(ConsoleSetup.French)} déjà réservé(s) ou tenu(s) conservé(s) tels quels" : "")
            + (edited.Conflicts.Length > 0 ? $", {edited.Conflicts.Length.ToString(ConsoleSetup.French)} non créé(s) car un autre créneau occupe déjà l'heure." : ".");
        return true;
    }

    public async Task RemoveAsync(string rpps, string ruleId, CancellationToken ct)
    {
        var result = await rules.RemoveAsync(rpps, ruleId, caller, ct);
        if (result.Succeeded)
            Done = $"Plage supprimée : {result.Value.Withdrawn.ToString(ConsoleSetup.French)} créneau(x) libre(s) retiré(s)"
                + (result.Value.Kept.Length > 0 ? $", {result.Value.Kept.Length.ToString(ConsoleSetup.French)} déjà réservé(s) ou tenu(s) conservé(s)." : ".");
        else Problem = $"Plage non supprimée : {FrenchText.Of(result)}.";
    }

    private void Refused(IReadOnlyDictionary<string, IReadOnlyList<FieldRule>>? fields, string why)
    {
        Errors = fields ?? Errors;
        Problem = $"Plage non enregistrée : {why}.";
    }
}

/// <summary>The rule form for one GP (<c>_FormulairePlage</c>): the sectors offered, the form as typed when it is this GP's.</summary>
public sealed record RuleFormView(Practitioner Gp, IReadOnlyList<string> Sectors, RuleForm Form, bool Mine, RuleFormActions? Actions, string? Cpts = null)
{
    public string Id => "plage-" + Gp.Row.Rpps;
}
