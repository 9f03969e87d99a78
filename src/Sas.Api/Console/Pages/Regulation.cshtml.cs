using System.Globalization;
using Microsoft.AspNetCore.Authorization;
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
/// When no slot fits, the regulator passes the need to the pool of the searched place (the API's pooled request).
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Regulator + "," + Roles.Admin)]
public sealed class RegulationModel(
    TimeProvider clock, Practitioners.PractitionerStore practitioners, SearchService search, HoldService holds, BookingService bookings, Requests.RequestService requests) : PageModel
{
    public static CultureInfo French => ConsoleSetup.French;

    [BindProperty(SupportsGet = true, Name = "cp")] public string? PostalCode { get; set; }
    [BindProperty(SupportsGet = true, Name = "commune")] public string? Commune { get; set; }
    /// <summary>The profession searched (the API's <c>profession</c>): GPs unless the regulator picks another.</summary>
    [BindProperty(SupportsGet = true, Name = "profession")] public string? Profession { get; set; }

    /// <summary>The professions a regulator searches from the console (a physician's specialty is the API's alone).</summary>
    public static IEnumerable<Sas.Domain.Professions.Profession> Searchable => Sas.Domain.Professions.Professions.All.Where(p => !p.TakesSpecialty);

    /// <summary>The profession the page's slots, overflow places and pooled request are for.</summary>
    public string SearchedProfession => Searchable.FirstOrDefault(p => p.Name == Profession)?.Name ?? Sas.Domain.Professions.Professions.GeneralPractitioner.Name;

    /// <summary>The search every form of the page carries back, so the page after a hold, a booking or a cancellation shows it again.</summary>
    public IReadOnlyDictionary<string, string?> Carried => new Dictionary<string, string?> { ["cp"] = PostalCode, ["commune"] = Commune, ["profession"] = SearchedProfession };

    public IReadOnlyList<SearchItemDto> Slots { get; private set; } = [];
    /// <summary>The professionals of the searched profession and sectors who take overflow patients today, with the places left.</summary>
    public IReadOnlyList<Practitioners.OverflowOffer> Overflow { get; private set; } = [];
    public string? Problem { get; private set; }
    public HoldDto? Hold { get; private set; }
    public BookingDto? Booked { get; private set; }
    public IReadOnlyDictionary<string, IReadOnlyList<Domain.Validation.FieldRule>> Errors { get; private set; } = new Dictionary<string, IReadOnlyList<Domain.Validation.FieldRule>>();
    public BookingDto? Cancelled { get; private set; }
    /// <summary>The pooled request just posted, and the searched place's time zone its window is shown in.</summary>
    public Requests.RequestDto? Posted { get; private set; }
    public string TimeZone { get; private set; } = Sas.Domain.Time.Zones.Mainland;

    /// <summary>Whether a place was searched: what the page offers (slots, overflow, the pool) is for that place.</summary>
    public bool Searched => !string.IsNullOrWhiteSpace(PostalCode) || !string.IsNullOrWhiteSpace(Commune);

    /// <summary>The place searched, as the API takes it: the commune when given, else the postal code.</summary>
    private (string? Commune, string? PostalCode) Place => string.IsNullOrWhiteSpace(Commune) ? (null, PostalCode?.Trim()) : (Commune.Trim(), null);

    [BindProperty] public BookingForm Form { get; set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => await SearchAsync(ct);

    /// <summary>Holds the slot (the API's hold), then shows the patient form for it.</summary>
    public async Task OnPostHoldAsync(long slotId, CancellationToken ct)
    {
        var result = await holds.HoldAsync(slotId, Caller.From(User), ct);
        if (result.Succeeded) Hold = result.Value.Hold;
        else Problem = $"Créneau non tenu : {FrenchText.Of(result)}.";
        if (Hold is not null) Form = new BookingForm { SlotId = Hold.SlotId, HoldId = Hold.HoldId, PatientCommune = Commune };
        await SearchAsync(ct);
    }

    /// <summary>Shows the patient form for an overflow place with this GP (nothing is held: the booking takes the place).</summary>
    public async Task OnPostOverflowAsync(string rpps, CancellationToken ct)
    {
        Form = new BookingForm { OverflowRpps = rpps, PatientCommune = Commune };
        await SearchAsync(ct);
    }

    /// <summary>Shows the patient form for a pooled request to the searched place's professionals.</summary>
    public async Task OnPostPoolAsync(CancellationToken ct)
    {
        Form = new BookingForm { ToPool = true, PatientCommune = Commune, Profession = SearchedProfession };
        await SearchAsync(ct);
    }

    /// <summary>Posts the pooled request through the API's handler: its refusals come back next to the fields.</summary>
    public async Task OnPostRequestAsync(CancellationToken ct)
    {
        var caller = Caller.From(User);
        var input = Form.ToRequest(clock.GetUtcNow(), caller, Place);
        var result = await requests.PostAsync(input, Form.IdempotencyKey, caller, ct);
        if (result.Succeeded) Posted = result.Value;
        else
        {
            Errors = result.Invalid?.Rules ?? Errors;
            Problem = $"Demande non transmise : {FrenchText.Of(result)}.";
        }
        await SearchAsync(ct);
    }

    /// <summary>Whether the patient form is open: for a held slot, an overflow place or a pooled request, until done.</summary>
    public bool FormOpen => Booked is null && Posted is null && (Hold is not null || Form.OverflowRpps is not null || Form.ToPool);

    /// <summary>Books the held slot through the API's booking handler; its refusals come back next to the fields.</summary>
    public async Task OnPostBookAsync(CancellationToken ct)
    {
        var input = Form.ToInput(clock.GetUtcNow(), Caller.From(User));
        var result = await bookings.BookAsync(input, Form.IdempotencyKey, Caller.From(User), ct);
        if (result.Succeeded) Booked = result.Value.Booking;
        else
        {
            // The API's refusal, worded in French: by its code above, by each field's rule beside its input.
            Errors = result.Invalid?.Rules ?? Errors;
            Problem = $"Réservation refusée : {FrenchText.Of(result)}.";
            if (Form.OverflowRpps is null) Hold = new HoldDto(Form.HoldId ?? "", Form.SlotId, "");
        }
        await SearchAsync(ct);
    }

    /// <summary>Cancels a booking through the API's handler (by the patient or the regulator), freeing its slot.</summary>
    public async Task OnPostCancelAsync(string bookingId, string by, string? reason, CancellationToken ct)
    {
        (Cancelled, var errors, Problem) = await RegulatorCancellation.CancelAsync(bookings, bookingId, by, reason, Caller.From(User), ct);
        Errors = errors ?? Errors;
        await SearchAsync(ct);
    }

    private async Task SearchAsync(CancellationToken ct)
    {
        if (!Searched) return;
        var (commune, postalCode) = Place;
        var query = new SearchEndpoints.SearchParameters(null, commune, postalCode, null, null, null, 20, null, SearchedProfession);
        var result = await search.SearchAsync(query, Caller.From(User), ct);
        if (!result.Succeeded)
        {
            Problem ??= $"Recherche impossible : {FrenchText.Of(result)}.";
            return;
        }
        Slots = result.Value.Page.Items;
        // The sectors the search covered; the day is the one the booking counts places on.
        var sectors = result.Value.Sectors;
        if (sectors.Count == 0) return;
        TimeZone = sectors[0].TimeZone;
        var zone = Sas.Domain.Time.Zones.Find(TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // The overflow places beside the slots are of the searched profession's professionals too.
        Overflow = await practitioners.ListTakingOverflowAsync(sectors.Select(x => x.Code).ToList(), today, SearchedProfession, ct);
    }

    /// <summary>A slot's start in its sector's local time, with the zone named.</summary>
    public static string Local(string instant, string timeZone) => Local(DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture), timeZone);

    public static string Local(DateTimeOffset instant, string timeZone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Sas.Domain.Time.Zones.Find(timeZone));
        return $"{local.ToString("dddd d MMMM à HH:mm", French)} ({timeZone})";
    }

    /// <summary>Until when the hold lasts, in the slot's sector time with its zone, and the minutes left on the clock.</summary>
    public string? HoldUntil(HoldDto hold) => FrenchText.HoldUntil(hold, Slots.FirstOrDefault(s => s.Id == hold.SlotId)?.TimeZone, clock.GetUtcNow());

    public static string Modality(Domain.Slots.Modality m) => m switch
    {
        Domain.Slots.Modality.HomeVisit => "visite à domicile",
        Domain.Slots.Modality.Teleconsultation => "téléconsultation",
        _ => "au cabinet",
    };

    /// <summary>What the field broke, in French, rule by rule; null when nothing.</summary>
    public string? ErrorOf(string field) => FrenchText.Of(Errors, field);
}
