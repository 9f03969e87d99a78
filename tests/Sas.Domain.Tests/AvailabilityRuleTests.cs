using Sas.Domain.Slots;

namespace Sas.Domain.Tests;

public sealed class AvailabilityRuleTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static AvailabilityRule Rule(DayOfWeek[] days, string start, string end, int minutes = 20, int every = 1, string from = "2026-12-01",
        string? until = null, bool holidays = false, params string[] except) =>
        new(days.ToHashSet(), every, TimeOnly.Parse(start), TimeOnly.Parse(end), minutes, DateOnly.Parse(from),
            until is null ? null : DateOnly.Parse(until), holidays, except.Select(DateOnly.Parse).ToHashSet());

    private static List<string> Local(IEnumerable<(DateTime StartUtc, DateTime EndUtc)> slots) =>
        slots.Select(s => TimeZoneInfo.ConvertTimeFromUtc(s.StartUtc, Paris).ToString("yyyy-MM-dd HH:mm")).ToList();

    [Fact]
    public void Every_tuesday_afternoon_is_cut_into_slots_in_local_time()
    {
        var slots = Rule([DayOfWeek.Tuesday], "14:00", "15:00").SlotsBetween(DateOnly.Parse("2026-12-01"), DateOnly.Parse("2026-12-14"), Paris).ToList();

        Assert.Equal(["2026-12-01 14:00", "2026-12-01 14:20", "2026-12-01 14:40", "2026-12-08 14:00", "2026-12-08 14:20", "2026-12-08 14:40"], Local(slots));
        Assert.Equal(new DateTime(2026, 12, 1, 13, 0, 0, DateTimeKind.Utc), slots[0].StartUtc); // winter: UTC+1
        Assert.All(slots, s => Assert.Equal(TimeSpan.FromMinutes(20), s.EndUtc - s.StartUtc));
    }

    [Fact]
    public void A_slot_that_does_not_fit_before_the_end_is_not_made()
    {
        Assert.Equal(["2026-12-01 14:00", "2026-12-01 14:25"], Local(Rule([DayOfWeek.Tuesday], "14:00", "15:00", minutes: 25)
            .SlotsBetween(DateOnly.Parse("2026-12-01"), DateOnly.Parse("2026-12-01"), Paris)));
    }

    [Fact]
    public void Every_second_week_counts_from_the_week_of_the_first_day()
    {
        var rule = Rule([DayOfWeek.Monday, DayOfWeek.Thursday], "09:00", "09:20", every: 2, from: "2026-12-02");
        Assert.Equal(["2026-12-03 09:00", "2026-12-14 09:00", "2026-12-17 09:00", "2026-12-28 09:00", "2026-12-31 09:00"],
            Local(rule.SlotsBetween(DateOnly.Parse("2026-11-01"), DateOnly.Parse("2026-12-31"), Paris)));
    }

    [Fact]
    public void Exceptions_public_holidays_and_the_end_date_leave_days_out()
    {
        var rule = Rule([DayOfWeek.Friday], "10:00", "10:20", holidays: true, until: "2027-01-08", except: "2026-12-18");
        // 25 December and 1 January are Fridays and public holidays; the 18th is excepted; the 15th is after until.
        Assert.Equal(["2026-12-04 10:00", "2026-12-11 10:00", "2027-01-08 10:00"],
            Local(rule.SlotsBetween(DateOnly.Parse("2026-12-01"), DateOnly.Parse("2027-01-31"), Paris)));
        Assert.Equal(5, Rule([DayOfWeek.Friday], "10:00", "10:20", until: "2027-01-08", except: "2026-12-18")
            .SlotsBetween(DateOnly.Parse("2026-12-01"), DateOnly.Parse("2027-01-31"), Paris).Count());
    }

    /// <summary>29 March 2026: Paris goes from 02:00 to 03:00. 25 October 2026: from 03:00 back to 02:00.</summary>
    [Fact]
    public void Across_daylight_saving_changes_slots_keep_their_wall_clock_time()
    {
        var spring = Rule([DayOfWeek.Sunday], "01:30", "03:30", minutes: 30, from: "2026-03-01")
            .SlotsBetween(DateOnly.Parse("2026-03-29"), DateOnly.Parse("2026-03-29"), Paris).ToList();
        Assert.Equal(["2026-03-29 01:30", "2026-03-29 03:00"], Local(spring)); // 02:00 and 02:30 do not exist that night
        Assert.Equal(new DateTime(2026, 3, 29, 1, 0, 0, DateTimeKind.Utc), spring[1].StartUtc); // 03:00 summer time

        var autumn = Rule([DayOfWeek.Sunday], "02:00", "03:00", minutes: 30, from: "2026-10-01")
            .SlotsBetween(DateOnly.Parse("2026-10-25"), DateOnly.Parse("2026-10-25"), Paris).ToList();
        Assert.Equal(new DateTime(2026, 10, 25, 0, 0, 0, DateTimeKind.Utc), autumn[0].StartUtc); // the first 02:00 (summer time)
        Assert.Equal(2, autumn.Count);

        var summer = Rule([DayOfWeek.Tuesday], "14:00", "14:20", from: "2026-06-01").SlotsBetween(DateOnly.Parse("2026-06-02"), DateOnly.Parse("2026-06-02"), Paris).Single();
        Assert.Equal(new DateTime(2026, 6, 2, 12, 0, 0, DateTimeKind.Utc), summer.StartUtc); // summer: UTC+2
    }

    [Fact]
    public void A_rule_says_what_is_wrong_with_it_field_by_field()
    {
        Assert.Empty(Rule([DayOfWeek.Tuesday], "14:00", "18:00").Errors());
        Assert.Equal(["weekdays"], Rule([], "14:00", "18:00").Errors().Select(e => e.Field));
        Assert.Equal(["end"], Rule([DayOfWeek.Tuesday], "14:00", "14:10").Errors().Select(e => e.Field));
        Assert.Equal(["everyWeeks", "until"], Rule([DayOfWeek.Tuesday], "14:00", "18:00", every: 9, until: "2026-11-01").Errors().Select(e => e.Field));
    }
}
