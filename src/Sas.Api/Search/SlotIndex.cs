using Sas.Domain.Professions;
using Sas.Domain.Slots;

namespace Sas.Api.Search;

/// <summary>A slot free or held, as the node's index holds it (what a search filters and answers on).</summary>
public sealed record IndexedSlot(
    long Id, string Sector, DateTime StartUtc, DateTime EndUtc, string Rpps, string SiteId, Modality Modality, SlotStatus Status,
    DateTime? HoldExpiresAt, string? HeldBy)
{
    /// <summary>What the index keeps: the states a search can find (the partial index <c>ix_slots_search</c>'s own).</summary>
    public static bool Kept(SlotStatus status) => status is SlotStatus.Available or SlotStatus.Held;
}

/// <summary>
/// The slots free or held of one node, per sector in (start, id) order: what the search statement's
/// <c>ix_slots_search</c> branches read, in memory. No I/O: <see cref="IndexedSearch"/> fills it from the database and
/// its change feed. Searches read under a shared lock while a change is applied under an exclusive one; both are a few
/// microseconds.
/// </summary>
public sealed class SlotIndex
{
    private readonly Dictionary<long, IndexedSlot> byId = [];
    private readonly Dictionary<string, List<IndexedSlot>> bySector = new(StringComparer.Ordinal);

    /// <summary>The same slots per GP, in (start, id) order: the FHIR query asks by GP.</summary>
    private readonly Dictionary<string, List<IndexedSlot>> byGp = new(StringComparer.Ordinal);
    private readonly ReaderWriterLockSlim gate = new();

    /// <summary>Each GP's profession and specialty, by RPPS: searches filter on them.</summary>
    private readonly Dictionary<string, (string Profession, string? Specialty)> kinds = new(StringComparer.Ordinal);

    /// <summary>Sets the profession and specialty of these GPs, as the database now says (a GP no longer there is dropped).</summary>
    public void SetKinds(IReadOnlyCollection<string> rpps, IReadOnlyDictionary<string, (string Profession, string? Specialty)> current)
    {
        gate.EnterWriteLock();
        try
        {
            foreach (var gp in rpps)
                if (current.TryGetValue(gp, out var kind)) kinds[gp] = kind;
                else kinds.Remove(gp);
        }
        finally { gate.ExitWriteLock(); }
    }

    /// <summary>Whether the index knows this GP's profession.</summary>
    public bool KnowsKind(string rpps)
    {
        gate.EnterReadLock();
        try { return kinds.ContainsKey(rpps); }
        finally { gate.ExitReadLock(); }
    }

    /// <summary>
    /// Sets each slot to what the database now says: kept if it is there, in a state a search finds and starts in the
    /// range the index covers, [<paramref name="from"/>, <paramref name="until"/>); otherwise dropped.
    /// </summary>
    public void Apply(IReadOnlyCollection<long> ids, IReadOnlyDictionary<long, IndexedSlot> current, DateTime from, DateTime until)
    {
        gate.EnterWriteLock();
        try
        {
            foreach (var id in ids)
                Put(id, current.TryGetValue(id, out var now) && now.StartUtc >= from && now.StartUtc < until ? now : null);
        }
        finally { gate.ExitWriteLock(); }
    }

    /// <summary>Adds slots read from a range not held before (any already held are replaced).</summary>
    public void Load(IEnumerable<IndexedSlot> slots)
    {
        gate.EnterWriteLock();
        try
        {
            foreach (var slot in slots) Put(slot.Id, slot);
        }
        finally { gate.ExitWriteLock(); }
    }

    /// <summary>Under the write lock: drops what the index held for the slot, and keeps <paramref name="slot"/> if a search can find it.</summary>
    private void Put(long id, IndexedSlot? slot)
    {
        if (byId.Remove(id, out var old)) Remove(old);
        if (slot is not null && IndexedSlot.Kept(slot.Status)) Add(slot);
    }

    /// <summary>A new index of <paramref name="slots"/>, sorted once per sector (inserting each in turn was quadratic).</summary>
    public static SlotIndex Build(IEnumerable<IndexedSlot> slots, IReadOnlyDictionary<string, (string Profession, string? Specialty)> kinds)
    {
        var index = new SlotIndex();
        foreach (var (gp, kind) in kinds) index.kinds[gp] = kind;
        foreach (var slot in slots)
        {
            if (!IndexedSlot.Kept(slot.Status) || !index.byId.TryAdd(slot.Id, slot)) continue;
            if (!index.bySector.TryGetValue(slot.Sector, out var list)) index.bySector[slot.Sector] = list = [];
            list.Add(slot);
            if (!index.byGp.TryGetValue(slot.Rpps, out var gp)) index.byGp[slot.Rpps] = gp = [];
            gp.Add(slot);
        }
        foreach (var list in index.bySector.Values.Concat(index.byGp.Values)) list.Sort(static (x, y) => Compare(x.StartUtc, x.Id, y.StartUtc, y.Id));
        return index;
    }

    /// <summary>
    /// The slots this index and <paramref name="other"/> hold differently, in [<paramref name="from"/>, <paramref name="until"/>):
    /// what a verification counts as mismatches.
    /// </summary>
    public List<long> Differences(SlotIndex other, DateTime from, DateTime until)
    {
        gate.EnterReadLock();
        try
        {
            var differ = new List<long>();
            foreach (var (id, mine) in byId)
                if (mine.StartUtc >= from && mine.StartUtc < until && (!other.byId.TryGetValue(id, out var theirs) || theirs != mine)) differ.Add(id);
            foreach (var (id, theirs) in other.byId)
                if (theirs.StartUtc >= from && theirs.StartUtc < until && !byId.ContainsKey(id)) differ.Add(id);
            return differ;
        }
        finally { gate.ExitReadLock(); }
    }

