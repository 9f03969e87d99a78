using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Slots;

/// <summary>A GP's practice withdraws one of its unbooked slots: the API's route and the console's practice page alike.</summary>
public sealed class SlotWithdrawal(SlotStore slots)
{
    public async Task<Result<long>> WithdrawAsync(long id, Caller caller, CancellationToken ct)
    {
        var slot = await slots.GetAsync(id, ct);
        if (slot is null) return Result<long>.Refused(E.SlotNotFound);
        // As for reading it (and as the contract says): a slot outside the caller's scope is a 403.
        if (!caller.CoversPractitioner(slot.Rpps)) return Result<long>.Refused(E.ForbiddenScope, "This slot is not one of this client's GPs'.");
        return await slots.WithdrawAsync(id, caller, ct) switch
        {
            WithdrawOutcome.Withdrawn => id,
            WithdrawOutcome.Booked => Result<long>.Refused(E.SlotBooked, "The slot is booked: cancel the booking, saying who and why, instead."),
            WithdrawOutcome.Held => Result<long>.Refused(E.SlotHeld, "A regulator holds this slot right now; try again when the hold lapses."),
            WithdrawOutcome.Expired => Result<long>.Refused(E.SlotExpired, "The slot has started; it stays in the statistics."),
            _ => Result<long>.Refused(E.SlotNotFound, "No slot with this id for this client."),
        };
    }
}
