using Sas.Api.Slots;
using Sas.Api.Territory;

namespace Sas.Api.Fhir;

/// <summary>
/// The slots of some GPs a regulator could book now: free (a lapsed hold is free again), after the cut-off, within
/// their own sector's booking horizon. One rule for the platform's FHIR query and the console's agenda.
/// </summary>
public sealed class BookableSlots(FhirSlotStore store, TerritoryStore territory, BookingOptions booking, TimeProvider clock)
{
    /// <summary>The bookable slots starting in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>], soonest first.</summary>
    public async Task<List<FreeSlot>> ForAsync(IReadOnlyList<string> rpps, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        // The database is asked up to the longest horizon of any sector (the guide's now..D+2 holds twice what a 24-hour
        // sector offers), and each slot is then held to its own sector's.
        var now = clock.GetUtcNow().UtcDateTime;
        var earliest = now + booking.CutOff;
        var from = fromUtc > earliest ? fromUtc : earliest;
        var copy = await territory.CachedTerritoryAsync(ct);
        var longest = booking.WindowFor((int)copy.LongestBookingHorizonHours).LatestStart(now);
        var to = toUtc < longest ? toUtc : longest;
        if (from > to || rpps.Count == 0) return [];
        var (rows, practices) = await store.FreeSlotsAsync(rpps, from, to, now, ct);
        if (rows.Count > 0) copy = await territory.CachedTerritoryWithAsync(rows.Select(r => r.SectorCode).Distinct(StringComparer.Ordinal), ct);
        // Each sector's latest start once, not a window per slot (a tenth of a 25-GP answer's objects).
        var latest = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        DateTime LatestIn(Territory.SectorRow s) =>
            latest.TryGetValue(s.Code, out var at) ? at : latest[s.Code] = booking.WindowFor((int)s.BookingHorizonHours).LatestStart(now);
        return FreeSlot.Join(rows, practices, copy).Where(f => f.Slot.StartUtc >= from && f.Slot.StartUtc <= LatestIn(f.Sector)).ToList();
    }
}
