using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Sas.Api.Bookings;
using Sas.Api.Fhir;
using Sas.Api.Infrastructure.Auth;
using Sas.Domain;
using Sas.Domain.Bookings;

namespace Sas.Api.Console.Pages;

/// <summary>
/// A GP's agenda, where the SAS platform sends a regulator who picked one of our slots (flow "V2": the link of
/// <c>Slot.comment</c>, to which the platform adds <c>origin=sas…</c>). From the platform, the regulator is signed in by Pro
/// Santé Connect without a second prompt when its session is open, as the platform's regulator account; accepts the
/// terms of use once; then holds and books the slot chosen (shown first) or another, or an overflow place. The
/// booking names the regulator's account, and the platform hears of it at once (INT_R03). Without <c>origin</c>, a
/// person signed in to the console as a regulator may use it too. Refusals are French pages with a 4xx status.
/// </summary>
[AllowAnonymous] // its own rules below: the platform's regulators go to Pro Santé Connect, anyone else to the sign-in page
public sealed class AgendaModel(
    TimeProvider clock, Practitioners.PractitionerStore practitioners, Territory.TerritoryStore territory, BookableSlots bookable,
    HoldService holds, BookingService bookings, Regulators.TermsStore terms, IOptions<PersonSignInOptions> provider, ILogger<AgendaModel> logger) : PageModel
{
    [FromRoute] public string Rpps { get; set; } = "";

    /// <summary>The platform's mark (<c>sas</c>, <c>sas-preprod</c>…): the regulator came from the SAS platform.</summary>
    [BindProperty(SupportsGet = true, Name = "origin")] public string? Origin { get; set; }

    /// <summary>The slot the regulator picked on the platform.</summary>
    [BindProperty(SupportsGet = true, Name = AgendaLink.SlotParameter)] public long? Chosen { get; set; }

    public Practitioners.Practitioner? Gp { get; private set; }

    /// <summary>The GP's sectors the signed-in regulator covers (at least one, once admitted).</summary>
    private IReadOnlyList<Territory.SectorRow> Covered { get; set; } = [];
    public IReadOnlyList<FreeSlot> Slots { get; private set; } = [];
    public Practitioners.OverflowOffer? Overflow { get; private set; }
    public string? Refusal { get; private set; }
    public string? Problem { get; private set; }
    public HoldDto? Hold { get; private set; }
    public BookingDto? Booked { get; private set; }
    public BookingDto? Cancelled { get; private set; }
    public IReadOnlyDictionary<string, IReadOnlyList<Domain.Validation.FieldRule>> Errors { get; private set; } = new Dictionary<string, IReadOnlyList<Domain.Validation.FieldRule>>();

    [BindProperty] public BookingForm Form { get; set; } = new();

    /// <summary>The query every form of the page carries back: the platform's mark and the slot chosen.</summary>
    public IReadOnlyDictionary<string, string?> Carried => new Dictionary<string, string?>
    {
        ["origin"] = Origin, [AgendaLink.SlotParameter] = Chosen?.ToString(CultureInfo.InvariantCulture),
    };

    public bool FormOpen => Booked is null && (Hold is not null || Form.OverflowRpps is not null);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await AdmitAsync(ct) ?? await ShowAsync(ct);

    public async Task<IActionResult> OnPostHoldAsync(long slotId, CancellationToken ct)
    {
        if (await AdmitAsync(ct) is { } refused) return refused;
        var result = await holds.HoldAsync(slotId, Caller.From(User), ct);
        if (result.Succeeded)
        {
            Hold = result.Value.Hold;
            Form = new BookingForm { SlotId = Hold.SlotId, HoldId = Hold.HoldId };
        }
        else Problem = $"Créneau non tenu : {FrenchText.Of(result)}.";
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostOverflowAsync(CancellationToken ct)
    {
        if (await AdmitAsync(ct) is { } refused) return refused;
        Form = new BookingForm { OverflowRpps = Rpps };
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostBookAsync(CancellationToken ct)
    {
        if (await AdmitAsync(ct) is { } refused) return refused;
        // The GP of this agenda only: an overflow place is taken with this page's GP, whatever the form says.
        if (Form.OverflowRpps is not null) Form.OverflowRpps = Rpps;
        var result = await bookings.BookAsync(Form.ToInput(clock.GetUtcNow(), Caller.From(User)), Form.IdempotencyKey, Caller.From(User), ct);
        if (result.Succeeded) Booked = result.Value.Booking;
        else
        {
            Errors = result.Invalid?.Rules ?? Errors;
            Problem = $"Réservation refusée : {FrenchText.Of(result)}.";
            if (Form.OverflowRpps is null) Hold = new HoldDto(Form.HoldId ?? "", Form.SlotId, "");
        }
        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostCancelAsync(string bookingId, string by, string? reason, CancellationToken ct)
    {
        if (await AdmitAsync(ct) is { } refused) return refused;
        (Cancelled, var errors, Problem) = await RegulatorCancellation.CancelAsync(bookings, bookingId, by, reason, Caller.From(User), ct);
        Errors = errors ?? Errors;
        return await ShowAsync(ct);
    }

    /// <summary>
    /// Who may see this agenda, in the order the kit checks it: a link from elsewhere than the platform is refused; from
    /// the platform without a platform session, to Pro Santé Connect; without the platform and signed out, to the sign-in
    /// page; then the role, the terms, the GP and the territory. Null when admitted.
    /// </summary>
    private async Task<IActionResult?> AdmitAsync(CancellationToken ct)
    {
        if (Origin is not null && !Origin.StartsWith("sas", StringComparison.Ordinal))
            return Refuse(StatusCodes.Status400BadRequest, "Ce lien ne vient pas de la plateforme numérique du SAS. Ouvrez l'agenda depuis la plateforme, ou connectez-vous à la console.");
        var source = User.FindFirstValue(PersonClaims.Source);
        if (Origin is not null && source != PersonClaims.Sources.Platform) return await ToProviderAsync();
        if (User.Identity?.IsAuthenticated != true || User.Identity.AuthenticationType != ConsoleSetup.Scheme) return Challenge(ConsoleSetup.Scheme);
        if (!User.IsInRole(Roles.Regulator) && !User.IsInRole(Roles.Admin))
            return Refuse(StatusCodes.Status403Forbidden, "L'agenda des médecins est réservé à la régulation du SAS.");
        if (source == PersonClaims.Sources.Platform && !await terms.AcceptedAsync(User.FindFirstValue(PersonClaims.RegulatorAccount)!, ct))
            return Redirect($"{ConsoleSetup.Path}/conditions?retour={Uri.EscapeDataString(Request.Path + Request.QueryString)}");

        Gp = Domain.Identifiers.ProfessionalId.IsValid(Rpps) ? await practitioners.GetAsync(Rpps, ct) : null;
        if (Gp is null) return Refuse(StatusCodes.Status404NotFound, "Ce médecin n'est pas connu de ce service : son agenda n'y est pas.");
        var caller = Caller.From(User);
        Covered = [.. (await territory.GetSectorsAsync(Gp.Sectors, ct)).Where(s => caller.CoversSector(s.Code, s.Department))];
        if (Covered.Count == 0)
            return Refuse(StatusCodes.Status403Forbidden, "Ce médecin exerce hors de votre territoire de régulation : son agenda ne vous est pas ouvert.");
        return null;
    }

    /// <summary>Off to Pro Santé Connect, and back to this same agenda (through the page that reopens the console).</summary>
    private async Task<IActionResult> ToProviderAsync()
    {
        if (!provider.Value.Enabled)
            return Refuse(StatusCodes.Status503ServiceUnavailable, "La connexion par Pro Santé Connect n'est pas configurée sur ce service : la régulation ne peut pas y accéder depuis la plateforme.");
        var back = Request.Path + Request.QueryString;
        var properties = new AuthenticationProperties { RedirectUri = $"{ConsoleSetup.Path}/connexion/suite?retour={Uri.EscapeDataString(back)}" };
        properties.Items[PersonSignIn.PlatformOrigin] = Origin;
        try
        {
            await HttpContext.ChallengeAsync(PersonSignIn.Scheme, properties);
            return new EmptyResult();
        }
        catch (InvalidOperationException e) when (e.InnerException is IOException or HttpRequestException)
        {
            logger.LogWarning("The OpenID Connect provider could not be reached: {Reason}", e.Message);
            return Refuse(StatusCodes.Status503ServiceUnavailable, "Pro Santé Connect ne répond pas pour le moment. Réessayez dans quelques instants depuis la plateforme.");
        }
    }

    private PageResult Refuse(int status, string message)
    {
        Refusal = message;
        return new PageResult { StatusCode = status };
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        // Only the slots of the GP's sectors the regulator covers: the others it could not hold.
        var found = (await bookable.ForAsync([Rpps], DateTime.MinValue, DateTime.MaxValue, ct)).Where(f => Covered.Any(s => s.Code == f.Sector.Code)).ToList();
        // The slot picked on the platform first; it may have been taken meanwhile, which is said.
        Slots = [.. found.Where(f => f.Slot.Id == Chosen), .. found.Where(f => f.Slot.Id != Chosen)];
        if (Chosen is { } chosen && Booked is null && Hold is null && Slots.FirstOrDefault()?.Slot.Id != chosen)
            Problem ??= "Le créneau choisi sur la plateforme n'est plus disponible : voici les autres créneaux de ce médecin.";
        var zone = Sas.Domain.Time.Zones.Find(Covered[0].TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Overflow = (await practitioners.ListTakingOverflowAsync([.. Covered.Select(s => s.Code)], today, null, ct)).FirstOrDefault(o => o.Rpps == Rpps);
        return Page();
    }

    /// <summary>Until when the hold lasts, in the slot's sector time with its zone, and the minutes left on the clock.</summary>
    public string? HoldUntil(HoldDto hold) => FrenchText.HoldUntil(hold, Slots.FirstOrDefault(s => s.Slot.Id == hold.SlotId)?.Sector.TimeZone, clock.GetUtcNow());

    public static string Local(FreeSlot slot) =>
        RegulationModel.Local(new DateTimeOffset(DateTime.SpecifyKind(slot.Slot.StartUtc, DateTimeKind.Utc)), slot.Sector.TimeZone);

    public static string Modality(FreeSlot slot) => RegulationModel.Modality(EnumText.Parse<Domain.Slots.Modality>(slot.Slot.Modality));

    public string? ErrorOf(string field) => FrenchText.Of(Errors, field);
}
