using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Sas.Api.Reference;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Bookings;
using Sas.Domain.Slots;
using Sas.Domain.Time;
using Sas.Domain.Validation;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Bookings;

/// <summary>A booking made, or the first answer of its idempotency key given again.</summary>
public sealed record Booked(BookingDto Booking, bool Replayed);

/// <summary>
/// The booking use cases — book (a slot or an overflow place), read, cancel, record the outcome, list a GP's — for the
/// API's endpoints and the console's pages alike: validation, scope, the store's transaction, the notifications and the
/// metrics, answered as a <see cref="Result{T}"/>. The endpoints only translate it to HTTP.
/// </summary>
public sealed class BookingService(
    BookingStore bookings, Idempotency idempotency, SlotStore slots, PractitionerStore practitioners, TerritoryStore territory,
    Geography geography, BookingOptions options, TimeProvider clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    Jobs.DispatchTrigger dispatch, Infrastructure.Telemetry.SasMetrics metrics, BookingRaceHook race, Regulators.RegulatorStore regulators,
    Infrastructure.Audit.Audit audit, Clients.ClientStore clients)
{
    private JsonSerializerOptions Json => json.Value.SerializerOptions;

    public async Task<Result<Booked>> BookAsync(BookingInput input, string? idempotencyKey, Caller caller, CancellationToken ct)
    {
        if (KeyMissing(idempotencyKey) is { } missing) return Result<Booked>.Rejected(missing, E.IdempotencyKeyRequired);

        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new ValidationErrors();
        var draft = await DraftAsync(input, caller, now, errors, ct);
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
        if (errors.Any || draft is null) return Result<Booked>.Rejected(errors);

        var hash = Idempotency.Hash(input, Json);
        Idempotency.Outcome outcome;
        BookingDto? fresh = null;
        if (input.Overflow)
        {
            var gp = await practitioners.GetAsync(input.PractitionerRpps!, ct);
            if (gp is null) return Result<Booked>.Refused(E.PractitionerNotFound);
            var sectors = await territory.GetSectorsAsync(gp.Sectors.ToList(), ct);
            var sector = sectors.FirstOrDefault(x => caller.CoversSector(x.Code, x.Department));
            if (sector is null) return Result<Booked>.Refused(E.ForbiddenScope, "None of this GP's sectors is in this regulator's scope.");
            if (!caller.CoversProfession(gp.Row.Profession)) return Result<Booked>.Refused(E.ForbiddenScope, HoldService.OutsideProfessions);
            var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, Sas.Domain.Time.Zones.Find(sector.TimeZone)));
            draft = draft with { Rpps = gp.Row.Rpps, SectorCode = sector.Code, Overflow = 1, OverflowDay = localDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
            outcome = await idempotency.RunAsync(caller.ClientId, idempotencyKey!, hash, async (c, tx) =>
                Store(await bookings.BookOverflowAsync(c, tx, draft, gp.Row.OverflowPerDay, caller, ct), sector.TimeZone, out fresh), ct);
        }
        else
        {
            var slot = await slots.GetAsync(input.SlotId!.Value, ct);
            if (slot is null) return Result<Booked>.Refused(E.SlotNotFound);
            var sector = await territory.GetSectorAsync(slot.SectorCode, ct);
            if (await HoldService.TakingRefusalAsync(practitioners, caller, slot, sector, ct) is { } refusal) return Result<Booked>.Refused(E.ForbiddenScope, refusal);
            var window = options.WindowFor((int)sector!.BookingHorizonHours);
            await race.AfterSlotReadAsync(slot.Id, ct);
            outcome = await idempotency.RunAsync(caller.ClientId, idempotencyKey!, hash, async (c, tx) =>
                Store(await bookings.BookSlotAsync(c, tx, slot, window, input.HoldId, draft, caller, ct), sector.TimeZone, out fresh), ct);
        }

        if (outcome.Kind == Idempotency.Kind.KeyReused) return Result<Booked>.Refused(E.IdempotencyKeyReused);
        if (outcome.Kind == Idempotency.Kind.Fresh)
        {
            if (fresh is not null)
            {
                metrics.BookingCreated(input.Overflow);
                dispatch.Now();
                return new Booked(fresh, Replayed: false);
            }
            metrics.BookingRefused(outcome.Answer.Body);
        }
        if (outcome.Answer.Status != 201) return Result<Booked>.Refused(E.Find(outcome.Answer.Body) ?? E.SlotBooked);
        // A replay reads the booking back from the stored answer, the patient's data with it: a read, audited first.
        var replayed = JsonSerializer.Deserialize<BookingDto>(outcome.Answer.Body, Json)!;
        await audit.WriteAsync(caller, "read", "booking", replayed.Id, ct);
        return new Booked(replayed, Replayed: true);
    }

    /// <summary>
    /// The booking a request describes, whatever it is booked on: the patient, the call and its origin, the operator it
    /// names, each checked (every fault added to <paramref name="errors"/>); null when one is wrong. A pooled request
    /// keeps this draft until a professional accepts it.
    /// </summary>
    public async Task<BookingRow?> DraftAsync(BookingInput input, Caller caller, DateTime now, ValidationErrors errors, CancellationToken ct)
    {
        var patient = PatientValidation.Validate(input.Patient, input.Reason, geography, DateOnly.FromDateTime(now), errors);
        errors.Required(input.RegularDoctor, "regularDoctor");
        errors.Required(input.RegularDoctorContacted, "regularDoctorContacted");
        errors.Required(input.Origin, "origin");
        var requestedAt = errors.Instant("requestedAt", input.RequestedAt);
        if (requestedAt > now.AddMinutes(5)) errors.Add("requestedAt", FieldRules.InFuture);
        // The delay indicators measure from the call: a call weeks old is a mistake, not a delay.
        else if (requestedAt < now - BookingRules.MaxCallAge) errors.Add("requestedAt", $"is more than {BookingRules.MaxCallAge.TotalDays} days before now: it is when the patient's call began");
        await CheckOperatorsAsync(input, caller, errors, ct);
        return errors.Any ? null : BookingRow.Draft(input, patient!, requestedAt!.Value, caller, now);
    }

    /// <summary>
    /// The regulator named must exist as an account (flow INT_R02), and this client must be allowed to name it: the
    /// platform is told who booked. An admin names anyone.
    /// </summary>
    private async Task CheckOperatorsAsync(BookingInput input, Caller caller, ValidationErrors errors, CancellationToken ct)
    {
        // A regulator sent by the SAS platform books as their own account, and as no one else.
        if (caller.OwnOperator is (not null, _) or (_, not null))
        {
            if (input.Operator != caller.OwnOperator.Id) errors.Add("operator", "must be the signed-in regulator's own national identifier");
            if (input.OperatorAccount != caller.OwnOperator.Account) errors.Add("operatorAccount", "must be the signed-in regulator's own SAS account");
            return;
        }
        if (input.Operator is not null && !BookingRules.IsOperatorId(input.Operator))
            errors.Add("operator", "must be the regulator's national identifier (IDNPS): 1 to 64 letters, digits, '/', '-' or '.'");
        if (input.OperatorAccount is not null && (!BookingRules.IsOperatorId(input.OperatorAccount) || !await regulators.IsActiveAsync(input.OperatorAccount, ct)))
            errors.Add("operatorAccount", "is not the SAS id of an active regulator account (the SAS platform creates them, flow INT_R02)");
        if (caller.IsAdmin || (input.Operator is null && input.OperatorAccount is null) || errors.Any) return;
        var grants = await clients.GetOperatorsAsync(caller.ClientId, ct);
        if (input.Operator is { } op && !grants.NationalIds.Contains(op, StringComparer.Ordinal))
            errors.Add("operator", "is not a regulator this client may name: an admin grants them (PUT /v1/clients/{id}/operators)");
        if (input.OperatorAccount is { } account && !grants.Accounts.Contains(account, StringComparer.Ordinal))
            errors.Add("operatorAccount", "is not a regulator account this client may name: an admin grants them (PUT /v1/clients/{id}/operators)");
    }

    /// <summary>
    /// What the idempotency key keeps: the booking as answered, or only the refusal's code. Refusals are most of the
    /// keys under contention (every regulator who lost a race), and a code replays the same answer.
    /// </summary>
    private StoredAnswer Store(BookingStore.BookResult result, string timeZone, out BookingDto? booking, int status = 201)
    {
        booking = null;
        if (result.Refusal is { } r) return new StoredAnswer(E.Of(r).Status, E.Of(r).Code);
        booking = BookingDto.Of(result.Booking!, timeZone, geography);
        return new StoredAnswer(status, JsonSerializer.Serialize(booking, Json));
    }

    internal static ValidationErrors? KeyMissing(string? idempotencyKey) =>
        string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > Idempotency.MaxKeyLength
            ? new ValidationErrors().Add(BookingEndpoints.IdempotencyHeader, $"is required: 1 to {Idempotency.MaxKeyLength} characters, one per attempt")
            : null;

    /// <summary>
    /// Moves a booking to another slot in one step: the same booking (id, patient, history), on the new slot (free, or
    /// under this caller's hold), the old slot freed as a cancellation frees it. A regulator moves within its scope, a
    /// practice between its own GPs' slots, an admin anywhere. Idempotent by its key, as bookings are; the GPs' software,
    /// the regulator's and the SAS platform (an appointment update) hear of it.
    /// </summary>
    public async Task<Result<Booked>> MoveAsync(string id, MoveInput input, string? idempotencyKey, Caller caller, CancellationToken ct)
    {
        if (KeyMissing(idempotencyKey) is { } missing) return Result<Booked>.Rejected(missing, E.IdempotencyKeyRequired);
        var errors = new ValidationErrors();
        errors.Required(input.SlotId, "slotId");
        if (input.HoldId is { Length: > 64 }) errors.Add("holdId", "is not a hold id this API gave");
        if (errors.Any) return Result<Booked>.Rejected(errors);
        var (booking, _, refused) = await VisibleAsync(id, caller, ct);
        if (refused is not null) return refused.As<Booked>();
        if (booking!.Overflow == 1) return Result<Booked>.Refused(E.OverflowNotMovable);

        var slot = await slots.GetAsync(input.SlotId!.Value, ct);
        if (slot is null) return Result<Booked>.Refused(E.SlotNotFound);
        var sector = await territory.GetSectorAsync(slot.SectorCode, ct);
        var mayTake = sector is not null && (caller.IsAdmin
            || (caller.Role == Roles.Regulator && caller.CoversSector(sector.Code, sector.Department))
            || (caller.Role == Roles.Practitioner && caller.CoversPractitioner(slot.Rpps)));
        if (!mayTake) return Result<Booked>.Refused(E.ForbiddenScope, "The new slot is outside this client's scope.");
        if (!await practitioners.CoversProfessionAsync(caller, slot.Rpps, ct)) return Result<Booked>.Refused(E.ForbiddenScope, HoldService.OutsideProfessions);

        var window = options.WindowFor((int)sector!.BookingHorizonHours);
        var hash = Idempotency.Hash(new { move = id, input }, Json);
        BookingDto? fresh = null;
        var outcome = await idempotency.RunAsync(caller.ClientId, idempotencyKey!, hash, async (c, tx) =>
            Store(await bookings.MoveAsync(c, tx, booking, slot, window, input.HoldId, caller, ct), sector.TimeZone, out fresh, status: 200), ct);

        if (outcome.Kind == Idempotency.Kind.KeyReused) return Result<Booked>.Refused(E.IdempotencyKeyReused);
        if (outcome.Kind == Idempotency.Kind.Fresh && fresh is not null)
        {
            dispatch.Now();
            return new Booked(fresh, Replayed: false);
        }
        if (outcome.Answer.Status != 200) return Result<Booked>.Refused(E.Find(outcome.Answer.Body) ?? E.SlotBooked);
        var replayed = JsonSerializer.Deserialize<BookingDto>(outcome.Answer.Body, Json)!;
        await audit.WriteAsync(caller, "read", "booking", replayed.Id, ct);
        return new Booked(replayed, Replayed: true);
    }

    public async Task<Result<BookingDto>> GetAsync(string id, Caller caller, CancellationToken ct)
    {
        var (booking, sector, refused) = await VisibleAsync(id, caller, ct);
        if (refused is not null) return refused.As<BookingDto>();
        var row = await bookings.ReadAsync(id, caller, ct);
        return BookingDto.Of(row!, territory.TimeZoneOf(sector), geography);
    }

    public async Task<Result<BookingDto>> CancelAsync(string id, CancellationInput input, Caller caller, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Required(input.By, "by");
        errors.Text("reason", input.Reason, PatientValidation.MaxReasonLength);
        if (errors.Any) return Result<BookingDto>.Rejected(errors);
        var (booking, sector, refused) = await VisibleAsync(id, caller, ct);
        if (refused is not null) return refused.As<BookingDto>();

        var now = clock.GetUtcNow().UtcDateTime;
        var window = options.WindowFor((int)(sector?.BookingHorizonHours ?? (long)BookingWindow.DefaultHorizon.TotalHours));
        var release = booking!.StartUtc is { } start && window.IsBeforeCutOff(start, now);
        var result = await bookings.CancelAsync(booking, input.By!.Value, input.Reason!.Trim(), release, caller, ct);
        if (result.Refusal is { } r) return Result<BookingDto>.Refused(E.Of(r));
        dispatch.Now();
        return BookingDto.Of(result.Booking!, territory.TimeZoneOf(sector), geography);
    }

    public async Task<Result<BookingDto>> RecordOutcomeAsync(string id, OutcomeInput input, Caller caller, CancellationToken ct)
    {
        if (input.Outcome is not { } outcome) return Result<BookingDto>.Rejected(new ValidationErrors().Add("outcome", FieldRules.Required));
        var booking = await bookings.FindAsync(id, ct);
        if (booking is null) return Result<BookingDto>.Refused(E.BookingNotFound);
        // Only the GP (through its practice software) says whether the patient came; not even an admin.
        if (caller.Role != Roles.Practitioner || !caller.CoversPractitioner(booking.Rpps))
            return Result<BookingDto>.Refused(E.ForbiddenScope, "Only the GP's practitioner client records the outcome.");
        // Read before the change: once it has committed, nothing may fail the answer.
        var sector = await territory.GetSectorAsync(booking.SectorCode, ct);
        var result = await bookings.RecordOutcomeAsync(booking, outcome, caller, ct);
        if (result.Refusal is { } r) return Result<BookingDto>.Refused(E.Of(r));
        dispatch.Now();
        return BookingDto.Of(result.Booking!, territory.TimeZoneOf(sector), geography);
    }

    /// <summary>The GP's bookings in [from, to), a page at a time (the route's scope says the caller acts for the GP).</summary>
    public async Task<Result<Page<BookingDto>>> ListForPractitionerAsync(string rpps, string? from, string? to, int? limit, string? after, Caller caller, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var fromUtc = errors.Instant("from", from);
        var toUtc = errors.Instant("to", to);
        if (fromUtc is not null && toUtc is not null && (toUtc <= fromUtc || toUtc - fromUtc > TimeSpan.FromDays(62)))
            errors.Add("to", "must be after from, at most 62 days later");
        if (!Paging.IsValidLimit(limit)) errors.Add("limit", FieldRules.LimitBetween(1, Paging.MaxLimit));
        var cursor = Paging.ReadTimeCursor(after, errors);
        if (errors.Any) return Result<Page<BookingDto>>.Rejected(errors);

        var take = Paging.Limit(limit);
        var rows = await bookings.ListForPractitionerAsync(rpps, fromUtc!.Value, toUtc!.Value, cursor is { } c ? (c.At, c.Id) : null, take, caller, ct);
        var page = rows.Take(take).ToList();
        var zones = await territory.TimeZonesAsync(page.Select(r => r.SectorCode), ct);
        var next = rows.Count > take ? Paging.Encode(new TimeCursor(page[^1].StartUtc ?? page[^1].CreatedAt, page[^1].Id)) : null;
        return new Page<BookingDto>(page.Select(r => BookingDto.Of(r, zones(r.SectorCode), geography)).ToList(), next);
    }

    /// <summary>The booking and its sector, when it exists and the caller may see it; else the refusal.</summary>
    private async Task<(BookingRow? Booking, SectorRow? Sector, Result<BookingRow>? Refused)> VisibleAsync(string id, Caller caller, CancellationToken ct)
    {
        var booking = await bookings.FindAsync(id, ct);
        if (booking is null) return (null, null, Result<BookingRow>.Refused(E.BookingNotFound));
        var sector = await territory.GetSectorAsync(booking.SectorCode, ct);
        // The sector's bookings within the professions the regulator's scope names, as its search and its slots.
        var coversItsSector = sector is not null && caller.CoversSector(sector.Code, sector.Department)
            && await practitioners.CoversProfessionAsync(caller, booking.Rpps, ct);
        return BookingRules.MaySee(caller.IsAdmin, caller.CoversPractitioner(booking.Rpps), caller.Role == Roles.Regulator,
                booking.BookedByClient == caller.ClientId, coversItsSector)
            ? (booking, sector, null)
            : (null, null, Result<BookingRow>.Refused(E.ForbiddenScope, "This booking is outside this client's scope."));
    }
}
