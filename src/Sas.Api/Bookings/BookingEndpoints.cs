using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Sas.Api.Reference;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Bookings;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Bookings;

public static partial class BookingEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapBookings(this RouteGroupBuilder v1)
    {
        var bookings = v1.MapGroup("/bookings").WithTags("Booking");
        bookings.MapPost("/", CreateBooking).WithName(nameof(CreateBooking)).WithMetadata(new AuditedInTransaction(), new Infrastructure.OpenApi.RequiredParametersMetadata(IdempotencyHeader))
            .WithSummary("Book a slot (with its holdId if held) or an overflow place; Idempotency-Key required (regulator, admin)")
            .RequireAuthorization(Policies.Regulator).ProducesErrors(E.ValidationFailed, E.IdempotencyKeyRequired, E.IdempotencyKeyReused, E.SlotNotFound, E.PractitionerNotFound, E.SlotBooked, E.SlotHeld, E.HoldIdRequired, E.HoldExpired, E.SlotWithdrawn, E.SlotStarted, E.OutsideBookingHorizon, E.OverflowFull);
        bookings.MapGet("/{id}", GetBooking).WithName(nameof(GetBooking))
            .WithSummary("Read a booking with its patient data; the read is audited (its regulator or GP's client, admin)").ProducesErrors(E.BookingNotFound);
        bookings.MapPost("/{id}/cancellation", CancelBooking).WithName(nameof(CancelBooking)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Cancel a booking, saying who and why; before the cut-off the slot is offered again").ProducesErrors(E.ValidationFailed, E.BookingNotFound, E.BookingCancelled, E.OutcomeRecorded);
        bookings.MapPut("/{id}/outcome", RecordOutcome).WithName(nameof(RecordOutcome)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Record whether the patient came, after the start (the GP's practitioner client only)")
            .RequireAuthorization(Policies.Practitioner).ProducesErrors(E.ValidationFailed, E.BookingNotFound, E.BookingCancelled, E.OutcomeRecorded, E.ConsultationNotStarted);

        v1.MapGet("/practitioners/{rpps}/bookings", ListPractitionerBookings).WithName(nameof(ListPractitionerBookings)).WithTags("Booking")
            .WithSummary("The GP's bookings in [from, to), for the practice software to pull (the GP's practitioner client, admin)")
            .RequireAuthorization(Policies.Practitioner).WithMetadata(new Infrastructure.OpenApi.RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed);
        return v1;
    }

    public readonly record struct Services(
        BookingStore Bookings, Idempotency Idempotency, SlotStore Slots, PractitionerStore Practitioners, TerritoryStore Territory,
        Geography Geography, BookingOptions Options, TimeProvider Clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> Json,
        Jobs.DispatchTrigger Dispatch, Infrastructure.Telemetry.SasMetrics Metrics, BookingRaceHook Race, Regulators.RegulatorStore Regulators,
        Infrastructure.Audit.Audit Audit, Clients.ClientStore Clients, HttpContext Http);

    /// <summary>Set on an answer that replays the first answer of its Idempotency-Key.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static async Task<Results<Created<BookingDto>, ProblemHttpResult>> CreateBooking(
        BookingInput input, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > Idempotency.MaxKeyLength)
            return Problems.Validation(new Dictionary<string, string[]> { [IdempotencyHeader] = [$"is required: 1 to {Idempotency.MaxKeyLength} characters, one per booking attempt"] },
                "idempotency_key_required", "Send an Idempotency-Key header so that a retry never books twice.");

        var caller = Caller.From(user);
        var now = s.Clock.GetUtcNow().UtcDateTime;
        var errors = new ValidationErrors();
        var patient = PatientValidation.Validate(input.Patient, input.Reason, s.Geography, DateOnly.FromDateTime(now), errors);
        errors.Required(input.RegularDoctor, "regularDoctor");
        errors.Required(input.RegularDoctorContacted, "regularDoctorContacted");
        errors.Required(input.Origin, "origin");
        var requestedAt = errors.Instant("requestedAt", input.RequestedAt);
        if (requestedAt > now.AddMinutes(5)) errors.Add("requestedAt", "is in the future");
        // The delay indicators measure from the call: a call weeks old is a mistake, not a delay.
        else if (requestedAt < now - BookingRules.MaxCallAge) errors.Add("requestedAt", $"is more than {BookingRules.MaxCallAge.TotalDays} days before now: it is when the patient's call began");
        if (input.Overflow)
        {
            if (input.SlotId is not null) errors.Add("slotId", "must be absent for an overflow booking");
            if (input.PractitionerRpps is null) errors.Add("practitionerRpps", "is required for an overflow booking");
        }
        else
        {
            if (input.SlotId is null) errors.Add("slotId", "is required (or practitionerRpps with overflow: true)");
            if (input.PractitionerRpps is not null) errors.Add("practitionerRpps", "goes with overflow: true only");
        }
        if (input.HoldId is { Length: > 64 }) errors.Add("holdId", "is not a hold id this API gave");
        if (input.Operator is not null && !OperatorId().IsMatch(input.Operator))
            errors.Add("operator", "must be the regulator's national identifier (IDNPS): 1 to 64 letters, digits, '/', '-' or '.'");
        if (input.OperatorAccount is not null && (!OperatorId().IsMatch(input.OperatorAccount) || !await s.Regulators.IsActiveAsync(input.OperatorAccount, ct)))
            errors.Add("operatorAccount", "is not the SAS id of an active regulator account (the SAS platform creates them, flow INT_R02)");
        // The platform is told who booked: a client names only the regulators an admin granted it (an admin, anyone).
        if (!caller.IsAdmin && (input.Operator is not null || input.OperatorAccount is not null) && !errors.Any)
        {
            var grants = await s.Clients.GetOperatorsAsync(caller.ClientId, ct);
            if (input.Operator is { } op && !grants.NationalIds.Contains(op, StringComparer.Ordinal))
                errors.Add("operator", "is not a regulator this client may name: an admin grants them (PUT /v1/clients/{id}/operators)");
            if (input.OperatorAccount is { } account && !grants.Accounts.Contains(account, StringComparer.Ordinal))
                errors.Add("operatorAccount", "is not a regulator account this client may name: an admin grants them (PUT /v1/clients/{id}/operators)");
        }
        if (errors.Any) return errors.ToProblem();

        var draft = NewDraft(input, patient!, requestedAt!.Value, caller, now);
        var hash = Idempotency.Hash(input, s.Json.Value.SerializerOptions);
        Idempotency.Outcome outcome;
        BookingDto? fresh = null;
        string timeZone;
        if (input.Overflow)
        {
            var gp = await s.Practitioners.GetAsync(input.PractitionerRpps!, ct);
            if (gp is null) return Problems.NotFound("practitioner_not_found", "No GP is registered with this RPPS.");
            var sectors = await s.Territory.GetSectorsAsync(gp.Sectors.ToList(), ct);
            var sector = sectors.FirstOrDefault(x => caller.CoversSector(x.Code, x.Department));
            if (sector is null) return Problems.Forbidden("None of this GP's sectors is in this regulator's scope.");
            timeZone = sector.TimeZone;
            var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, TimeZoneInfo.FindSystemTimeZoneById(sector.TimeZone)));
            draft = draft with { Rpps = gp.Row.Rpps, SectorCode = sector.Code, Overflow = 1, OverflowDay = localDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
            outcome = await s.Idempotency.RunAsync(caller.ClientId, idempotencyKey, hash, async (c, tx) =>
                Store(await s.Bookings.BookOverflowAsync(c, tx, draft, gp.Row.OverflowPerDay, caller, ct), timeZone, s, out fresh), ct);
        }
        else
        {
            var slot = await s.Slots.GetAsync(input.SlotId!.Value, ct);
            if (slot is null) return Problems.NotFound("slot_not_found", "No slot has this id.");
            var sector = await s.Territory.GetSectorAsync(slot.SectorCode, ct);
            if (sector is null || !caller.CoversSector(sector.Code, sector.Department)) return Problems.Forbidden("This slot's sector is outside this regulator's scope.");
            timeZone = sector.TimeZone;
            var window = s.Options.WindowFor((int)sector.BookingHorizonHours);
            await s.Race.AfterSlotReadAsync(slot.Id, ct);
            outcome = await s.Idempotency.RunAsync(caller.ClientId, idempotencyKey, hash, async (c, tx) =>
                Store(await s.Bookings.BookSlotAsync(c, tx, slot, window, input.HoldId, draft, caller, ct), timeZone, s, out fresh), ct);
        }

        if (outcome.Kind == Idempotency.Kind.Replay) s.Http.Response.Headers[ReplayedHeader] = "true";
        if (outcome.Kind == Idempotency.Kind.KeyReused)
            return Problems.Unprocessable("idempotency_key_reused", "This Idempotency-Key was used for another request; use a new key for a new booking.");
        if (outcome.Kind == Idempotency.Kind.Fresh && outcome.Answer.Status == 201)
        {
            s.Metrics.BookingCreated(input.Overflow);
            s.Dispatch.Now();
        }
        else if (outcome.Kind == Idempotency.Kind.Fresh) s.Metrics.BookingRefused(outcome.Answer.Body);
        // A fresh booking answers the DTO it stored; a replay reads it back from the stored answer, the patient's data
        // with it: a read of the booking, audited before it is answered.
        if (outcome.Kind == Idempotency.Kind.Fresh && fresh is not null && outcome.Answer.Status == 201)
            return TypedResults.Created($"/v1/bookings/{fresh.Id}", fresh);
        var answer = Answer(outcome.Answer, s);
        if (answer.Result is Created<BookingDto> { Value: { } replayed }) await s.Audit.WriteAsync(caller, "read", "booking", replayed.Id, ct);
        return answer;
    }

    private static BookingRow NewDraft(BookingInput input, ValidPatient p, DateTime requestedAt, Caller caller, DateTime now) => new(
        Guid.NewGuid().ToString(), null, "", "", null, null, null, 0, null, BookingStatus.Booked.ToText(), null,
        input.Origin!.Value.ToText(), input.RegularDoctor!.Value.ToText(), input.RegularDoctorContacted == true ? 1 : 0, requestedAt,
        p.LastName, p.FirstName, p.BirthDate, p.Phone, p.Commune, p.Ins, p.RegularDoctorRpps, input.Reason!.Trim(),
        caller.ClientId, now, null, null, null, null, 0, null, now, OperatorId: input.Operator, OperatorAccount: input.OperatorAccount);

    /// <summary>
    /// What the idempotency key keeps: the booking as answered, or only the refusal's code. Refusals are most of the
    /// keys under contention (every regulator who lost a race), and a code replays the same answer.
    /// </summary>
    private static StoredAnswer Store(BookingStore.BookResult result, string timeZone, Services s, out BookingDto? booking)
    {
        booking = null;
        if (result.Refusal is { } r) return new StoredAnswer(r.Status, r.Code);
        booking = ToDto(result.Booking!, timeZone, s.Geography);
        return new StoredAnswer(201, JsonSerializer.Serialize(booking, s.Json.Value.SerializerOptions));
    }

    private static Results<Created<BookingDto>, ProblemHttpResult> Answer(StoredAnswer answer, Services s)
    {
        if (answer.Status == 201)
        {
            var dto = JsonSerializer.Deserialize<BookingDto>(answer.Body, s.Json.Value.SerializerOptions)!;
            return TypedResults.Created($"/v1/bookings/{dto.Id}", dto);
        }
        return Problem(Refusal.Of(answer.Status, answer.Body));
    }

    public static async Task<Results<Ok<BookingDto>, ProblemHttpResult>> GetBooking(string id, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var booking = await s.Bookings.FindAsync(id, ct);
        if (booking is null) return Problems.NotFound("booking_not_found", "No booking has this id.");
        var sector = await s.Territory.GetSectorAsync(booking.SectorCode, ct);
        if (!CanSee(caller, booking, sector)) return Problems.Forbidden("This booking is outside this client's scope.");
        var row = await s.Bookings.ReadAsync(id, caller, ct);
        return TypedResults.Ok(ToDto(row!, sector?.TimeZone ?? "Europe/Paris", s.Geography));
    }

    public static async Task<Results<Ok<BookingDto>, ProblemHttpResult>> CancelBooking(
        string id, CancellationInput input, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var errors = new ValidationErrors();
        errors.Required(input.By, "by");
        errors.Text("reason", input.Reason, PatientValidation.MaxReasonLength);
        if (errors.Any) return errors.ToProblem();

        var booking = await s.Bookings.FindAsync(id, ct);
        if (booking is null) return Problems.NotFound("booking_not_found", "No booking has this id.");
        var sector = await s.Territory.GetSectorAsync(booking.SectorCode, ct);
        if (!CanSee(caller, booking, sector)) return Problems.Forbidden("This booking is outside this client's scope.");

        var now = s.Clock.GetUtcNow().UtcDateTime;
        var window = s.Options.WindowFor((int)(sector?.BookingHorizonHours ?? 24));
        var release = booking.StartUtc is { } start && window.IsBeforeCutOff(start, now);
        var result = await s.Bookings.CancelAsync(booking, input.By!.Value, input.Reason!.Trim(), release, caller, ct);
        if (result.Refusal is null) s.Dispatch.Now();
        return result.Refusal is { } r ? Problem(r) : TypedResults.Ok(ToDto(result.Booking!, sector?.TimeZone ?? "Europe/Paris", s.Geography));
    }

    public static async Task<Results<Ok<BookingDto>, ProblemHttpResult>> RecordOutcome(
        string id, OutcomeInput input, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (input.Outcome is not { } outcome) return Problems.Field("outcome", "is required");
        var booking = await s.Bookings.FindAsync(id, ct);
        if (booking is null) return Problems.NotFound("booking_not_found", "No booking has this id.");
        // Only the GP (through its practice software) says whether the patient came; not even an admin.
        if (caller.Role != Roles.Practitioner || !caller.CoversPractitioner(booking.Rpps))
            return Problems.Forbidden("Only the GP's practitioner client records the outcome.");
        // Read before the change: once it has committed, nothing may fail the answer.
        var sector = await s.Territory.GetSectorAsync(booking.SectorCode, ct);
        var result = await s.Bookings.RecordOutcomeAsync(booking, outcome, caller, ct);
        if (result.Refusal is null) s.Dispatch.Now();
        return result.Refusal is { } r ? Problem(r) : TypedResults.Ok(ToDto(result.Booking!, sector?.TimeZone ?? "Europe/Paris", s.Geography));
    }

    public static async Task<Results<Ok<Page<BookingDto>>, ProblemHttpResult>> ListPractitionerBookings(
        string rpps, string? from, string? to, int? limit, string? after, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (!caller.CoversPractitioner(rpps)) return Problems.Forbidden("This client does not act for this RPPS.");
        var errors = new ValidationErrors();
        var fromUtc = errors.Instant("from", from);
        var toUtc = errors.Instant("to", to);
        if (fromUtc is not null && toUtc is not null && (toUtc <= fromUtc || toUtc - fromUtc > TimeSpan.FromDays(62)))
            errors.Add("to", "must be after from, at most 62 days later");
        if (!Paging.IsValidLimit(limit)) errors.Add("limit", $"must be between 1 and {Paging.MaxLimit}");
        (DateTime, string)? cursor = null;
        if (after is not null)
        {
            if (Paging.TryDecode(after, out var key) && key.Split('|') is [var ticks, var lastId]
                && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t >= Instants.Earliest.Ticks && t < Instants.Latest.Ticks)
                cursor = (new DateTime(t, DateTimeKind.Utc), lastId);
            else errors.Add("after", "is not a cursor this API gave");
        }
        if (errors.Any) return errors.ToProblem();

        var take = Paging.Limit(limit);
        var rows = await s.Bookings.ListForPractitionerAsync(rpps, fromUtc!.Value, toUtc!.Value, cursor, take, caller, ct);
        var page = rows.Take(take).ToList();
        var zones = (await s.Territory.GetSectorsAsync(page.Select(r => r.SectorCode).Distinct().ToList(), ct)).ToDictionary(x => x.Code, x => x.TimeZone);
        var next = rows.Count > take ? Paging.Encode($"{(page[^1].StartUtc ?? page[^1].CreatedAt).Ticks}|{page[^1].Id}") : null;
        return TypedResults.Ok(new Page<BookingDto>(page.Select(r => ToDto(r, zones.GetValueOrDefault(r.SectorCode, "Europe/Paris"), s.Geography)).ToList(), next));
    }

    /// <summary>Who may see or act on a booking: admin, the GP's client, the regulator that booked it or one covering its sector.</summary>
    private static bool CanSee(Caller caller, BookingRow b, SectorRow? sector) =>
        caller.IsAdmin
        || caller.CoversPractitioner(b.Rpps)
        || (caller.Role == Roles.Regulator && (b.BookedByClient == caller.ClientId || (sector is not null && caller.CoversSector(sector.Code, sector.Department))));

    public static ProblemHttpResult Problem(Refusal r) => r.Status switch
    {
        404 => Problems.NotFound(r.Code, r.Detail),
        409 => Problems.Conflict(r.Code, r.Detail),
        410 => Problems.Gone(r.Code, r.Detail),
        _ => Problems.Unprocessable(r.Code, r.Detail),
    };

    public static BookingDto ToDto(BookingRow b, string timeZone, Geography geography) => new(
        b.Id, b.SlotId, b.Rpps, b.SectorCode, b.SiteId,
        b.StartUtc is { } start ? Instants.Format(start) : null, b.EndUtc is { } end ? Instants.Format(end) : null,
        timeZone, b.Overflow == 1, b.OverflowDay,
        EnumText.Parse<BookingStatus>(b.Status), EnumText.ParseOrNull<Outcome>(b.Outcome), EnumText.Parse<Origin>(b.Origin),
        EnumText.Parse<RegularDoctor>(b.RegularDoctor), b.RegularDoctorContacted == 1, Instants.Format(b.RequestedAt), b.Reason,
        new PatientDto(b.PatientLastName, b.PatientFirstName, b.PatientBirthDate, b.PatientPhone, CommuneRefDto.Of(geography, b.PatientCommune), b.PatientIns, b.PatientRegularDoctorRpps),
        Instants.Format(b.CreatedAt),
        b.CancelledAt is { } at ? new CancellationDto(EnumText.Parse<CancelledBy>(b.CancelledBy!), b.CancelReason, Instants.Format(at), b.SlotReleased == 1) : null,
        b.OperatorId, b.OperatorAccount);

    /// <summary>A regulator's national identifier as the booking may name it.</summary>
    public const string OperatorPattern = @"^[0-9A-Za-z/.\-]{1,64}$";

    [System.Text.RegularExpressions.GeneratedRegex(OperatorPattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex OperatorId();

    public static bool IsOperatorId(string value) => OperatorId().IsMatch(value);
}
