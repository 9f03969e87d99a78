using Sas.Domain.Reports;
using Sas.Domain.Time;

namespace Sas.Api.Reports;

/// <summary>
/// The CPTS reports. The database sums the hourly aggregates per group (each row carries its local day,
/// ISO week, month, weekday and hour in its sector's time zone), so a year of a territory is a few
/// hundred grouped rows here, not every hour.
/// </summary>
public sealed class ReportService(StatsStore store, MajorationPolicy policy)
{
    public const double ParticipationLineHours = 2;

    /// <summary>A report's territory and period, and the professions it is limited to (null: every one).</summary>
    public sealed record Scope(IReadOnlyDictionary<string, TimeZoneInfo> Sectors, DateTime FromUtc, DateTime ToUtc, IReadOnlyList<string>? Professions = null);

    /// <summary>When the figures were computed (the statistics lag the raw rows by up to the 5-minute aggregation).</summary>
    private async Task<string?> AsOfAsync(CancellationToken ct) => await store.ReadStateAsync(StatsStore.AsOf, ct) is { Length: > 0 } at ? at : null;

    private Task<IReadOnlyList<GroupRow>> Grouped(Scope scope, ReportKey key, CancellationToken ct) =>
        store.GroupedAsync(scope.Sectors.Keys.ToList(), scope.FromUtc, scope.ToUtc, key, scope.Professions, ct);

