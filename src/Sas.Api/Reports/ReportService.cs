using Sas.Domain.Reports;
using Sas.Domain.Time;

namespace Sas.Api.Reports;

/// <summary>The CPTS reports, computed from the hourly aggregates, each hour placed in its sector's local time.</summary>
public sealed class ReportService(StatsStore store, MajorationPolicy policy)
{
    public const double ParticipationLineHours = 2;

    public sealed record Scope(IReadOnlyDictionary<string, TimeZoneInfo> Sectors, DateTime FromUtc, DateTime ToUtc);

    private static DateTime Local(Scope scope, string sector, DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, scope.Sectors[sector]);

    public async Task<FillRateReport> FillRateAsync(Scope scope, GroupBy groupBy, CancellationToken ct)
    {
        var (hourly, _) = await store.ReadAsync(scope.Sectors.Keys.ToList(), scope.FromUtc, scope.ToUtc, ct);
        var names = groupBy == GroupBy.Practitioner ? await store.NamesAsync(hourly.Select(h => h.Rpps).Distinct().ToList(), ct) : null;
        var rows = hourly
            .Where(h => h.Offered + h.Honoured + h.NoShow + h.Cancelled > 0)
            .GroupBy(h => Key(scope, h, groupBy))
            .OrderBy(g => g.Key.Sort, StringComparer.Ordinal)
            .Select(g => new FillRateRow(g.Key.Key,
                names is not null && names.TryGetValue(g.Key.Key, out var n) ? $"{n.FirstName} {n.LastName}" : null,
                g.Key.Weekday, g.Key.Hour,
                g.Sum(h => h.Offered), g.Sum(h => h.Booked), g.Sum(h => h.Expired), Figures.FillRate(g.Sum(h => h.Booked), g.Sum(h => h.Offered)),
                g.Sum(h => h.Honoured), g.Sum(h => h.NoShow), g.Sum(h => h.Cancelled)))
            .ToArray();
        var totals = new FillRateTotals(rows.Sum(r => r.Offered), rows.Sum(r => r.Booked), rows.Sum(r => r.Expired),
            Figures.FillRate(rows.Sum(r => r.Booked), rows.Sum(r => r.Offered)), rows.Sum(r => r.Honoured), rows.Sum(r => r.NoShow), rows.Sum(r => r.Cancelled));
        return new FillRateReport(ToText(groupBy), Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), rows, totals);
    }

    private static (string Key, string Sort, int? Weekday, int? Hour) Key(Scope scope, HourlyRow h, GroupBy groupBy)
    {
        var local = Local(scope, h.SectorCode, h.HourUtc);
        return groupBy switch
        {
            GroupBy.Day => (Buckets.Day(local), Buckets.Day(local), null, null),
            GroupBy.Week => (Buckets.Week(local), Buckets.Week(local), null, null),
            GroupBy.Month => (Buckets.Month(local), Buckets.Month(local), null, null),
            GroupBy.Practitioner => (h.Rpps, h.Rpps, null, null),
            GroupBy.Sector => (h.SectorCode, h.SectorCode, null, null),
            _ => ($"{Buckets.IsoWeekday(local)}-{local.Hour:D2}", $"{Buckets.IsoWeekday(local)}-{local.Hour:D2}", Buckets.IsoWeekday(local), local.Hour),
        };
    }

    public async Task<IndicatorsReport> IndicatorsAsync(Scope scope, CancellationToken ct)
    {
        var (hourly, delays) = await store.ReadAsync(scope.Sectors.Keys.ToList(), scope.FromUtc, scope.ToUtc, ct);
        var histogram = delays.GroupBy(d => d.DelayMinutes).Select(g => (g.Key, g.Sum(d => d.Bookings))).ToList();
        var count = histogram.Sum(h => h.Item2);
        double? Share(long maxMinutes) => count == 0 ? null : Math.Round((double)histogram.Where(h => h.Key <= maxMinutes).Sum(h => h.Item2) / count, 4);
        return new IndicatorsReport(
            Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc),
            hourly.Where(h => h.Offered > 0 || h.OverflowBookings > 0).Select(h => h.Rpps).Distinct().LongCount(),
            hourly.Sum(h => h.SasBookings),
            hourly.Sum(h => h.NoRegularDoctor),
            hourly.Sum(h => h.RegularDoctorUnavailable),
            new DelayFigures(count, Figures.Percentile(histogram, 0.5), Figures.Percentile(histogram, 0.9), Share(24 * 60), Share(48 * 60)),
            hourly.Sum(h => h.OverflowBookings));
    }

    public async Task<MajorationReport> MajorationsAsync(Scope scope, CancellationToken ct)
    {
        var (hourly, _) = await store.ReadAsync(scope.Sectors.Keys.ToList(), scope.FromUtc, scope.ToUtc, ct);
        var names = await store.NamesAsync(hourly.Select(h => h.Rpps).Distinct().ToList(), ct);
        var rows = hourly.Where(h => h.MajorationEligible > 0)
            .GroupBy(h => (h.Rpps, Week: Buckets.Week(Local(scope, h.SectorCode, h.HourUtc))))
            .OrderBy(g => g.Key.Rpps, StringComparer.Ordinal).ThenBy(g => g.Key.Week, StringComparer.Ordinal)
            .Select(g =>
            {
                var eligible = (int)g.Sum(h => h.MajorationEligible);
                return new MajorationRow(g.Key.Rpps, NameOf(names, g.Key.Rpps), g.Key.Week, eligible, policy.Capped(eligible), policy.AmountFor(eligible));
            })
            .ToArray();
        return new MajorationReport(Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), policy.Amount, policy.WeeklyCap, rows, rows.Sum(r => r.Amount));
    }

    public async Task<ParticipationReport> ParticipationAsync(Scope scope, CancellationToken ct)
    {
        var (hourly, _) = await store.ReadAsync(scope.Sectors.Keys.ToList(), scope.FromUtc, scope.ToUtc, ct);
        var names = await store.NamesAsync(hourly.Select(h => h.Rpps).Distinct().ToList(), ct);
        var rows = hourly.Where(h => h.OfferedMinutes > 0)
            .GroupBy(h => (h.Rpps, Week: Buckets.Week(Local(scope, h.SectorCode, h.HourUtc))))
            .OrderBy(g => g.Key.Rpps, StringComparer.Ordinal).ThenBy(g => g.Key.Week, StringComparer.Ordinal)
            .Select(g =>
            {
                var hours = Math.Round(g.Sum(h => h.OfferedMinutes) / 60.0, 2);
                return new ParticipationRow(g.Key.Rpps, NameOf(names, g.Key.Rpps), g.Key.Week, hours, hours >= ParticipationLineHours);
            })
            .ToArray();
        return new ParticipationReport(Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), ParticipationLineHours, rows);
    }

    private static string? NameOf(IReadOnlyDictionary<string, StatsStore.GpName> names, string rpps) =>
        names.TryGetValue(rpps, out var n) ? $"{n.FirstName} {n.LastName}" : null;

    public static string ToText(GroupBy g) => g switch
    {
        GroupBy.WeekdayHour => "weekday_hour",
        _ => g.ToString().ToLowerInvariant(),
    };

    public static GroupBy? ParseGroupBy(string? text) => text switch
    {
        "day" => GroupBy.Day, "week" => GroupBy.Week, "month" => GroupBy.Month,
        "practitioner" => GroupBy.Practitioner, "sector" => GroupBy.Sector, "weekday_hour" => GroupBy.WeekdayHour,
        _ => null,
    };
}
