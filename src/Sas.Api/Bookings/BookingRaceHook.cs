namespace Sas.Api.Bookings;

/// <summary>
/// Called between the endpoint's read of a slot (to check the caller's scope) and the statement that holds or books it:
/// a seam where tests change the slot meanwhile, as a practice's sync may at any moment. Does nothing in the API.
/// </summary>
public class BookingRaceHook
{
    public virtual Task AfterSlotReadAsync(long slotId, CancellationToken ct) => Task.CompletedTask;
}
