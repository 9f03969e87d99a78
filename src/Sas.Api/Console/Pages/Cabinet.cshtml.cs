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
public sealed class CabinetModel(PractitionerStore practitioners, SlotStore slots, TerritoryStore territory, BookingService bookings, SlotWithdrawal withdrawal,
    Rules.RuleService rules, TimeProvider clock) : PageModel
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

    /// <summary>A published slot, its sector's time zone, and the booking on it if any.</summary>
    public sealed record SlotLine(SlotRow Slot, string TimeZone, BookingDto? Booking);

    public sealed record GpView(Practitioner Gp, IReadOnlyList<SlotLine> Slots, IReadOnlyList<BookingDto> Overflow, string? Problem);

    public IReadOnlyList<GpView> Gps { get; private set; } = [];
    public int Days { get; private set; } = 3;
    public DateTime Now { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var caller = Caller.From(User);
        Now = clock.GetUtcNow().UtcDateTime;
        var fromUtc = Now.Date.AddDays(-1);
        var toUtc = Now.Date.AddDays(Days + 1);
        var list = new List<GpView>();
        foreach (var rpps in caller.Scope.Order(StringComparer.Ordinal))
        {
            if (await practitioners.GetAsync(rpps, ct) is not { } gp) continue;
            var page = await bookings.ListForPractitionerAsync(rpps, Instants.Format(fromUtc), Instants.Format(toUtc), 100, null, caller, ct);
            if (!page.Succeeded)
            {
                list.Add(new GpView(gp, [], [], FrenchText.Of(page)));
                continue;
            }
            // The live booking of each slot: a cancelled one is shown only where no later booking took the slot again.
            var gpBookings = page.Value.Items;
            var bySlot = gpBookings.Where(b => b.SlotId is not null)
                .GroupBy(b => b.SlotId!.Value)
                .ToDictionary(g => g.Key, g => g.OrderBy(b => b.Status == BookingStatus.Cancelled).First());
            var lines = new List<SlotLine>();
            foreach (var slot in await slots.ListAsync(rpps, fromUtc, toUtc, ct))
            {
                // The node's territory copy, as the search reads it: a database read per slot shown was for one zone.
                var zone = territory.TimeZoneOf(await territory.CachedSectorAsync(slot.SectorCode, ct));
                lines.Add(new SlotLine(slot, zone, bySlot.GetValueOrDefault(slot.Id)));
            }
            list.Add(new GpView(gp, lines, gpBookings.Where(b => b.SlotId is null).ToList(), null));
        }
        Gps = list;
        var ofGp = new Dictionary<string, IReadOnlyList<Rules.RuleDto>>();
        foreach (var g in list) ofGp[g.Gp.Row.Rpps] = await rules.ListAsync(g.Gp.Row.Rpps, ct);
        RulesOf = ofGp;
        Rule.FirstDay ??= DateOnly.FromDateTime(Now).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>A slot's state as the practice reads it.</summary>
    public string State(SlotLine line) => line.Booking is { Status: not BookingStatus.Cancelled } ? "réservé par le SAS"
        : line.Slot.EffectiveStatus(Now) switch
        {
            SlotStatus.Held => "tenu par un régulateur",
            SlotStatus.Booked => "réservé par le SAS",
            SlotStatus.Withdrawn => "retiré",
            SlotStatus.Expired => "passé sans réservation",
            _ => "disponible",
        } + (line.Booking is not null ? " (rendez-vous SAS annulé)" : "");

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
