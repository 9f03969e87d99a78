using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain.Time;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Bookings;

/// <summary>A hold given: <paramref name="Existing"/> when the caller already held the slot (the same hold, not extended).</summary>
public sealed record Held(HoldDto Hold, bool Existing);

/// <summary>The hold use cases — hold a slot while the patient is on the phone, read a hold, release it — for the API and the console.</summary>
public sealed class HoldService(BookingStore bookings, SlotStore slots, TerritoryStore territory, BookingOptions options,
    Infrastructure.Telemetry.SasMetrics metrics, BookingRaceHook race, Practitioners.PractitionerStore practitioners)
{
    public async Task<Result<Held>> HoldAsync(long slotId, Caller caller, CancellationToken ct)
    {
        var slot = await slots.GetAsync(slotId, ct);
        if (slot is null) return Result<Held>.Refused(E.SlotNotFound);
        var sector = await territory.GetSectorAsync(slot.SectorCode, ct);
        if (await TakingRefusalAsync(practitioners, caller, slot, sector, ct) is { } refusal) return Result<Held>.Refused(E.ForbiddenScope, refusal);

        await race.AfterSlotReadAsync(slotId, ct);
        var result = await bookings.HoldAsync(slot, options.WindowFor((int)sector!.BookingHorizonHours), TimeSpan.FromMinutes(options.HoldMinutes), caller, ct);
        metrics.Hold(result.Refusal is { } r ? E.Of(r).Code : result.Existing ? "same_hold" : "granted");
        if (result.Refusal is { } refused) return Result<Held>.Refused(E.Of(refused));
        return new Held(new HoldDto(result.HoldId!, slotId, Instants.Format(result.ExpiresAt)), result.Existing);
    }

    /// <summary>The refusal of a slot or booking of a profession the regulator's scope does not cover.</summary>
    public const string OutsideProfessions = "This professional's profession is outside this regulator's scope.";

    /// <summary>
    /// Why a regulator may not take this slot (hold it, or book it without a hold), or null: its sector outside the
    /// regulator's scope, or its professional's profession outside the professions the scope names. One rule for both.
    /// </summary>
    public static async Task<string?> TakingRefusalAsync(Practitioners.PractitionerStore practitioners, Caller caller, SlotRow slot, SectorRow? sector, CancellationToken ct) =>
        sector is null || !caller.CoversSector(sector.Code, sector.Department) ? "This slot's sector is outside this regulator's scope."
        : !await practitioners.CoversProfessionAsync(caller, slot.Rpps, ct) ? OutsideProfessions
        : null;

    public async Task<Result<HoldDto>> GetAsync(string holdId, Caller caller, CancellationToken ct)
    {
        var hold = holdId.Length > 64 ? null : await bookings.FindHoldAsync(holdId, caller, ct);
        return hold is { } h ? new HoldDto(holdId, h.SlotId, Instants.Format(h.ExpiresAt)) : Result<HoldDto>.Refused(E.HoldNotFound);
    }

    public async Task<Result<bool>> ReleaseAsync(string holdId, Caller caller, CancellationToken ct) =>
        holdId.Length <= 64 && await bookings.ReleaseHoldAsync(holdId, caller, ct) ? true : Result<bool>.Refused(E.HoldNotFound);
}
