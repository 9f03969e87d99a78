using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Sas.Api.Infrastructure;
using Sas.Api.Infrastructure.OpenApi;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Territory;
using Sas.Domain.Identifiers;
using Sas.Domain.Reports;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Reports;

public static class ReportEndpoints
{
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(400);

    public static RouteGroupBuilder MapReports(this RouteGroupBuilder v1)
    {
        var reports = v1.MapGroup("/reports").WithTags("Reports").RequireAuthorization(Policies.Cpts);
        reports.MapGet("/fill-rate", GetFillRateReport).WithName(nameof(GetFillRateReport))
            .WithSummary("Offered, booked, expired and fill rate by day, ISO week, month, GP, sector or weekday × hour (cpts for its territory, admin); text/csv or ?format=excel-fr")
            .WithMetadata(new ProducesCsvMetadata(), new RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed, E.PeriodNotAligned, E.CptsNotFound, E.SectorNotFound);
        reports.MapGet("/indicators", GetIndicatorsReport).WithName(nameof(GetIndicatorsReport))
            .WithSummary("ACI indicators of a CPTS: GPs participating, SAS requests with an appointment, MT splits, delays in minutes")
            .WithMetadata(new ProducesCsvMetadata(), new RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed, E.PeriodNotAligned, E.CptsNotFound, E.SectorNotFound);
        reports.MapGet("/majorations", GetMajorationsReport).WithName(nameof(GetMajorationsReport))
            .WithSummary("Majoration SNP per GP and ISO week: eligible acts, acts within the weekly cap, amount")
            .WithMetadata(new ProducesCsvMetadata(), new RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed, E.PeriodNotAligned, E.CptsNotFound, E.SectorNotFound);
        reports.MapGet("/participation", GetParticipationReport).WithName(nameof(GetParticipationReport))
            .WithSummary("Hours of slots offered per GP and ISO week against the 2-hour participation line")
            .WithMetadata(new ProducesCsvMetadata(), new RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed, E.PeriodNotAligned, E.CptsNotFound, E.SectorNotFound);
        reports.MapGet("/requests", GetRequestsReport).WithName(nameof(GetRequestsReport))
            .WithSummary("Pooled requests by sector and profession: posted, accepted, expired, withdrawn, open, minutes to acceptance (median, p90); and who accepts them")
            .WithMetadata(new ProducesCsvMetadata(), new RequiredParametersMetadata("from", "to")).ProducesErrors(E.ValidationFailed, E.PeriodNotAligned, E.CptsNotFound, E.SectorNotFound);
        return v1;
    }

    public readonly record struct Services(ReportService Reports, TerritoryStore Territory, HttpContext Http);

    public static async Task<Results<Ok<FillRateReport>, ContentHttpResult, ProblemHttpResult>> GetFillRateReport(
        string? cpts, string? sector, string? from, string? to, string? groupBy, string? profession, string? format, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var group = ReportService.ParseGroupBy(groupBy ?? "day");
        var (scope, problem) = await ResolveAsync(cpts, sector, from, to, profession, format, user, s, extra: e =>
        {
            if (group is null) e.Add("groupBy", $"must be {string.Join(", ", Infrastructure.OpenApi.ContractRules.GroupBys)}");
        }, ct);
        if (problem is not null) return problem;
        var report = await s.Reports.FillRateAsync(scope!, group!.Value, ct);
        if (CsvFlavour(s.Http, format) is not { } excelFr) return TypedResults.Ok(report);
        return Text(FillRateCsv(report, excelFr));
    }

    /// <summary>The fill-rate report as CSV: what the API answers and the console downloads, one code path.</summary>
    public static Csv FillRateCsv(FillRateReport report, bool excelFr)
    {
        var csv = new Csv(excelFr).Row("key", "label", "weekday", "hour", "offered", "booked", "expired", "fillRate", "honoured", "noShow", "cancelled");
        foreach (var r in report.Rows) csv.Row(r.Key, r.Label, r.Weekday, r.Hour, r.Offered, r.Booked, r.Expired, r.FillRate, r.Honoured, r.NoShow, r.Cancelled);
        var t = report.Totals;
        return csv.Row("total", null, null, null, t.Offered, t.Booked, t.Expired, t.FillRate, t.Honoured, t.NoShow, t.Cancelled);
    }