    public async Task<FillRateReport> FillRateAsync(Scope scope, GroupBy groupBy, CancellationToken ct)
    {
        var groups = (await Grouped(scope, KeyFor(groupBy), ct)).Where(g => g.Offered + g.Honoured + g.NoShow + g.Cancelled > 0).ToList();
        IReadOnlyDictionary<string, string>? labels = null;
        if (groupBy is GroupBy.Practitioner or GroupBy.Profession)
        {
            var names = await store.NamesAsync(groups.Select(g => g.GroupKey).ToList(), ct);
            if (groupBy == GroupBy.Profession) groups = ByProfession(groups, names);
            labels = groupBy == GroupBy.Profession
                ? groups.ToDictionary(g => g.GroupKey, g => Sas.Domain.Professions.Professions.LabelOf(g.GroupKey))
                : names.ToDictionary(n => n.Key, n => $"{n.Value.FirstName} {n.Value.LastName}");
        }
        var rows = groups
            .Select(g => (Key: groupBy == GroupBy.WeekdayHour ? $"{g.Weekday}-{g.Hour:D2}" : g.GroupKey, Group: g))
            .OrderBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new FillRateRow(x.Key,
                labels is not null && labels.TryGetValue(x.Key, out var label) ? label : null,
                groupBy == GroupBy.WeekdayHour ? (int)x.Group.Weekday : null, groupBy == GroupBy.WeekdayHour ? (int)x.Group.Hour : null,
                x.Group.Offered, x.Group.Booked, x.Group.Expired, Figures.FillRate(x.Group.Booked, x.Group.Offered),
                x.Group.Honoured, x.Group.NoShow, x.Group.Cancelled))
            .ToArray();
        var totals = new FillRateTotals(rows.Sum(r => r.Offered), rows.Sum(r => r.Booked), rows.Sum(r => r.Expired),
            Figures.FillRate(rows.Sum(r => r.Booked), rows.Sum(r => r.Offered)), rows.Sum(r => r.Honoured), rows.Sum(r => r.NoShow), rows.Sum(r => r.Cancelled));
        return new FillRateReport(ToText(groupBy), Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), await AsOfAsync(ct), rows, totals);
    }

    private static ReportKey KeyFor(GroupBy groupBy) => groupBy switch
    {
        GroupBy.Day => ReportKey.Day,
        GroupBy.Week => ReportKey.Week,
        GroupBy.Month => ReportKey.Month,
        GroupBy.Practitioner or GroupBy.Profession => ReportKey.Practitioner,
        GroupBy.Sector => ReportKey.Sector,
        _ => ReportKey.WeekdayHour,
    };

    /// <summary>
    /// The professionals' groups summed per profession (each professional's as registered now), named by its French
    /// label: who carries the unscheduled care of the territory, GPs, nurses, physicians…
    /// </summary>
    private static List<GroupRow> ByProfession(List<GroupRow> byProfessional, IReadOnlyDictionary<string, StatsStore.GpName> names) =>
        byProfessional
            .GroupBy(g => names.TryGetValue(g.GroupKey, out var n) ? n.Profession : Sas.Domain.Professions.Professions.GeneralPractitioner.Name)
            .Select(p => new GroupRow
            {
                GroupKey = p.Key, Offered = p.Sum(g => g.Offered), Booked = p.Sum(g => g.Booked), Expired = p.Sum(g => g.Expired),
                Honoured = p.Sum(g => g.Honoured), NoShow = p.Sum(g => g.NoShow), Cancelled = p.Sum(g => g.Cancelled),
            })
            .ToList();

    /// <summary>
    /// Pooled requests by sector and profession — posted, accepted, expired, withdrawn, still open, and the minutes from
    /// posting to acceptance (median, 90th percentile) — and who accepted them, most first.
    /// </summary>
    public async Task<RequestsReport> RequestsAsync(Scope scope, CancellationToken ct)
    {
        var rows = await store.PooledRequestsAsync(scope.Sectors.Keys.ToList(), scope.FromUtc, scope.ToUtc, scope.Professions, ct);
        static RequestGroupRow Group(string sector, string profession, IReadOnlyCollection<StatsStore.PooledRequestRow> of)
        {
            var waits = of.Where(r => r.Status == Requests.RequestStatus.Accepted && r.ClosedAt is not null)
                .GroupBy(r => (long)Math.Round((r.ClosedAt!.Value - r.CreatedAt).TotalMinutes)).Select(g => (g.Key, (long)g.Count())).ToList();
            long Count(string status) => of.Count(r => r.Status == status);
            return new RequestGroupRow(sector, profession, of.Count, Count(Requests.RequestStatus.Accepted), Count(Requests.RequestStatus.Expired),
                Count(Requests.RequestStatus.Withdrawn), Count(Requests.RequestStatus.Open), Figures.Percentile(waits, 0.5), Figures.Percentile(waits, 0.9));
        }
        var groups = rows.GroupBy(r => (r.SectorCode, r.Profession)).OrderBy(g => g.Key.SectorCode, StringComparer.Ordinal).ThenBy(g => g.Key.Profession, StringComparer.Ordinal)
            .Select(g => Group(g.Key.SectorCode, g.Key.Profession, [.. g])).ToArray();
        var accepted = rows.Where(r => r.AcceptedBy is not null).GroupBy(r => r.AcceptedBy!).ToList();
        var names = await store.NamesAsync(accepted.Select(g => g.Key).ToList(), ct);
        var acceptors = accepted
            .Select(g => new AcceptorRow(g.Key, NameOf(names, g.Key), names.TryGetValue(g.Key, out var n) ? n.Profession : g.First().Profession, g.Count()))
            .OrderByDescending(a => a.Accepted).ThenBy(a => a.Rpps, StringComparer.Ordinal).ToArray();
        return new RequestsReport(Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), groups, Group("all", "all", rows.ToList()), acceptors);
    }

    /// <summary>
    /// The ACI indicators of the territory, and the same figures for each profession (issue #32): who takes part and who
    /// the SAS sends patients to, GPs, nurses, physicians… A professional has one profession, so the rows add up to the totals.
    /// </summary>
    public async Task<IndicatorsReport> IndicatorsAsync(Scope scope, CancellationToken ct)
    {
        var (counts, delays) = await store.IndicatorPartsAsync(scope.Sectors.Keys.ToList(), scope.FromUtc, scope.ToUtc, scope.Professions, ct);
        static DelayFigures Delay(IEnumerable<StatsStore.ProfessionDelay> of)
        {
            var histogram = of.GroupBy(d => d.DelayMinutes).Select(g => (Minutes: g.Key, Count: g.Sum(d => d.Bookings))).ToList();
            var count = histogram.Sum(h => h.Count);
            double? Share(long maxMinutes) => count == 0 ? null : Math.Round((double)histogram.Where(h => h.Minutes <= maxMinutes).Sum(h => h.Count) / count, 4);
            return new DelayFigures(count, Figures.Percentile(histogram, 0.5), Figures.Percentile(histogram, 0.9), Share(24 * 60), Share(48 * 60));
        }
        var byProfession = counts.OrderBy(c => c.Profession, StringComparer.Ordinal)
            .Select(c => new ProfessionIndicators(c.Profession, Sas.Domain.Professions.Professions.LabelOf(c.Profession),
                c.Participating, c.SasBookings, c.NoRegularDoctor, c.RegularDoctorUnavailable, Delay(delays.Where(d => d.Profession == c.Profession)), c.OverflowBookings))
            .ToArray();
        return new IndicatorsReport(
            Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), await AsOfAsync(ct),
            counts.Sum(c => c.Participating), counts.Sum(c => c.SasBookings), counts.Sum(c => c.NoRegularDoctor), counts.Sum(c => c.RegularDoctorUnavailable),
            Delay(delays), counts.Sum(c => c.OverflowBookings), byProfession);
    }

    /// <summary>
    /// The weekly cap is the GP's, over the whole ISO week and every sector, whatever the report asks: the week's
    /// eligible acts are paid in the order they happened (by hour, then sector), up to the cap, and this report
    /// shows the acts of its territory and period with how many of them are within the cap. So two reports that
    /// split a week, or the reports of two CPTS a GP works in, never pay more than the cap together.
    /// </summary>
    public async Task<MajorationReport> MajorationsAsync(Scope scope, CancellationToken ct)
    {
        var gps = (await Grouped(scope, ReportKey.PractitionerWeek, ct)).Where(g => g.MajorationEligible > 0).Select(g => Split(g).Rpps).Distinct().ToList();
        // Whole weeks around the period, in any zone: eight days either side.
        var hours = await store.EligibleHoursAsync(gps, scope.FromUtc.AddDays(-8), scope.ToUtc.AddDays(8), ct);
        bool InReport(StatsStore.EligibleHour h) => scope.Sectors.ContainsKey(h.SectorCode) && h.HourUtc >= scope.FromUtc && h.HourUtc < scope.ToUtc;
        var weeks = hours.GroupBy(h => (h.Rpps, h.LocalWeek))
            .Where(week => week.Any(InReport))
            .Select(week =>
            {
                long paidSoFar = 0, eligible = 0, capped = 0;
                foreach (var h in week.OrderBy(h => h.HourUtc).ThenBy(h => h.SectorCode, StringComparer.Ordinal))
                {
                    var paid = Math.Min(h.Eligible, Math.Max(0, policy.WeeklyCap - paidSoFar));
                    paidSoFar += h.Eligible;
                    if (!InReport(h)) continue;
                    eligible += h.Eligible;
                    capped += paid;
                }
                return (week.Key.Rpps, Week: week.Key.LocalWeek, Eligible: eligible, Capped: capped, WeekTotal: week.Sum(h => h.Eligible));
            })
            .ToList();
        var names = await store.NamesAsync(weeks.Select(w => w.Rpps).Distinct().ToList(), ct);
        var rows = weeks.OrderBy(w => w.Rpps, StringComparer.Ordinal).ThenBy(w => w.Week, StringComparer.Ordinal)
            .Select(w => new MajorationRow(w.Rpps, NameOf(names, w.Rpps), w.Week, w.Eligible, w.Capped, w.Capped * policy.Amount, w.WeekTotal, ProfessionOf(names, w.Rpps)))
            .ToArray();
        return new MajorationReport(Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), await AsOfAsync(ct), policy.Amount, policy.WeeklyCap, rows, rows.Sum(r => r.Amount));
    }

    public async Task<ParticipationReport> ParticipationAsync(Scope scope, CancellationToken ct)
    {
        var weeks = (await Grouped(scope, ReportKey.PractitionerWeek, ct)).Where(g => g.OfferedMinutes > 0).Select(Split).ToList();
        var names = await store.NamesAsync(weeks.Select(w => w.Rpps).Distinct().ToList(), ct);
        var rows = weeks.OrderBy(w => w.Rpps, StringComparer.Ordinal).ThenBy(w => w.Week, StringComparer.Ordinal)
            .Select(w =>
            {
                var hours = Math.Round(w.Group.OfferedMinutes / 60.0, 2);
                return new ParticipationRow(w.Rpps, NameOf(names, w.Rpps), w.Week, hours, hours >= ParticipationLineHours, ProfessionOf(names, w.Rpps));
            })
            .ToArray();
        return new ParticipationReport(Instants.Format(scope.FromUtc), Instants.Format(scope.ToUtc), await AsOfAsync(ct), ParticipationLineHours, rows);
    }

    private static (string Rpps, string Week, GroupRow Group) Split(GroupRow g)
    {
        var bar = g.GroupKey.IndexOf('|');
        return (g.GroupKey[..bar], g.GroupKey[(bar + 1)..], g);
    }

    private static string? NameOf(IReadOnlyDictionary<string, StatsStore.GpName> names, string rpps) =>
        names.TryGetValue(rpps, out var n) ? $"{n.FirstName} {n.LastName}" : null;

    private static string? ProfessionOf(IReadOnlyDictionary<string, StatsStore.GpName> names, string rpps) =>
        names.TryGetValue(rpps, out var n) ? n.Profession : null;

    public static string ToText(GroupBy g) => g switch
    {
        GroupBy.WeekdayHour => "weekday_hour",
        _ => g.ToString().ToLowerInvariant(),
    };

    public static GroupBy? ParseGroupBy(string? text) => text switch
    {
        "day" => GroupBy.Day, "week" => GroupBy.Week, "month" => GroupBy.Month,
        "practitioner" => GroupBy.Practitioner, "sector" => GroupBy.Sector, "weekday_hour" => GroupBy.WeekdayHour, "profession" => GroupBy.Profession,
        _ => null,
    };
}
