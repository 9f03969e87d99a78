using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Search;
using Sas.Domain.Bookings;

namespace Sas.Api.Console.Pages;

/// <summary>
/// A regulator's view: the bookable slots for the patient's postal code or commune, soonest first; hold one while the
/// patient is on the phone, then book it with the patient's details. Each step calls the API's own handler (search,
/// hold, booking), so its rules and error codes are the API's; a field the API refuses is shown next to its input.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Regulator + "," + Roles.Admin)]
public sealed class RegulationModel(TimeProvider clock, Practitioners.PractitionerStore practitioners) : PageModel
{
    public static CultureInfo French => ConsoleSetup.French;

    [BindProperty(SupportsGet = true, Name = "cp")] public string? PostalCode { get; set; }
    [BindProperty(SupportsGet = true, Name = "commune")] public string? Commune { get; set; }

    public IReadOnlyList<SearchItemDto> Slots { get; private set; } = [];
    /// <summary>The GPs of the searched sectors who take overflow patients today, with the places left.</summary>
    public IReadOnlyList<Practitioners.OverflowOffer> Overflow { get; private set; } = [];
    public string? Problem { get; private set; }
    public HoldDto? Hold { get; private set; }
    public BookingDto? Booked { get; private set; }
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();
    public BookingDto? Cancelled { get; private set; }

    [BindProperty] public BookingForm Form { get; set; } = new();

    /// <summary>The patient form as typed; sent to the booking handler as the API's BookingInput.</summary>
    public sealed class BookingForm
    {
        public long SlotId { get; set; }
        public string? HoldId { get; set; }
        /// <summary>An overflow place with this GP instead of a slot.</summary>
        public string? OverflowRpps { get; set; }
        public string IdempotencyKey { get; set; } = Guid.NewGuid().ToString();
        public string? LastName { get; set; }
        public string? FirstName { get; set; }
        public string? BirthDate { get; set; }
        public string? Phone { get; set; }
        public string? PatientCommune { get; set; }
        public string? Reason { get; set; }
        public string RegularDoctor { get; set; } = "has";
        public bool RegularDoctorContacted { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct) => await SearchAsync(ct);

    /// <summary>Holds the slot (the API's hold), then shows the patient form for it.</summary>
    public async Task OnPostHoldAsync(long slotId, CancellationToken ct)
    {
        var result = await HoldEndpoints.HoldSlot(slotId, User, HandlerServices.For<HoldEndpoints.Services>(HttpContext), ct);
        switch (result.Result)
        {
            case Created<HoldDto> created: Hold = created.Value; break;
            case Ok<HoldDto> same: Hold = same.Value; break;
            case ProblemHttpResult problem: Problem = $"Créneau non tenu : {FrenchMessages.OfProblem(problem)}."; break;
        }
        if (Hold is not null) Form = new BookingForm { SlotId = Hold.SlotId, HoldId = Hold.HoldId, PatientCommune = Commune };
        await SearchAsync(ct);
    }

    /// <summary>Shows the patient form for an overflow place with this GP (nothing is held: the booking takes the place).</summary>
    public async Task OnPostOverflowAsync(string rpps, CancellationToken ct)
    {
        Form = new BookingForm { OverflowRpps = rpps, PatientCommune = Commune };
        await SearchAsync(ct);
    }

    /// <summary>Whether the patient form is open: for a held slot or an overflow place, until booked.</summary>
    public bool FormOpen => Booked is null && (Hold is not null || Form.OverflowRpps is not null);

    /// <summary>Books the held slot through the API's booking handler; its refusals come back next to the fields.</summary>
    public async Task OnPostBookAsync(CancellationToken ct)
    {
        RegularDoctor? regularDoctor = Form.RegularDoctor switch { "has" => Domain.Bookings.RegularDoctor.Has, "none" => Domain.Bookings.RegularDoctor.None, "unavailable" => Domain.Bookings.RegularDoctor.Unavailable, _ => null };
        var input = new BookingInput(
            new PatientInput(Form.LastName, Form.FirstName, Form.BirthDate, Form.Phone, Form.PatientCommune),
            Form.Reason, regularDoctor, Form.RegularDoctorContacted, Origin.Sas,
            clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Form.OverflowRpps is null ? Form.SlotId : null, Form.OverflowRpps is null ? Form.HoldId : null,
            Form.OverflowRpps, Overflow: Form.OverflowRpps is not null);
        var result = await BookingEndpoints.CreateBooking(input, Form.IdempotencyKey, User, HandlerServices.For<BookingEndpoints.Services>(HttpContext), ct);
        switch (result.Result)
        {
            case Created<BookingDto> created: Booked = created.Value; break;
            case ProblemHttpResult problem:
                Errors = FieldErrors(problem);
                // The API's refusal, worded in French: by its code above, by field beside each input.
                Problem = $"Réservation refusée : {FrenchMessages.OfProblem(problem)}.";
                if (Form.OverflowRpps is null) Hold = new HoldDto(Form.HoldId ?? "", Form.SlotId, "");
                break;
        }
        await SearchAsync(ct);
    }