    public static async Task<Results<Ok<IndicatorsReport>, ContentHttpResult, ProblemHttpResult>> GetIndicatorsReport(
        string? cpts, string? sector, string? from, string? to, string? profession, string? format, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var (scope, problem) = await ResolveAsync(cpts, sector, from, to, profession, format, user, s, null, ct);
        if (problem is not null) return problem;
        var r = await s.Reports.IndicatorsAsync(scope!, ct);
        if (CsvFlavour(s.Http, format) is not { } excelFr) return TypedResults.Ok(r);
        // The territory's figures first (profession "all"), as before professions, then each profession's.
        var csv = new Csv(excelFr).Row("practitionersParticipating", "sasRequestsWithAppointment", "patientsWithoutRegularDoctor", "patientsRegularDoctorUnavailable",
            "delayBookings", "delayMedianMinutes", "delayP90Minutes", "within24h", "within48h", "overflowBookings", "profession");
        foreach (var p in r.ByProfession.Prepend(new ProfessionIndicators("all", "", r.PractitionersParticipating, r.SasRequestsWithAppointment,
            r.PatientsWithoutRegularDoctor, r.PatientsRegularDoctorUnavailable, r.Delay, r.OverflowBookings)))
            csv.Row(p.PractitionersParticipating, p.SasRequestsWithAppointment, p.PatientsWithoutRegularDoctor, p.PatientsRegularDoctorUnavailable,
                p.Delay.Bookings, p.Delay.Median, p.Delay.P90, p.Delay.Within24h, p.Delay.Within48h, p.OverflowBookings, p.Profession);
        return Text(csv);
    }

    public static async Task<Results<Ok<MajorationReport>, ContentHttpResult, ProblemHttpResult>> GetMajorationsReport(
        string? cpts, string? sector, string? from, string? to, string? profession, string? format, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var (scope, problem) = await ResolveAsync(cpts, sector, from, to, profession, format, user, s, null, ct);
        if (problem is not null) return problem;
        var r = await s.Reports.MajorationsAsync(scope!, ct);
        if (CsvFlavour(s.Http, format) is not { } excelFr) return TypedResults.Ok(r);
        var csv = new Csv(excelFr).Row("rpps", "name", "week", "eligibleActs", "cappedActs", "amount", "weekEligibleActs", "profession");
        foreach (var row in r.Rows) csv.Row(row.Rpps, row.Name, row.Week, row.EligibleActs, row.CappedActs, row.Amount, row.WeekEligibleActs, row.Profession);
        return Text(csv);
    }

    public static async Task<Results<Ok<ParticipationReport>, ContentHttpResult, ProblemHttpResult>> GetParticipationReport(
        string? cpts, string? sector, string? from, string? to, string? profession, string? format, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var (scope, problem) = await ResolveAsync(cpts, sector, from, to, profession, format, user, s, null, ct);
        if (problem is not null) return problem;
        var r = await s.Reports.ParticipationAsync(scope!, ct);
        if (CsvFlavour(s.Http, format) is not { } excelFr) return TypedResults.Ok(r);
        var csv = new Csv(excelFr).Row("rpps", "name", "week", "offeredHours", "reachesLine", "profession");
        foreach (var row in r.Rows) csv.Row(row.Rpps, row.Name, row.Week, row.OfferedHours, row.ReachesLine, row.Profession);
        return Text(csv);
    }

    public static async Task<Results<Ok<RequestsReport>, ContentHttpResult, ProblemHttpResult>> GetRequestsReport(
        string? cpts, string? sector, string? from, string? to, string? profession, string? format, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken ct)
    {
        var (scope, problem) = await ResolveAsync(cpts, sector, from, to, profession, format, user, s, null, ct);
        if (problem is not null) return problem;
        var r = await s.Reports.RequestsAsync(scope!, ct);
        if (CsvFlavour(s.Http, format) is not { } excelFr) return TypedResults.Ok(r);
        var csv = new Csv(excelFr).Row("sector", "profession", "posted", "accepted", "expired", "withdrawn", "open", "acceptanceMedianMinutes", "acceptanceP90Minutes");
        foreach (var g in r.Rows.Append(r.Totals))
            csv.Row(g.Sector, g.Profession, g.Posted, g.Accepted, g.Expired, g.Withdrawn, g.Open, g.AcceptanceMedianMinutes, g.AcceptanceP90Minutes);
        return Text(csv);
    }

