using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;
using Sas.Api.Rules;
using Sas.Api.Territory;

namespace Sas.Api.Console.Pages;

/// <summary>
/// The CPTS coordinator's rota: for each GP of the CPTS's sectors, the recurring availability given in those sectors
/// (by the coordinator or by the practice), and the form to give one more, through the API's rules service with the
/// CPTS's own checks (a sector of the CPTS, a GP of that sector).
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Cpts + "," + Roles.Admin)]
public sealed class PlanningModel(RuleService rules, PractitionerStore practitioners, TerritoryStore territory, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "cpts")] public string? Finess { get; set; }

    [BindProperty] public RuleForm Rule { get; set; } = new();

    public CptsRow? Cpts { get; private set; }

    /// <summary>A GP of the CPTS: its sectors in the CPTS and its rules there.</summary>
    public sealed record GpRota(Practitioner Gp, IReadOnlyList<string> Sectors, IReadOnlyList<RuleDto> Rules);

    public IReadOnlyList<GpRota> Gps { get; private set; } = [];

    private RuleFormActions? ruleActions;
    private string? problem;

    public RuleFormActions RuleActions => ruleActions ??= new RuleFormActions(rules, Caller.From(User), Cpts?.Finess);

    public string? Done => ruleActions?.Done;
    public string? Problem => problem ?? ruleActions?.Problem;

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task OnPostPreviewRuleAsync(CancellationToken ct)
    {
        if (await CptsAsync(ct)) await RuleActions.PreviewAsync(Rule, ct);
        await LoadAsync(ct);
    }

    public async Task OnPostAddRuleAsync(CancellationToken ct)
    {
        if (await CptsAsync(ct) && await RuleActions.AddAsync(Rule, ct)) Rule = new RuleForm();
        await LoadAsync(ct);
    }

    public async Task OnPostEditRuleAsync(CancellationToken ct)
    {
        if (await CptsAsync(ct))
        {
            if (!await InRotaAsync(Rule.Rpps, Rule.Id, ct)) problem = NotInRota;
            else if (await RuleActions.EditAsync(Rule, ct)) Rule = new RuleForm();
        }
        await LoadAsync(ct);
    }

    /// <summary>The rule to edit, from its row's "Modifier" link: shown in the GP's form.</summary>
    [BindProperty(SupportsGet = true, Name = "modifier")] public string? Editing { get; set; }

    public async Task OnPostRemoveRuleAsync(string rpps, string ruleId, CancellationToken ct)
    {
        if (await CptsAsync(ct))
        {
            if (await InRotaAsync(rpps, ruleId, ct)) await RuleActions.RemoveAsync(rpps, ruleId, ct);
            else problem = NotInRota;
        }
        await LoadAsync(ct);
    }

    private const string NotInRota = "Cette plage n'est pas dans le planning de la CPTS.";

    /// <summary>Whether the rule is this GP's and in one of the CPTS's sectors.</summary>
    private async Task<bool> InRotaAsync(string rpps, string? ruleId, CancellationToken ct) =>
        ruleId is not null && await rules.RotaGpAsync(Cpts!.Finess, ruleId, Caller.From(User), ct) == rpps;

    /// <summary>The CPTS shown (<see cref="CptsChoice"/>).</summary>
    private async Task<bool> CptsAsync(CancellationToken ct)
    {
        if (Cpts is not null) return true;
        (Cpts, _) = await CptsChoice.ForAsync(territory, Caller.From(User), Finess, ct);
        if (Cpts is not null) return true;
        problem = "Aucune CPTS n'est rattachée à cette identité.";
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return false;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        if (!await CptsAsync(ct)) return;
        var sectors = await territory.CptsSectorCodesAsync(Cpts!.Finess, ct);
        var caller = Caller.From(User);
        var byGp = (await rules.ListForCptsAsync(Cpts.Finess, caller, ct)).ToLookup(r => r.PractitionerRpps);
        var list = new List<GpRota>();
        foreach (var gp in await practitioners.GetManyAsync(await practitioners.ListInSectorsAsync(sectors, ct), ct))
            if (caller.CoversProfession(gp.Row.Profession))
                list.Add(new GpRota(gp, [.. gp.Sectors.Where(sectors.Contains)], [.. byGp[gp.Row.Rpps]]));
        Gps = list;
        if (Editing is not null && Rule.Id is null && list.SelectMany(g => g.Rules).FirstOrDefault(r => r.Id == Editing) is { } editing) Rule = RuleForm.From(editing);
        Rule.FirstDay ??= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
