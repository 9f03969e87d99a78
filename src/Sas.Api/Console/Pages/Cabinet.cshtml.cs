using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Practitioners;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Bookings;
using Sas.Domain.Slots;
using Sas.Domain.Time;

namespace Sas.Api.Console.Pages;

/// <summary>
/// A practice's view: for each of its GPs, the slots published for the next days with their state, the SAS booking on
/// each with the patient's details (visible here only, each read audited, by the API's own bookings handler), and the
/// overflow bookings of those days. The GPs are those the signed-in practice (or GP) acts for. The practice records
/// whether the patient came, cancels a booking (saying why) and withdraws a free slot, through the API's own services.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Practitioner)]
public sealed class CabinetModel(PracticeView practice, BookingService bookings, SlotWithdrawal withdrawal, Rules.RuleService rules, TimeProvider clock) : PageModel
{
    [BindProperty] public RuleForm Rule { get; set; } = new();

    private RuleFormActions? ruleActions;

    /// <summary>The rule form's preview, errors and messages, for the signed-in practice.</summary>
    public RuleFormActions RuleActions => ruleActions ??= new RuleFormActions(rules, Caller.From(User));

    /// <summary>The GP's rules, by RPPS.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Rules.RuleDto>> RulesOf { get; private set; } = new Dictionary<string, IReadOnlyList<Rules.RuleDto>>();

    public async Task OnPostPreviewRuleAsync(CancellationToken ct)
    {
        if (Covers(Rule.Rpps)) await RuleActions.PreviewAsync(Rule, ct);
        await OnGetAsync(ct);
    }

    public async Task OnPostAddRuleAsync(CancellationToken ct)
    {
        if (Covers(Rule.Rpps) && await RuleActions.AddAsync(Rule, ct)) Rule = new RuleForm();
        await OnGetAsync(ct);
    }

    public async Task OnPostEditRuleAsync(CancellationToken ct)
    {
        if (Covers(Rule.Rpps) && await RuleActions.EditAsync(Rule, ct)) Rule = new RuleForm();
        await OnGetAsync(ct);
    }

    /// <summary>The rule to edit, from its row's "Modifier" link: shown in the GP's form.</summary>
    [BindProperty(SupportsGet = true, Name = "modifier")] public string? Editing { get; set; }

    public async Task OnPostRemoveRuleAsync(string rpps, string ruleId, CancellationToken ct)
    {
        if (Covers(rpps)) await RuleActions.RemoveAsync(rpps, ruleId, ct);
        await OnGetAsync(ct);
    }

    private bool Covers(string rpps)
    {
        if (Caller.From(User).CoversPractitioner(rpps)) return true;
        problem = "Ce médecin n'est pas l'un de ceux de votre cabinet.";
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return false;
    }

    private string? done, problem;

    /// <summary>What the last action did, or why it was refused, in French.</summary>
    public string? Done { get => done ?? ruleActions?.Done; private set => done = value; }
    public string? Problem { get => problem ?? ruleActions?.Problem; private set => problem = value; }

    public async Task OnPostOutcomeAsync(string bookingId, string outcome, CancellationToken ct)
    {
        Outcome? said = outcome switch { "honoured" => Outcome.Honoured, "no_show" => Outcome.NoShow, _ => null };
        var result = await bookings.RecordOutcomeAsync(bookingId, new OutcomeInput(said), Caller.From(User), ct);
        if (result.Succeeded) Done = said == Outcome.Honoured ? "Rendez-vous noté honoré." : "Rendez-vous noté non honoré.";
        else Problem = $"Issue non enregistrée : {FrenchText.Of(result)}.";
        await OnGetAsync(ct);
    }

    public async Task OnPostCancelAsync(string bookingId, string? reason, CancellationToken ct)
    {
        var result = await bookings.CancelAsync(bookingId, new CancellationInput(CancelledBy.Practitioner, reason), Caller.From(User), ct);
        if (result.Succeeded) Done = "Rendez-vous annulé ; la régulation et la plateforme du SAS en sont informées.";
        else Problem = $"Annulation refusée : {FrenchText.Of(result)}.";
        await OnGetAsync(ct);
    }

    public async Task OnPostWithdrawAsync(long slotId, CancellationToken ct)
    {
        var result = await withdrawal.WithdrawAsync(slotId, Caller.From(User), ct);
        if (result.Succeeded) Done = "Créneau retiré : il n'est plus proposé à la régulation.";
        else Problem = $"Créneau non retiré : {FrenchText.Of(result)}.";
        await OnGetAsync(ct);
    }

    public IReadOnlyList<GpView> Gps { get; private set; } = [];
    public int Days { get; private set; } = 3;
    public DateTime Now { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var caller = Caller.From(User);
        Now = clock.GetUtcNow().UtcDateTime;
        var fromUtc = Now.Date.AddDays(-1);
        var toUtc = Now.Date.AddDays(Days + 1);
        var list = await practice.LoadAsync(caller, fromUtc, toUtc, ct);
        Gps = list;
        var ofGp = new Dictionary<string, IReadOnlyList<Rules.RuleDto>>();
        foreach (var g in list) ofGp[g.Gp.Row.Rpps] = await rules.ListAsync(g.Gp.Row.Rpps, ct);
        RulesOf = ofGp;
        if (Editing is not null && Rule.Id is null && ofGp.Values.SelectMany(r => r).FirstOrDefault(r => r.Id == Editing) is { } editing) Rule = RuleForm.From(editing);
        Rule.FirstDay ??= DateOnly.FromDateTime(Now).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public string SiteName(Practitioner gp, string siteId) => gp.Sites.FirstOrDefault(s => s.SiteId == siteId)?.Name ?? siteId;

    /// <summary>A slot's start in its sector's time, with the zone.</summary>
    public static string Local(SlotRow slot, string timeZone) => RegulationModel.Local(Instants.Format(slot.StartUtc), timeZone);
    /// <summary>An overflow day as French people write it (jeudi 26 novembre).</summary>
    public static string Day(string? iso) =>
        DateOnly.TryParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d.ToString("dddd d MMMM", ConsoleSetup.French) : iso ?? "";

    /// <summary>A birth date as French people write it (12/04/1990).</summary>
    public static string BirthDate(string? iso) =>
        DateOnly.TryParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : iso ?? "";

    /// <summary>A French number as dialled (06 12 34 56 78); any other as stored (E.164).</summary>
    public static string Phone(string? e164) => e164 is { Length: 12 } p && p.StartsWith("+33", StringComparison.Ordinal)
        ? string.Join(' ', ("0" + p[3..]).Chunk(2).Select(c => new string(c)))
        : e164 ?? "";
}