    /// <summary>Checks the query and the caller's territory; answers the sectors (with their zones) and the period.</summary>
    private static async Task<(ReportService.Scope? Scope, ProblemHttpResult? Problem)> ResolveAsync(
        string? cpts, string? sector, string? from, string? to, string? profession, string? format, ClaimsPrincipal user, Services s, Action<ValidationErrors>? extra, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var professions = errors.ProfessionList(profession);
        if ((cpts is null) == (sector is null)) errors.Add("cpts", "give exactly one of cpts or sector");
        if (cpts is not null && !Finess.IsValid(cpts)) errors.Add("cpts", "is not a valid FINESS number");
        var fromUtc = errors.Instant("from", from);
        var toUtc = errors.Instant("to", to);
        if (fromUtc is not null && toUtc is not null && (toUtc <= fromUtc || toUtc - fromUtc > MaxPeriod))
            errors.Add("to", $"must be after from, at most {MaxPeriod.TotalDays} days later");
        if (format is not (null or "json" or "csv" or "excel-fr")) errors.Add("format", "must be json, csv or excel-fr");
        extra?.Invoke(errors);
        if (errors.Any) return (null, errors.ToProblem());

        var caller = Caller.From(user);
        // A CPTS limited to some professions reports on theirs when it names none, and may not ask for others.
        if (professions is not null && caller.ProfessionOutside(professions) is { } outside) return (null, Problems.Of(E.ForbiddenScope, Caller.ProfessionRefusal(outside)));
        IReadOnlyList<string>? only = professions ?? caller.Professions;
        IReadOnlyList<SectorRow> sectors;
        if (cpts is not null)
        {
            if (!caller.CoversCpts(cpts)) return (null, Problems.Of(E.ForbiddenScope, "This client does not report for this CPTS."));
            if (await s.Territory.GetCptsAsync(cpts, ct) is null) return (null, Problems.Of(E.CptsNotFound));
            sectors = await s.Territory.GetSectorsAsync(await s.Territory.CptsSectorCodesAsync(cpts, ct), ct);
        }
        else
        {
            var row = await s.Territory.GetSectorAsync(sector!, ct);
            if (row is null) return (null, Problems.Of(E.SectorNotFound));
            if (!caller.IsAdmin && (row.CptsFiness is null || !caller.CoversCpts(row.CptsFiness)))
                return (null, Problems.Of(E.ForbiddenScope, "This sector is not in this client's CPTS."));
            sectors = [row];
        }
        var zones = sectors.ToDictionary(x => x.Code, x => Sas.Domain.Time.Zones.Find(x.TimeZone));
        // The figures are kept per local hour: a bound inside an hour would count that hour whole or not at all.
        foreach (var (field, at) in new[] { ("from", fromUtc!.Value), ("to", toUtc!.Value) })
            if (zones.Values.Distinct().FirstOrDefault(z => !Buckets.IsLocalHourStart(at, z)) is { } zone)
                errors.Add(field, $"must fall on a whole hour of the sectors' local time ({zone.Id})");
        if (errors.Any) return (null, errors.ToProblem(E.PeriodNotAligned));
        return (new ReportService.Scope(zones, fromUtc!.Value, toUtc!.Value, only), null);
    }

    /// <summary>null for JSON; false for RFC 4180 CSV (<c>Accept: text/csv</c> or <c>?format=csv</c>); true for French Excel.</summary>
    private static bool? CsvFlavour(HttpContext http, string? format) => format switch
    {
        "excel-fr" => true,
        "csv" => false,
        "json" => null,
        _ => http.Request.Headers.Accept.ToString().Contains(Csv.MediaType, StringComparison.OrdinalIgnoreCase) ? false : null,
    };

    private static ContentHttpResult Text(Csv csv) => TypedResults.Text(csv.ToString(), "text/csv; charset=utf-8");
}
