namespace Sas.Domain.Slots;

/// <summary>A slot as the practice software sends it in a sync: its own id and what it offers.</summary>
public sealed record IncomingSlot(string ExternalId, SlotSpec Spec);

/// <summary>
/// A stored slot of the GP inside the sync window, with its status as of now. <paramref name="FromRule"/>: made by a
/// recurring availability rule, not by the practice software: a sync neither changes nor withdraws it, but a synced
/// slot may not overlap it.
/// </summary>
public sealed record ExistingSlot(long Id, string? ExternalId, SlotSpec Spec, SlotStatus Status, bool FromRule = false);

/// <summary>A slot the sync would have changed or withdrawn but may not, because it is booked or held.</summary>
public sealed record SyncConflict(long SlotId, string? ExternalId, SlotStatus Status, string Reason);

public sealed record SyncPlan(
    IReadOnlyList<IncomingSlot> Create,
    IReadOnlyList<(long Id, IncomingSlot Slot)> Update,
    int Unchanged,
    IReadOnlyList<long> Withdraw,
    IReadOnlyList<SyncConflict> Conflicts)
{
    public bool ChangesAnything => Create.Count + Update.Count + Withdraw.Count > 0;
}

/// <summary>
/// The sync rule of the contract: the body is the whole offer of the window. New external ids are
/// created, changed ones updated, absent ones withdrawn, identical ones left alone (so a repeated body
/// writes nothing). A booked or held slot is never changed or withdrawn: it is reported as a conflict.
/// Slots that have started are history: neither withdrawn nor changed, whatever the body says, and a
/// new slot that has already started is not created (it could only ever count as offered and unused).
/// </summary>
public static class SyncPlanner
{
    /// <param name="incoming">The body: every slot the GP offers in [from, to).</param>
    /// <param name="existing">The GP's stored slots in the window, and any outside it that the body names by external id.</param>
    public static SyncPlan Plan(IReadOnlyList<IncomingSlot> incoming, IReadOnlyList<ExistingSlot> existing, DateTime fromUtc, DateTime toUtc, DateTime nowUtc)
    {
        // A withdrawn slot and a live one may share an external id; the live one is the one that counts (else the first).
        // One pass, no grouping: this runs for every slot of every sync, most of which change nothing.
        var byExternalId = new Dictionary<string, ExistingSlot>(existing.Count, StringComparer.Ordinal);
        foreach (var e in existing)
        {
            if (e.ExternalId is null) continue;
            if (!byExternalId.TryGetValue(e.ExternalId, out var kept) || (kept.Status == SlotStatus.Withdrawn && e.Status != SlotStatus.Withdrawn))
                byExternalId[e.ExternalId] = e;
        }

        var create = new List<IncomingSlot>();
        var update = new List<(long, IncomingSlot)>();
        var conflicts = new List<SyncConflict>();
        var unchanged = 0;
        var seen = new HashSet<long>(incoming.Count);

        foreach (var slot in incoming)
        {
            if (!byExternalId.TryGetValue(slot.ExternalId, out var current))
            {
                if (slot.Spec.StartUtc < nowUtc) conflicts.Add(new(0, slot.ExternalId, SlotStatus.Expired, "started"));
                else create.Add(slot);
                continue;
            }
            seen.Add(current.Id);
            var same = current.Spec == slot.Spec;
            if (current.Spec.StartUtc < nowUtc || slot.Spec.StartUtc < nowUtc)
            {
                if (same || current.Status is SlotStatus.Expired or SlotStatus.Withdrawn) unchanged++;
                else conflicts.Add(new(current.Id, current.ExternalId, current.Status, "started"));
                continue;
            }
            switch (current.Status)
            {
                case SlotStatus.Withdrawn:
                    update.Add((current.Id, slot)); // re-published: offered again with what was sent
                    break;
                case SlotStatus.Available:
                    if (same) unchanged++; else update.Add((current.Id, slot));
                    break;
                case SlotStatus.Expired:
                    unchanged++; // the past is not rewritten
                    break;
                default: // booked, held
                    if (same) unchanged++;
                    else conflicts.Add(new(current.Id, current.ExternalId, current.Status, "changed_while_" + current.Status.ToText()));
                    break;
            }
        }

        var withdraw = new List<long>();
        foreach (var e in existing)
        {
            if (e.FromRule || seen.Contains(e.Id) || e.Spec.StartUtc < fromUtc || e.Spec.StartUtc >= toUtc || e.Spec.StartUtc < nowUtc) continue;
            switch (e.Status)
            {
                case SlotStatus.Available:
                    withdraw.Add(e.Id);
                    break;
                case SlotStatus.Booked or SlotStatus.Held:
                    conflicts.Add(new(e.Id, e.ExternalId, e.Status, "absent_while_" + e.Status.ToText()));
                    break;
            }
        }

        return new SyncPlan(create, update, unchanged, withdraw, conflicts);
    }

    /// <summary>
    /// The live slots once the plan is applied, to check them for overlaps: kept and conflicting
    /// slots with their stored values, created and updated ones with the sent values.
    /// </summary>
    public static IEnumerable<SlotSpec> Outcome(SyncPlan plan, IReadOnlyList<ExistingSlot> existing)
    {
        var replaced = plan.Update.Select(u => u.Id).Concat(plan.Withdraw).ToHashSet();
        foreach (var e in existing)
        {
            if (e.Status is SlotStatus.Withdrawn or SlotStatus.Expired || replaced.Contains(e.Id)) continue;
            yield return e.Spec;
        }
        foreach (var c in plan.Create) yield return c.Spec;
        foreach (var (_, u) in plan.Update) yield return u.Spec;
    }
}

public static class Overlaps
{
    /// <summary>The first pair of slots at one site that overlap, or null.</summary>
    public static (SlotSpec First, SlotSpec Second)? FindFirst(IEnumerable<SlotSpec> slots)
    {
        foreach (var site in slots.GroupBy(s => s.Site, StringComparer.Ordinal))
        {
            SlotSpec? previous = null;
            foreach (var s in site.OrderBy(s => s.StartUtc).ThenBy(s => s.EndUtc))
            {
                if (previous is not null && previous.Overlaps(s)) return (previous, s);
                if (previous is null || s.EndUtc > previous.EndUtc) previous = s;
            }
        }
        return null;
    }
}
