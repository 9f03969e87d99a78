using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Reports;
using Sas.Api.Territory;
using Sas.Domain.Reports;

namespace Sas.Api.Console.Pages;

/// <summary>
/// A CPTS's dashboard: the fill rate by week, sector and GP, the weekday × hour heat map of offered and filled slots,
/// and the ACI indicators, for a period of whole weeks in the territory's local time. Every figure comes from
/// <see cref="ReportService"/>, as the reports API gives it for the same period; the CSV is the API's own.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleSetup.Scheme, Roles = Roles.Cpts + "," + Roles.Admin)]
public sealed class CptsModel(ReportService reports, TerritoryStore territory, TimeProvider clock) : PageModel
{
    public static CultureInfo French => ConsoleSetup.French;

    [BindProperty(SupportsGet = true, Name = "du")] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "semaines")] public int Weeks { get; set; } = 8;
    [BindProperty(SupportsGet = true, Name = "cpts")] public string? Finess { get; set; }

    public CptsRow? Cpts { get; private set; }
    public IReadOnlyList<CptsRow> Choices { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public string? Problem { get; private set; }
    public FillRateReport? ByWeek { get; private set; }
    public FillRateReport? BySector { get; private set; }
    public FillRateReport? ByPractitioner { get; private set; }
    public FillRateReport? ByWeekdayHour { get; private set; }
    public IndicatorsReport? Indicators { get; private set; }
    public MajorationReport? Majorations { get; private set; }
    public ParticipationReport? Participation { get; private set; }

    /// <summary>A GP's majorations over the period: the report's weeks added up.</summary>
    public sealed record GpMajorations(string Name, long EligibleActs, long CappedActs, decimal Amount);

    /// <summary>A GP's participation over the period: weeks at or above the line, and hours offered a week on average.</summary>
    public sealed record GpParticipation(string Name, int WeeksReaching, int Weeks, double AverageHours);

    public IEnumerable<GpMajorations> MajorationsByGp => (Majorations?.Rows ?? []).GroupBy(r => r.Rpps)
        .Select(g => new GpMajorations(g.First().Name ?? g.Key, g.Sum(r => r.EligibleActs), g.Sum(r => r.CappedActs), g.Sum(r => r.Amount)))
        .OrderByDescending(g => g.Amount).ThenBy(g => g.Name, StringComparer.Ordinal);

    public IEnumerable<GpParticipation> ParticipationByGp => (Participation?.Rows ?? []).GroupBy(r => r.Rpps)
        .Select(g => new GpParticipation(g.First().Name ?? g.Key, g.Count(r => r.ReachesLine), Weeks, g.Sum(r => r.OfferedHours) / Weeks))
        .OrderBy(g => g.WeeksReaching).ThenBy(g => g.Name, StringComparer.Ordinal);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await ScopeAsync(ct) is not { } scope) return Page();
        ByWeek = await reports.FillRateAsync(scope, GroupBy.Week, ct);
        BySector = await reports.FillRateAsync(scope, GroupBy.Sector, ct);
        ByPractitioner = await reports.FillRateAsync(scope, GroupBy.Practitioner, ct);
        ByWeekdayHour = await reports.FillRateAsync(scope, GroupBy.WeekdayHour, ct);
        Indicators = await reports.IndicatorsAsync(scope, ct);
        Majorations = await reports.MajorationsAsync(scope, ct);
        Participation = await reports.ParticipationAsync(scope, ct);
        return Page();
    }

    /// <summary>The weekly fill rate as the reports API's CSV: plain (comma, for tools) or for a French Excel (semicolon, decimal comma).</summary>
    public async Task<IActionResult> OnGetCsvAsync([FromQuery(Name = "format")] string? format, CancellationToken ct)
    {
        if (await ScopeAsync(ct) is not { } scope) return Page();
        var excelFr = format == "excel";
        var report = await reports.FillRateAsync(scope, GroupBy.Week, ct);
        var bytes = System.Text.Encoding.UTF8.GetBytes(ReportEndpoints.FillRateCsv(report, excelFr).ToString());
        return File(bytes, "text/csv; charset=utf-8", $"taux-de-remplissage-{Cpts!.Finess}-{From:yyyy-MM-dd}{(excelFr ? "-excel" : "")}.csv");
    }

    /// <summary>The CPTS shown (the caller's own, or the admin's choice) and the period: whole local weeks from a Monday.</summary>
    private async Task<ReportService.Scope?> ScopeAsync(CancellationToken ct)
    {
        (Cpts, Choices) = await CptsChoice.ForAsync(territory, Caller.From(User), Finess, ct);
        if (Cpts is null)
        {
            Problem = "Aucune CPTS n'est rattachée à cette identité.";
            return null;
        }
        var sectors = await territory.GetSectorsAsync(await territory.CptsSectorCodesAsync(Cpts.Finess, ct), ct);
        if (sectors.Count == 0)
        {
            Problem = "Cette CPTS n'a pas encore de secteur.";
            return null;
        }
        Zone = Sas.Domain.Time.Zones.Find(sectors[0].TimeZone);
        Weeks = Math.Clamp(Weeks, 1, 52);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone).DateTime);
        From ??= today.AddDays(-((int)today.DayOfWeek + 6) % 7).AddDays(-7 * (Weeks - 1)); // the Monday (Weeks - 1) weeks back
        // The reports' own bounds (Instants), with a day's margin for the zone: a person's mistake, not a 500.
        if (From.Value < DateOnly.FromDateTime(Domain.Time.Instants.Earliest).AddDays(1) || From.Value > DateOnly.FromDateTime(Domain.Time.Instants.Latest).AddDays(-1 - 7 * Weeks))
        {
            Problem = "La période doit tenir entre le 1er janvier 2000 et le 1er janvier 2100.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }
        var fromUtc = TimeZoneInfo.ConvertTimeToUtc(From.Value.ToDateTime(TimeOnly.MinValue), Zone);
        var toUtc = TimeZoneInfo.ConvertTimeToUtc(From.Value.AddDays(7 * Weeks).ToDateTime(TimeOnly.MinValue), Zone);
        var zones = sectors.ToDictionary(s => s.Code, s => Sas.Domain.Time.Zones.Find(s.TimeZone));
        if (zones.Values.Any(z => !Buckets.IsLocalHourStart(fromUtc, z) || !Buckets.IsLocalHourStart(toUtc, z)))
        {
            Problem = "Les secteurs de cette CPTS n'ont pas tous le même fuseau à l'heure près : choisissez un secteur dans l'API.";
            return null;
        }
        return new ReportService.Scope(zones, fromUtc, toUtc, Caller.From(User).Professions);
    }

    public static string Percent(double? rate) => rate is { } r ? r.ToString("P0", French) : "—";
    public static string Number(long n) => n.ToString("N0", French);
    public static string Euros(decimal amount) => amount.ToString("C0", French);
    public static string Hours(double hours) => hours.ToString("0.#", French) + " h";
}