    /// <summary>Cancels a booking through the API's handler (by the patient or the regulator), freeing its slot.</summary>
    public async Task OnPostCancelAsync(string bookingId, string by, string? reason, CancellationToken ct)
    {
        CancelledBy? who = by switch { "patient" => CancelledBy.Patient, "regulator" => CancelledBy.Regulator, _ => null };
        var result = await BookingEndpoints.CancelBooking(bookingId, new CancellationInput(who, reason), User, HandlerServices.For<BookingEndpoints.Services>(HttpContext), ct);
        switch (result.Result)
        {
            case Ok<BookingDto> ok: Cancelled = ok.Value; break;
            case ProblemHttpResult problem:
                Errors = FieldErrors(problem);
                Problem = $"Annulation refusée : {FrenchMessages.OfProblem(problem)}.";
                break;
        }
        await SearchAsync(ct);
    }

    private async Task SearchAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(PostalCode) && string.IsNullOrWhiteSpace(Commune)) return;
        var query = new SearchEndpoints.SearchParameters(null, string.IsNullOrWhiteSpace(Commune) ? null : Commune.Trim(),
            string.IsNullOrWhiteSpace(Commune) ? PostalCode?.Trim() : null, null, null, null, 20, null);
        var services = HandlerServices.For<SearchEndpoints.Services>(HttpContext);
        var result = await SearchEndpoints.SearchSlots(query, User, services, ct);
        switch (result.Result)
        {
            case Ok<Infrastructure.Page<SearchItemDto>> page: Slots = page.Value!.Items; break;
            case ProblemHttpResult problem: Problem ??= $"Recherche impossible : {FrenchMessages.OfProblem(problem)}."; return;
        }
        // The same sectors the search covered; the day is the one the booking handler counts places on.
        var (sectors, _) = await SearchEndpoints.SectorsInScopeAsync(null, query.Commune, query.PostalCode, Caller.From(User), services, ct);
        if (sectors.Count == 0) return;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(sectors[0].TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Overflow = await practitioners.ListTakingOverflowAsync(sectors.Select(x => x.Code).ToList(), today, ct);
    }

    /// <summary>A slot's start in its sector's local time, with the zone named.</summary>
    public static string Local(string instant, string timeZone) => Local(DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture), timeZone);

    public static string Local(DateTimeOffset instant, string timeZone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(timeZone));
        return $"{local.ToString("dddd d MMMM à HH:mm", French)} ({timeZone})";
    }

    /// <summary>Until when the hold lasts, in the slot's sector time with its zone, and the minutes left on the clock.</summary>
    public string? HoldUntil(HoldDto hold)
    {
        if (!DateTimeOffset.TryParse(hold.ExpiresAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires)) return null;
        var zone = Slots.FirstOrDefault(s => s.Id == hold.SlotId)?.TimeZone ?? "Europe/Paris";
        var local = TimeZoneInfo.ConvertTime(expires, TimeZoneInfo.FindSystemTimeZoneById(zone));
        var minutes = (int)Math.Ceiling(Math.Max(0, (expires - clock.GetUtcNow()).TotalMinutes));
        return $"{local.ToString("HH:mm", French)} ({zone}), dans {minutes} min";
    }

    public static string Modality(Domain.Slots.Modality m) => m switch
    {
        Domain.Slots.Modality.HomeVisit => "visite à domicile",
        Domain.Slots.Modality.Teleconsultation => "téléconsultation",
        _ => "au cabinet",
    };

    /// <summary>The fields a problem names, as the API's validation writes them (<c>errors</c>); none for another refusal.</summary>
    private static Dictionary<string, string[]> FieldErrors(ProblemHttpResult problem) =>
        problem.ProblemDetails.Extensions.TryGetValue("errors", out var errors) && errors is IDictionary<string, string[]> byField ? new(byField)
        : problem.ProblemDetails is HttpValidationProblemDetails validation ? new(validation.Errors)
        : [];

    public string? ErrorOf(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ; ", messages.Select(FrenchMessages.Of)) : null;
}