    /// <summary>
    /// The search statement, in memory: per sector, slots from <paramref name="from"/> (or after the cursor) up to the
    /// sector's bound, free, or held by a hold that has lapsed or is the caller's, of the modality and professions asked; at most
    /// <paramref name="limit"/> of each, then the soonest <paramref name="limit"/> of all, in (start, id) order. Each
    /// found slot comes with the index of its sector in <paramref name="sectors"/>.
    /// </summary>
    public List<(IndexedSlot Slot, int Branch)> Find(
        IReadOnlyList<SectorBound> sectors, DateTime from, DateTime now, string caller, Modality? modality, (DateTime Start, long Id)? after, int limit,
        ProfessionFilter? only = null)
    {
        var found = new List<(IndexedSlot, int)>(limit);
        gate.EnterReadLock();
        try
        {
            for (var b = 0; b < sectors.Count; b++)
            {
                if (!bySector.TryGetValue(sectors[b].Sector, out var list)) continue;
                var until = sectors[b].UntilUtc;
                var taken = 0;
                for (var i = First(list, from, after); i < list.Count && taken < limit; i++)
                {
                    var s = list[i];
                    if (s.StartUtc > until) break;
                    if (modality is { } m && s.Modality != m) continue;
                    // A NULL expiry compares as unknown in SQL: such a hold is found only by its holder, here too.
                    if (s.Status == SlotStatus.Held && !(s.HoldExpiresAt <= now || s.HeldBy == caller)) continue;
                    if (only is not null && !(kinds.TryGetValue(s.Rpps, out var kind) && only.Admits(kind.Profession, kind.Specialty))) continue;
                    found.Add((s, b));
                    taken++;
                }
            }
        }
        finally { gate.ExitReadLock(); }
        if (sectors.Count > 1)
        {
            found.Sort(static (x, y) => Compare(x.Item1.StartUtc, x.Item1.Id, y.Item1.StartUtc, y.Item1.Id));
            if (found.Count > limit) found.RemoveRange(limit, found.Count - limit);
        }
        return found;
    }

    /// <summary>
    /// The FHIR query's statement, in memory: the free slots of these GPs starting in [<paramref name="from"/>,
    /// <paramref name="to"/>] (a held slot once its hold has lapsed, whoever asks), soonest first, then by id.
    /// </summary>
    public List<IndexedSlot> FindFree(IReadOnlyCollection<string> gps, DateTime from, DateTime to, DateTime now)
    {
        var found = new List<IndexedSlot>();
        gate.EnterReadLock();
        try
        {
            foreach (var rpps in gps)
            {
                if (!byGp.TryGetValue(rpps, out var list)) continue;
                for (var i = First(list, from, null); i < list.Count && list[i].StartUtc <= to; i++)
                    if (list[i].Status == SlotStatus.Available || list[i].HoldExpiresAt <= now) found.Add(list[i]);
            }
        }
        finally { gate.ExitReadLock(); }
        found.Sort(static (x, y) => Compare(x.StartUtc, x.Id, y.StartUtc, y.Id));
        return found;
    }

    /// <summary>The first position at or after <paramref name="from"/> and strictly after the cursor.</summary>
    private static int First(List<IndexedSlot> list, DateTime from, (DateTime Start, long Id)? after)
    {
        // (from, 0) sorts before every slot starting at from; (cursor start, cursor id) before the one after the cursor.
        var (start, id) = after is { } a && a.Start >= from
            ? a.Id == long.MaxValue ? (a.Start.AddTicks(1), long.MinValue) : (a.Start, a.Id + 1)
            : (from, long.MinValue);
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Compare(list[mid].StartUtc, list[mid].Id, start, id) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static int Compare(DateTime aStart, long aId, DateTime bStart, long bId)
    {
        var c = aStart.CompareTo(bStart);
        return c != 0 ? c : aId.CompareTo(bId);
    }

    private void Add(IndexedSlot slot)
    {
        byId[slot.Id] = slot;
        Insert(bySector, slot.Sector, slot);
        Insert(byGp, slot.Rpps, slot);
    }

    private void Remove(IndexedSlot slot)
    {
        Delete(bySector, slot.Sector, slot);
        Delete(byGp, slot.Rpps, slot);
    }

    private static void Insert(Dictionary<string, List<IndexedSlot>> lists, string key, IndexedSlot slot)
    {
        if (!lists.TryGetValue(key, out var list)) lists[key] = list = [];
        var at = Position(list, slot);
        list.Insert(at < 0 ? ~at : at, slot);
    }

    private static void Delete(Dictionary<string, List<IndexedSlot>> lists, string key, IndexedSlot slot)
    {
        if (!lists.TryGetValue(key, out var list)) return;
        var at = Position(list, slot);
        if (at >= 0) list.RemoveAt(at);
        if (list.Count == 0) lists.Remove(key);
    }

    /// <summary>The slot's position by (start, id), or the complement of where it would go.</summary>
    private static int Position(List<IndexedSlot> list, IndexedSlot slot)
    {
        int lo = 0, hi = list.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Compare(list[mid].StartUtc, list[mid].Id, slot.StartUtc, slot.Id);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }
}
