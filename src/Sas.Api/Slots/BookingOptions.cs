using System.ComponentModel.DataAnnotations;
using Sas.Domain.Slots;

namespace Sas.Api.Slots;

/// <summary>Section <c>Booking</c>: the timings of holds and of the booking window.</summary>
public sealed class BookingOptions
{
    /// <summary>How long a hold keeps a slot for one regulator.</summary>
    [Range(1, 60)]
    public int HoldMinutes { get; set; } = 5;

    /// <summary>No booking (and no re-offer after a cancellation) closer than this to a slot's start.</summary>
    [Range(0, 240)]
    public int CutOffMinutes { get; set; } = 10;

    public TimeSpan CutOff => TimeSpan.FromMinutes(CutOffMinutes);

    public BookingWindow WindowFor(int bookingHorizonHours) => BookingWindow.ForSector(bookingHorizonHours, CutOff);
}
