using Sas.Domain.Reports;

namespace Sas.Api.Reports;

/// <summary>
/// Turns raw slots and bookings into hourly aggregates. Pure: the job feeds it, and the property test
/// checks the reports built on its output against figures computed straight from the raw rows.
/// </summary>
public static class StatsAggregator
{
    public static (List<HourlyRow> Hourly, List<DelayRow> Delays) Aggregate(StatsStore.Raw raw, MajorationPolicy policy)
    {
        var cells = new Dictionary<(string Sector, string Rpps, DateTime Hour), long[]>();
        long[] Cell(string sector, string rpps, DateTime at)
        {
            var key = (sector, rpps, Buckets.LocalHourStart(at, Zone(raw, sector)));
            return cells.TryGetValue(key, out var c) ? c : cells[key] = new long[12];
        }

        foreach (var s in raw.Slots)
        {
            var c = Cell(s.SectorCode, s.Rpps, s.StartUtc);
            c[0]++;                                        // offered: still published at its start
            if (s.Status == "booked") c[1]++; else c[2]++; // booked, or expired (swept or not yet)
            c[3] += (long)(s.EndUtc - s.StartUtc).TotalMinutes;
        }

        var delays = new Dictionary<(string, string, DateTime, long), long>();
        foreach (var b in raw.Bookings)
        {
            var consultation = b.StartUtc ?? b.CreatedAt; // an overflow patient is seen the day it is booked
            var c = Cell(b.SectorCode, b.Rpps, consultation);
            var cancelled = b.Status == "cancelled";
            if (b.Overflow == 0)
            {
                if (cancelled) c[6]++;
                else if (b.Outcome == "honoured") c[4]++;
                else if (b.Outcome == "no_show") c[5]++;
            }
            if (cancelled) continue;
            if (b.Overflow == 1) c[7]++;
            if (b.Origin == "sas") c[8]++;
            if (b.RegularDoctor == "none") c[9]++;
            if (b.RegularDoctor == "unavailable") c[10]++;
            var local = TimeZoneInfo.ConvertTimeFromUtc(consultation, Zone(raw, b.SectorCode));
            if (Sas.Domain.Professions.Professions.EarnsMajoration(b.Profession)
                && policy.IsEligible(b.Origin, cancelled, b.Outcome, b.RequestedAt, consultation, local, b.GpIsRegularDoctor == 1)) c[11]++;
            var delay = Math.Max(0, (long)Math.Floor((consultation - b.RequestedAt).TotalMinutes));
            var key = (b.SectorCode, b.Rpps, Buckets.LocalHourStart(consultation, Zone(raw, b.SectorCode)), delay);
            delays[key] = delays.GetValueOrDefault(key) + 1;
        }

        var hourly = cells.Select(kv =>
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(kv.Key.Hour, Zone(raw, kv.Key.Sector));
            return new HourlyRow(kv.Key.Sector, kv.Key.Rpps, kv.Key.Hour,
                kv.Value[0], kv.Value[1], kv.Value[2], kv.Value[3], kv.Value[4], kv.Value[5], kv.Value[6],
                kv.Value[7], kv.Value[8], kv.Value[9], kv.Value[10], kv.Value[11],
                Buckets.Day(local), Buckets.Week(local), Buckets.Month(local), Buckets.IsoWeekday(local), local.Hour);
        }).ToList();
        var delayRows = delays.Select(kv => new DelayRow(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, kv.Value)).ToList();
        return (hourly, delayRows);
    }

    /// <summary>The per-GP rows summed per sector and hour; <see cref="HourlyRow.Rpps"/> is empty on the result.</summary>
    public static List<HourlyRow> BySector(IEnumerable<HourlyRow> hourly) =>
        hourly.GroupBy(h => (h.SectorCode, h.HourUtc))
            .Select(g =>
            {
                var first = g.First();
                return first with
                {
                    Rpps = "",
                    Offered = g.Sum(h => h.Offered), Booked = g.Sum(h => h.Booked), Expired = g.Sum(h => h.Expired),
                    OfferedMinutes = g.Sum(h => h.OfferedMinutes), Honoured = g.Sum(h => h.Honoured), NoShow = g.Sum(h => h.NoShow),
                    Cancelled = g.Sum(h => h.Cancelled), OverflowBookings = g.Sum(h => h.OverflowBookings), SasBookings = g.Sum(h => h.SasBookings),
                    NoRegularDoctor = g.Sum(h => h.NoRegularDoctor), RegularDoctorUnavailable = g.Sum(h => h.RegularDoctorUnavailable),
                    MajorationEligible = g.Sum(h => h.MajorationEligible),
                };
            })
            .ToList();

    /// <summary>The UTC hour holding an instant: the job's ranges are whole UTC hours.</summary>
    public static DateTime Hour(DateTime utc) => new(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc);

    private static TimeZoneInfo Zone(StatsStore.Raw raw, string sector) =>
        Sas.Domain.Time.Zones.Find(raw.Zones.GetValueOrDefault(sector));
}
