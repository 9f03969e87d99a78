using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Sas.Api.Territory;
using Sas.Domain.Slots;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Slots;

public static class SlotEndpoints
{
    public const int MaxSlotsPerSync = 2000;
    public static readonly TimeSpan MaxSyncWindow = TimeSpan.FromDays(62);

    public static RouteGroupBuilder MapSlots(this RouteGroupBuilder v1)
    {
        var publishing = v1.MapGroup("/practitioners/{rpps}/slots").WithTags("Slots").RequireAuthorization(Policies.Practitioner, ActsForRouteGp.Policy);
        publishing.MapPost("/", PublishSlot).WithName(nameof(PublishSlot)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Publish one slot (the GP's practitioner client, admin)").ProducesErrors(E.ValidationFailed, E.PractitionerNotFound, E.SlotOverlap, E.ExternalIdExists);
        publishing.MapPut("/", SyncSlots).WithName(nameof(SyncSlots)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Sync the GP's slots in [from, to): create, update, withdraw; booked slots come back as conflicts").WithMetadata(new Infrastructure.OpenApi.RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed, E.PractitionerNotFound, E.SlotOverlap, E.TooManySlots);

        var slots = v1.MapGroup("/slots").WithTags("Slots");
        slots.MapDelete("/{id:long}", WithdrawSlot).WithName(nameof(WithdrawSlot)).WithMetadata(new AuditedInTransaction())
            .WithSummary("Withdraw an unbooked slot (the GP's practitioner client, admin)").RequireAuthorization(Policies.Practitioner).ProducesErrors(E.SlotNotFound, E.SlotBooked, E.SlotHeld, E.SlotExpired);
        slots.MapGet("/{id:long}", GetSlot).WithName(nameof(GetSlot))
            .WithSummary("Read one slot with its status (its GP's client, a regulator or CPTS of its sector within its professions, admin)").ProducesErrors(E.SlotNotFound);

        return v1;
    }

    public readonly record struct Services(SlotStore Slots, PractitionerStore Practitioners, TerritoryStore Territory, TimeProvider Clock);

    public static async Task<Results<Created<SlotDto>, ProblemHttpResult>> PublishSlot(
        string rpps, SlotInput input, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var gp = await s.Practitioners.GetAsync(rpps, ct);
        if (gp is null) return Problems.Of(E.PractitionerNotFound);

        var errors = new ValidationErrors();
        var spec = SlotValidation.Validate(input, gp, FieldPrefix.None, errors);
        if (spec is not null && spec.StartUtc <= s.Clock.GetUtcNow().UtcDateTime) errors.Add("start", "is in the past");
        if (errors.Any || spec is null) return errors.ToProblem();

        var outcome = await s.Slots.PublishAsync(rpps, spec, input.ExternalId, Caller.From(user), ct);
        if (outcome.ExternalIdTaken)
            return Problems.Of(E.ExternalIdExists, "This GP already has a slot with this externalId; change it with a sync.");
        if (outcome.Overlapping is { } other) return SlotValidation.OverlapProblem(other.Spec, spec, "start");

        var sector = (await s.Territory.GetSectorAsync(spec.Sector, ct))!;
        var dto = new SlotDto(outcome.Id!.Value, rpps, spec.Sector, spec.Site, Instants.Format(spec.StartUtc), Instants.Format(spec.EndUtc),
            sector.TimeZone, spec.Modality, SlotStatus.Available, input.ExternalId);
        return TypedResults.Created($"/v1/slots/{dto.Id}", dto);
    }

    public static async Task<Results<Ok<SyncResultDto>, ProblemHttpResult>> SyncSlots(
        string rpps, string? from, string? to, SlotSyncInput input, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var gp = await s.Practitioners.GetAsync(rpps, ct);
        if (gp is null) return Problems.Of(E.PractitionerNotFound);

        // A missing list is a mistake, not an empty week: it would withdraw every slot of the window.
        if (input.Slots is not { } slots) return Problems.Field("slots", "is required: every slot offered in [from, to), [] for none");
        if (slots.Length > MaxSlotsPerSync)
            return Problems.Validation(new Dictionary<string, string[]> { ["slots"] = [$"lists {slots.Length} slots; a sync takes at most {MaxSlotsPerSync}"] },
                E.TooManySlots, $"A sync takes at most {MaxSlotsPerSync} slots: split the window.");

        var errors = new ValidationErrors();
        var fromUtc = errors.Instant("from", from);
        var toUtc = errors.Instant("to", to);
        if (fromUtc is not null && toUtc is not null)
        {
            if (toUtc <= fromUtc) errors.Add("to", "must be after from");
            else if (toUtc - fromUtc > MaxSyncWindow) errors.Add("to", $"the window may span at most {MaxSyncWindow.TotalDays} days");
        }

        var incoming = new List<IncomingSlot>(slots.Length);
        var externalIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < slots.Length; i++)
        {
            var prefix = new FieldPrefix("slots", i);
            var spec = SlotValidation.Validate(slots[i], gp, prefix, errors, externalIdRequired: true);
            if (spec is null) continue;
            if (!externalIds.Add(slots[i].ExternalId!)) { errors.Add(prefix.Of("externalId"), "appears twice in this sync"); continue; }
            if (fromUtc is not null && toUtc is not null && (spec.StartUtc < fromUtc || spec.StartUtc >= toUtc))
            {
                errors.Add(prefix.Of("start"), "is outside the window [from, to) being synced");
                continue;
            }
            incoming.Add(new IncomingSlot(slots[i].ExternalId!, spec));
        }
        if (errors.Any) return errors.ToProblem();

        var outcome = await s.Slots.SyncAsync(rpps, incoming, fromUtc!.Value, toUtc!.Value, Caller.From(user), ct);
        if (outcome.Overlap is { } overlap)
        {
            // Name the sent slot at fault: the later of the two when both were sent.
            var index = Array.FindLastIndex(slots, x => incoming.Any(i => i.ExternalId == x.ExternalId && (i.Spec == overlap.First || i.Spec == overlap.Second)));
            return SlotValidation.OverlapProblem(overlap.First, overlap.Second, index >= 0 ? $"slots[{index}].start" : "slots");
        }

        return TypedResults.Ok(new SyncResultDto(outcome.Created, outcome.Updated, outcome.Unchanged, outcome.Withdrawn,
            outcome.Conflicts.Select(c => new SyncConflictDto(c.SlotId == 0 ? null : c.SlotId, c.ExternalId, c.Status, c.Reason)).ToArray()));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> WithdrawSlot(long id, ClaimsPrincipal user, SlotWithdrawal withdrawal, CancellationToken ct) =>
        await withdrawal.WithdrawAsync(id, Caller.From(user), ct) is { Succeeded: false } refused ? refused.Problem() : TypedResults.NoContent();

    public static async Task<Results<Ok<SlotDto>, ProblemHttpResult>> GetSlot(long id, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var slot = await s.Slots.GetAsync(id, ct);
        if (slot is null) return Problems.Of(E.SlotNotFound);
        var sector = await s.Territory.GetSectorAsync(slot.SectorCode, ct);
        var caller = Caller.From(user);
        // Its GP's client; or a regulator or CPTS of its sector, within the professions its scope names (as its search).
        var allowed = caller.CoversPractitioner(slot.Rpps)
            || (sector is not null && (caller.CoversSector(sector.Code, sector.Department) || (sector.CptsFiness is not null && caller.CoversCpts(sector.CptsFiness)))
                && await s.Practitioners.CoversProfessionAsync(caller, slot.Rpps, ct));
        if (!allowed) return Problems.Of(E.ForbiddenScope, "This slot is outside this client's scope.");
        return TypedResults.Ok(ToDto(slot, s.Territory.TimeZoneOf(sector), s.Clock.GetUtcNow().UtcDateTime));
    }

    internal static SlotDto ToDto(SlotRow r, string timeZone, DateTime nowUtc) => new(
        r.Id, r.Rpps, r.SectorCode, r.SiteId, Instants.Format(r.StartUtc), Instants.Format(r.EndUtc), timeZone,
        SlotText.ParseModality(r.Modality), r.EffectiveStatus(nowUtc), r.ExternalId);
}
