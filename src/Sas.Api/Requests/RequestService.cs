using System.Text.Json;
using Microsoft.Extensions.Options;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Sas.Api.Search;
using Sas.Api.Territory;
using Sas.Domain.Identifiers;
using Sas.Domain.Professions;
using Sas.Domain.Requests;
using Sas.Domain.Slots;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Requests;

/// <summary>
/// Requests a pool can accept ("place de marché"): when no slot fits, the regulator posts the need once; the
/// professionals of the territory who take pooled requests at that hour are offered it; the first to accept gets it
/// as an overflow booking at the time they give, and the regulator's software is told. Nobody accepts: it expires at
/// the end of its window (<see cref="RequestExpiryJob"/>).
/// </summary>
public sealed class RequestService(
    RequestStore store, BookingStore bookings, BookingService bookingService, Idempotency idempotency, PractitionerStore practitioners,
    SearchService search, TerritoryStore territory, Reference.Geography geography, TimeProvider clock,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, Jobs.DispatchTrigger dispatch)
{
    private JsonSerializerOptions Json => json.Value.SerializerOptions;
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Result<PoolDto>> JoinPoolAsync(string rpps, PoolInput input, Caller caller, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (errors.Required(input.Weekdays, "weekdays") && (input.Weekdays.Length is 0 or > 7 || input.Weekdays.Any(d => d is < 1 or > 7) || input.Weekdays.Distinct().Count() != input.Weekdays.Length))
            errors.Add("weekdays", "must list 1 to 7 distinct ISO weekdays (1 Monday … 7 Sunday)");
        var from = PoolHours.ParseTime(input.From);
        var until = PoolHours.ParseTime(input.Until);
        if (errors.Required(input.From, "from") && from is null) errors.Add("from", "must be a local time HH:mm");
        if (errors.Required(input.Until, "until") && until is null) errors.Add("until", "must be a local time HH:mm");
        else if (from is not null && until <= from) errors.Add("until", "must be after from (hours within one day)");
        if (errors.Any) return Result<PoolDto>.Rejected(errors);

        var professional = await practitioners.GetAsync(rpps, ct);
        if (professional is null) return Result<PoolDto>.Refused(E.PractitionerNotFound);
        if (professional.Row.OverflowPerDay == 0) return Result<PoolDto>.Refused(E.PoolNeedsOverflow);
        var hours = new PoolHours([.. input.Weekdays!.Order()], from!.Value, until!.Value);
        await store.JoinPoolAsync(rpps, hours, caller, ct);
        return ToDto(rpps, hours);
    }

    public async Task<Result<PoolDto>> PoolAsync(string rpps, CancellationToken ct) =>
        await store.MemberAsync(rpps, ct) is { } member ? ToDto(rpps, member.Hours) : Result<PoolDto>.Refused(E.NotFound, "This professional takes no pooled requests.");

    public Task<bool> LeavePoolAsync(string rpps, Caller caller, CancellationToken ct) => store.LeavePoolAsync(rpps, caller, ct);

    private static PoolDto ToDto(string rpps, PoolHours h) => new(rpps, [.. h.Weekdays], PoolHours.Text(h.From), PoolHours.Text(h.Until));

    /// <summary>
    /// Posts a request: the booking it becomes checked as a booking is, the need and its window, the territory in the
    /// regulator's scope; offered at once to every professional of the pool it concerns, or refused when there is none
    /// (nothing is stored). Idempotent by its key, as bookings are.
    /// </summary>
    public async Task<Result<RequestDto>> PostAsync(RequestInput input, string? idempotencyKey, Caller caller, CancellationToken ct)
    {
        if (BookingService.KeyMissing(idempotencyKey) is { } missing) return Result<RequestDto>.Rejected(missing, E.IdempotencyKeyRequired);
        var now = Now;
        var errors = new ValidationErrors();
        var draft = await bookingService.DraftAsync(input.AsBooking(), caller, now, errors, ct);
        var profession = errors.Profession(input.Profession, input.Specialty);
        var notBefore = input.NotBefore is null ? now : errors.Instant("notBefore", input.NotBefore);
        var notAfter = errors.Instant("notAfter", input.NotAfter);
        if (notBefore < now.AddMinutes(-5)) errors.Add("notBefore", "is in the past");
        if (notBefore is { } nb && notAfter is { } na)
        {
            if (na < (nb > now ? nb : now) + PooledRequestRules.MinWindow) errors.Add("notAfter", $"leaves less than {PooledRequestRules.MinWindow.TotalMinutes:0} minutes to accept the request");
            else if (na > now + PooledRequestRules.MaxWindow) errors.Add("notAfter", $"is more than {PooledRequestRules.MaxWindow.TotalHours:0} hours ahead: a pooled request is for today's unscheduled care");
        }
        search.CheckPlace(input.Sector, input.Commune, input.PostalCode, errors);
        if (errors.Any || draft is null || profession is null) return Result<RequestDto>.Rejected(errors);
        if (!caller.CoversProfession(profession.Name)) return Result<RequestDto>.Refused(E.ForbiddenScope, Caller.ProfessionRefusal(profession.Name));

        var scoped = await search.SectorsInScopeAsync(input.Sector, input.Commune, input.PostalCode, caller, ct);
        if (!scoped.Succeeded) return scoped.As<RequestDto>();
        var sectors = scoped.Value;
        if (sectors.Count == 0) return Result<RequestDto>.Refused(E.SectorNotFound, "No sector covers this place.");
        var zone = Zones.Find(sectors[0].TimeZone);
        var offered = (await store.CandidatesAsync(profession.Name, input.Specialty, [.. sectors.Select(s => s.Code)], ct))
            .Where(m => m.Hours.Covers(now, zone)).ToList();
        if (offered.Count == 0) return Result<RequestDto>.Refused(E.NobodyInPool);

        var row = new RequestRow(Guid.NewGuid().ToString(), caller.ClientId, sectors[0].Code, profession.Name, input.Specialty,
            (input.Modality ?? Modality.InPerson).ToText(), draft.Reason, notBefore!.Value, notAfter!.Value, RequestStatus.Open,
            RequestStore.DraftJson(draft), null, null, offered.Count, now, null);
        var dto = ToDto(row);
        var outcome = await idempotency.RunAsync(caller.ClientId, idempotencyKey!, Idempotency.Hash(new { request = input }, Json), async (c, tx) =>
        {
            await store.PostAsync(c, tx, row, offered, caller, ct);
            return new StoredAnswer(201, JsonSerializer.Serialize(dto, Json));
        }, ct);
        if (outcome.Kind == Idempotency.Kind.KeyReused) return Result<RequestDto>.Refused(E.IdempotencyKeyReused);
        if (outcome.Kind == Idempotency.Kind.Fresh) dispatch.Now();
        return JsonSerializer.Deserialize<RequestDto>(outcome.Answer.Body, Json)!;
    }

    /// <summary>
    /// A professional takes the request: in one transaction the request is claimed (still open, in its window, offered to
    /// them: the first to commit wins on every engine, across nodes), and booked as an overflow booking at the time they
    /// give, counted against their day's overflow places; none left, the claim is undone. The regulator's software hears
    /// <c>request.accepted</c> and <c>booking.created</c>. Idempotent by its key.
    /// </summary>
    public async Task<Result<Booked>> AcceptAsync(string id, AcceptInput input, string? idempotencyKey, Caller caller, CancellationToken ct)
    {
        if (BookingService.KeyMissing(idempotencyKey) is { } missing) return Result<Booked>.Rejected(missing, E.IdempotencyKeyRequired);
        var now = Now;
        var errors = new ValidationErrors();
        if (errors.Required(input.Rpps, "rpps") && !ProfessionalId.IsValid(input.Rpps)) errors.Add("rpps", "is not a valid RPPS or ADELI number");
        var start = errors.Instant("start", input.Start);
        if (errors.Any) return Result<Booked>.Rejected(errors);
        if (!caller.CoversPractitioner(input.Rpps!)) return Result<Booked>.Refused(E.ForbiddenScope, "This client does not act for this professional.");

        var request = id.Length > 36 ? null : await store.GetAsync(id, ct);
        if (request is null) return Result<Booked>.Refused(E.RequestNotFound);
        if (start < now.AddMinutes(-5) || start < request.NotBefore || start > request.NotAfter)
            return Result<Booked>.Rejected(errors.Add("start", $"must be within the request's window, {Instants.Format(request.NotBefore)} to {Instants.Format(request.NotAfter)}, and not past"));
        var professional = await practitioners.GetAsync(input.Rpps!, ct);
        if (professional is null) return Result<Booked>.Refused(E.PractitionerNotFound);
        // The booking counts in the sector through which this professional was offered the request.
        var sector = await territory.GetSectorAsync(await store.OfferSectorAsync(id, professional.Row.Rpps, ct) ?? request.SectorCode, ct);
        if (sector is null) return Result<Booked>.Refused(E.SectorNotFound);

        var outcome = await idempotency.RunAsync(caller.ClientId, idempotencyKey!, Idempotency.Hash(new { accept = id, input }, Json), async (c, tx) =>
        {
            if (request.Draft is null) return Refusal(E.RequestClosed);
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(start!.Value, Zones.Find(sector.TimeZone)));
            var draft = RequestStore.ReadDraft(request.Draft) with
            {
                Rpps = professional.Row.Rpps, SectorCode = sector.Code, StartUtc = start, Overflow = 1,
                OverflowDay = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), CreatedAt = now, UpdatedAt = now,
            };
            if (!await store.ClaimAsync(c, tx, id, draft.Rpps, draft.Id, ct))
                return Refusal(await store.GetAsync(c, tx, id, ct) is { Status: RequestStatus.Open } ? E.ForbiddenScope : E.RequestClosed);
            var booked = await bookings.BookOverflowAsync(c, tx, draft, professional.Row.OverflowPerDay, caller, ct);
            if (booked.Refusal is { } refusal)
            {
                await store.UnclaimAsync(c, tx, request, draft.Id, ct);
                return Refusal(E.Of(refusal));
            }
            await store.AcceptedAsync(c, tx, request, draft, ct);
            return new StoredAnswer(201, JsonSerializer.Serialize(BookingDto.Of(draft, sector.TimeZone, geography), Json));
        }, ct);
        if (outcome.Kind == Idempotency.Kind.KeyReused) return Result<Booked>.Refused(E.IdempotencyKeyReused);
        if (outcome.Answer.Status != 201) return Result<Booked>.Refused(E.Find(outcome.Answer.Body) ?? E.RequestClosed);
        if (outcome.Kind == Idempotency.Kind.Fresh) dispatch.Now();
        return new Booked(JsonSerializer.Deserialize<BookingDto>(outcome.Answer.Body, Json)!, Replayed: outcome.Kind == Idempotency.Kind.Replay);
    }

    /// <summary>A refusal as the idempotency key keeps it: its code (a replay answers the same).</summary>
    private static StoredAnswer Refusal(ErrorCode code) => new(code.Status, code.Code);

    /// <summary>The request for its regulator's client, an admin, or the practice of a professional it was offered to; the read is audited.</summary>
    public async Task<Result<RequestDto>> GetAsync(string id, Caller caller, CancellationToken ct)
    {
        if (!await MaySeeAsync(id, caller, ct)) return Result<RequestDto>.Refused(E.RequestNotFound);
        return await store.ReadAsync(id, caller, ct) is { } row ? ToDto(row) : Result<RequestDto>.Refused(E.RequestNotFound);
    }

    private async Task<bool> MaySeeAsync(string id, Caller caller, CancellationToken ct)
    {
        if (id.Length > 36 || await store.GetAsync(id, ct) is not { } row) return false;
        if (caller.IsAdmin || row.ClientId == caller.ClientId) return true;
        return caller.Role == Roles.Practitioner && (await store.OfferedToAsync(id, ct)).Any(caller.CoversPractitioner);
    }

    /// <summary>The open requests offered to a professional, for their practice software and the console.</summary>
    public async Task<IReadOnlyList<RequestDto>> OpenForAsync(string rpps, Caller caller, CancellationToken ct) =>
        [.. (await store.OpenForAsync(rpps, caller, ct)).Select(ToDto)];

    /// <summary>
    /// What the caller's client posted in the last <see cref="PooledRequestRules.MaxWindow"/> (a request lives a day at
    /// most), newest first: the open ones and how the others ended. Each read is audited.
    /// </summary>
    public async Task<IReadOnlyList<RequestDto>> PostedAsync(Caller caller, CancellationToken ct) =>
        [.. (await store.PostedByAsync(Now - PooledRequestRules.MaxWindow, caller, ct)).Select(ToDto)];

    /// <summary>The regulator takes back an open request (the patient found care elsewhere): it is closed, the patient's data cleared.</summary>
    public async Task<Result<RequestDto>> WithdrawAsync(string id, Caller caller, CancellationToken ct)
    {
        var row = id.Length > 36 ? null : await store.GetAsync(id, ct);
        if (row is null || !(caller.IsAdmin || row.ClientId == caller.ClientId)) return Result<RequestDto>.Refused(E.RequestNotFound);
        return await store.WithdrawAsync(id, caller, ct) is { } withdrawn ? ToDto(withdrawn) : Result<RequestDto>.Refused(E.RequestClosed);
    }

    private static RequestDto ToDto(RequestRow r) => new(
        r.Id, r.Status, r.SectorCode, r.Profession, r.Specialty, SlotText.ParseModality(r.Modality), r.Reason,
        Instants.Format(r.NotBefore), Instants.Format(r.NotAfter), (int)r.Offered, r.AcceptedBy, r.BookingId,
        Instants.Format(r.CreatedAt), r.ClosedAt is { } closed ? Instants.Format(closed) : null);
}
