using Sas.Domain.Slots;
using Sas.Domain.Time;

namespace Sas.Domain.Tests;

public class SlotRuleTests
{
    private static readonly DateTime T = new(2026, 11, 23, 14, 0, 0, DateTimeKind.Utc);

    private static SlotSpec Slot(int startMinutes, int minutes, string site = "a") =>
        new(T.AddMinutes(startMinutes), T.AddMinutes(startMinutes + minutes), "S1", site, Modality.InPerson);

    [Theory]
    [InlineData(5, null)]
    [InlineData(240, null)]
    [InlineData(4, "a slot lasts at least 5 minutes")]
    [InlineData(241, "a slot lasts at most 240 minutes")]
    [InlineData(0, "must be after start")]
    [InlineData(-10, "must be after start")]
    public void Duration_is_5_to_240_minutes_and_end_after_start(int minutes, string? error) =>
        Assert.Equal(error, Slot(0, minutes).DurationError());

    [Fact]
    public void Slots_overlap_only_at_the_same_site_and_when_times_cross()
    {
        Assert.True(Slot(0, 30).Overlaps(Slot(20, 30)));
        Assert.False(Slot(0, 30).Overlaps(Slot(30, 30)));      // back to back is fine
        Assert.False(Slot(0, 30).Overlaps(Slot(20, 30, "b"))); // another site
        Assert.True(Slot(0, 120).Overlaps(Slot(30, 10)));      // contained
    }

    [Fact]
    public void Find_first_overlap_sees_a_long_slot_across_several_short_ones()
    {
        var found = Overlaps.FindFirst([Slot(0, 120), Slot(10, 5), Slot(200, 10)]);
        Assert.NotNull(found);
        Assert.Null(Overlaps.FindFirst([Slot(0, 10), Slot(10, 10), Slot(20, 10), Slot(0, 30, "b")]));
        // The long first slot still clashes with a third slot after a short second one.
        Assert.NotNull(Overlaps.FindFirst([Slot(0, 120), Slot(10, 5), Slot(60, 5)]));
    }

    [Fact]
    public void Booking_window_is_cut_off_to_horizon()
    {
        var window = new BookingWindow(TimeSpan.FromHours(24), TimeSpan.FromMinutes(10));
        Assert.Equal(Bookability.Started, window.Check(T.AddMinutes(-1), T));
        Assert.Equal(Bookability.Started, window.Check(T.AddMinutes(9), T));
        Assert.Equal(Bookability.Bookable, window.Check(T.AddMinutes(10), T));
        Assert.Equal(Bookability.Bookable, window.Check(T.AddHours(24), T));
        Assert.Equal(Bookability.OutsideHorizon, window.Check(T.AddHours(24).AddSeconds(1), T));
        Assert.Equal(Bookability.Bookable, BookingWindow.ForSector(48, TimeSpan.FromMinutes(10)).Check(T.AddHours(47), T));
    }

    [Fact]
    public void A_lapsed_hold_reads_as_available_by_the_clock()
    {
        Assert.Equal(SlotStatus.Held, SlotLife.Effective(SlotStatus.Held, T.AddSeconds(1), T));
        Assert.Equal(SlotStatus.Available, SlotLife.Effective(SlotStatus.Held, T, T));
        Assert.Equal(SlotStatus.Booked, SlotLife.Effective(SlotStatus.Booked, T.AddMinutes(-5), T));
    }

    [Theory]
    [InlineData("2026-11-23T14:30:00+01:00", true)]
    [InlineData("2026-11-23T14:30:00Z", true)]
    [InlineData("2026-11-23T14:30+01:00", true)]
    [InlineData("2026-11-23T14:30:00.123-03:00", true)]
    [InlineData("2026-11-23T14:30:00", false)]
    [InlineData("2026-11-23 14:30:00+01:00", false)]
    [InlineData("2026-11-23", false)]
    [InlineData("2026-13-23T14:30:00Z", false)]
    [InlineData("tomorrow", false)]
    [InlineData(null, false)]
    public void Instants_need_an_offset(string? text, bool ok) => Assert.Equal(ok, Instants.TryParse(text, out _));

    [Fact]
    public void Stored_instants_are_utc_whole_seconds()
    {
        Instants.TryParse("2026-11-23T14:30:15.9+01:00", out var parsed);
        var stored = Instants.ToStoredUtc(parsed);
        Assert.Equal(new DateTime(2026, 11, 23, 13, 30, 15, DateTimeKind.Utc), stored);
        Assert.Equal("2026-11-23T13:30:15Z", Instants.Format(stored));
    }

    [Fact]
    public void A_booking_leaving_its_slot_frees_it_only_before_the_slot_starts()
    {
        Assert.True(Sas.Domain.Bookings.BookingRules.FreesItsSlot(T, T.AddMinutes(-1)));
        Assert.False(Sas.Domain.Bookings.BookingRules.FreesItsSlot(T, T));
        Assert.False(Sas.Domain.Bookings.BookingRules.FreesItsSlot(T, T.AddMinutes(30)));
        Assert.False(Sas.Domain.Bookings.BookingRules.FreesItsSlot(null, T)); // an overflow booking has no slot
    }
}
