using Sas.Domain.Slots;

namespace Sas.Domain.Tests;

public class SyncPlannerTests
{
    private static readonly DateTime Now = new(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime From = Now.Date.AddDays(1);
    private static readonly DateTime To = From.AddDays(7);

    private static SlotSpec Spec(int hour, int minutes = 20, string site = "a") =>
        new(From.AddHours(hour), From.AddHours(hour).AddMinutes(minutes), "S1", site, Modality.InPerson);

    private static IncomingSlot In(string id, SlotSpec spec) => new(id, spec);

    private static ExistingSlot Stored(long id, string? externalId, SlotSpec spec, SlotStatus status = SlotStatus.Available) => new(id, externalId, spec, status);

    [Fact]
    public void New_changed_same_and_absent_slots_are_created_updated_unchanged_and_withdrawn()
    {
        var plan = SyncPlanner.Plan(
            [In("new", Spec(9)), In("moved", Spec(11)), In("same", Spec(14))],
            [Stored(1, "moved", Spec(10)), Stored(2, "same", Spec(14)), Stored(3, "gone", Spec(16)), Stored(4, null, Spec(17))],
            From, To, Now);

        Assert.Equal("new", Assert.Single(plan.Create).ExternalId);
        Assert.Equal(1, Assert.Single(plan.Update).Id);
        Assert.Equal(1, plan.Unchanged);
        Assert.Equal([3L, 4L], plan.Withdraw.Order());
        Assert.Empty(plan.Conflicts);
    }

    [Fact]
    public void The_same_body_again_changes_nothing()
    {
        var plan = SyncPlanner.Plan([In("a", Spec(9)), In("b", Spec(10))], [Stored(1, "a", Spec(9)), Stored(2, "b", Spec(10))], From, To, Now);
        Assert.False(plan.ChangesAnything);
        Assert.Equal(2, plan.Unchanged);
    }

    [Theory]
    [InlineData(SlotStatus.Booked)]
    [InlineData(SlotStatus.Held)]
    public void A_booked_or_held_slot_is_never_changed_or_withdrawn_but_reported(SlotStatus status)
    {
        var plan = SyncPlanner.Plan([In("changed", Spec(12))], [Stored(1, "changed", Spec(10), status), Stored(2, "absent", Spec(15), status)], From, To, Now);
        Assert.False(plan.ChangesAnything);
        Assert.Equal([1L, 2L], plan.Conflicts.Select(c => c.SlotId).Order());
        Assert.All(plan.Conflicts, c => Assert.Equal(status, c.Status));
    }

    [Fact]
    public void A_booked_slot_sent_unchanged_is_unchanged_not_a_conflict()
    {
        var plan = SyncPlanner.Plan([In("b", Spec(10))], [Stored(1, "b", Spec(10), SlotStatus.Booked)], From, To, Now);
        Assert.Equal(1, plan.Unchanged);
        Assert.Empty(plan.Conflicts);
    }

    [Fact]
    public void A_withdrawn_slot_sent_again_is_published_again()
    {
        var plan = SyncPlanner.Plan([In("w", Spec(10))], [Stored(1, "w", Spec(10), SlotStatus.Withdrawn)], From, To, Now);
        Assert.Equal(1, Assert.Single(plan.Update).Id);
    }

    [Fact]
    public void Slots_outside_the_window_are_not_withdrawn()
    {
        var outside = new SlotSpec(To.AddHours(1), To.AddHours(1).AddMinutes(20), "S1", "a", Modality.InPerson);
        var plan = SyncPlanner.Plan([], [Stored(1, "later", outside)], From, To, Now);
        Assert.Empty(plan.Withdraw);
    }

    [Fact]
    public void Started_slots_are_history_neither_created_changed_nor_withdrawn()
    {
        var past = new SlotSpec(Now.AddHours(-2), Now.AddHours(-2).AddMinutes(20), "S1", "a", Modality.InPerson);
        var pastMoved = past with { EndUtc = past.EndUtc.AddMinutes(10) };
        var plan = SyncPlanner.Plan([In("new-past", past), In("old", pastMoved)], [Stored(1, "old", past), Stored(2, "absent-past", past with { Site = "b" })], Now.Date, To, Now);
        Assert.Empty(plan.Create);
        Assert.Empty(plan.Update);
        Assert.Empty(plan.Withdraw);
        Assert.Equal(["new-past", "old"], plan.Conflicts.Select(c => c.ExternalId!).Order());
        Assert.All(plan.Conflicts, c => Assert.Equal("started", c.Reason));
    }

    [Fact]
    public void The_outcome_keeps_conflicting_slots_with_their_stored_times_for_the_overlap_check()
    {
        var existing = new[] { Stored(1, "booked", Spec(10), SlotStatus.Booked) };
        var plan = SyncPlanner.Plan([In("booked", Spec(12)), In("new", Spec(10, 10))], existing, From, To, Now);
        Assert.NotNull(Overlaps.FindFirst(SyncPlanner.Outcome(plan, existing)));
    }

    /// <summary>A slot made by an availability rule is not the software's: absent from the body, it stays; it still counts for overlaps.</summary>
    [Fact]
    public void A_rule_slot_absent_from_the_body_is_kept_and_a_synced_slot_may_not_overlap_it()
    {
        var rule = new ExistingSlot(7, null, Spec(10), SlotStatus.Available, FromRule: true);
        var plan = SyncPlanner.Plan([In("x", Spec(12))], [rule], From, To, Now);
        Assert.Empty(plan.Withdraw);

        var clash = SyncPlanner.Plan([In("y", Spec(10))], [rule], From, To, Now);
        Assert.NotNull(Overlaps.FindFirst(SyncPlanner.Outcome(clash, [rule])));
    }
}
