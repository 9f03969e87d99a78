using System.Globalization;
using System.Text.Json;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Errors;
using Sas.Api.Practitioners;
using Sas.Api.Slots;
using Sas.Api.Territory;
using Sas.Domain;
using Sas.Domain.Slots;
using E = Sas.Api.Infrastructure.Errors.ErrorCodes;

namespace Sas.Api.Rules;

/// <summary>
/// Recurring availability: a practice gives "every Tuesday afternoon" once, and its slots are made up to the sector's
/// booking horizon, at once and then by the rules job as the horizon moves. The slots are ordinary slots (searched,
/// held, booked, withdrawn as any other) that a sync of the practice software neither changes nor withdraws.
/// </summary>
public sealed class RuleService(RuleStore rules, PractitionerStore practitioners, TerritoryStore territory, BookingOptions booking, TimeProvider clock)
{
    /// <summary>The domain rule's fields as the API names them.</summary>
    private static readonly Dictionary<string, string> Renamed = new() { ["end"] = "endTime", ["until"] = "lastDay" };

    private static readonly string[] DayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    public async Task<Result<RuleMadeDto>> CreateAsync(string rpps, RuleInput input, Caller caller, CancellationToken ct)
    {
        var parsed = await ParseAsync(rpps, input, caller, ct);
        if (!parsed.Succeeded) return parsed.As<RuleMadeDto>();
        var row = parsed.Value;
        await rules.CreateAsync(row, caller, ct);
        var (made, conflicts) = await MakeSlotsAsync(row, caller, ct);
        return new RuleMadeDto(Dto(row), made, [.. conflicts.Select(c => new RuleConflictDto(Domain.Time.Instants.Format(c.StartUtc), c.SlotId))]);
    }

    /// <summary>The slots a rule would make over its first <paramref name="weeks"/> weeks, local wall-clock times: the console's preview.</summary>
    public async Task<Result<IReadOnlyList<DateTime>>> PreviewAsync(string rpps, RuleInput input, Caller caller, int weeks, CancellationToken ct)
    {
        var parsed = await ParseAsync(rpps, input, caller, ct);
        if (!parsed.Succeeded) return parsed.As<IReadOnlyList<DateTime>>();
        var zone = Domain.Time.Zones.Find((await territory.GetSectorAsync(parsed.Value.SectorCode, ct))?.TimeZone);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        return parsed.Value.Rule.SlotsBetween(today, today.AddDays(7 * weeks), zone).Where(s => s.StartUtc > now)
            .Select(s => TimeZoneInfo.ConvertTimeFromUtc(s.StartUtc, zone)).ToList();
    }

    /// <summary>The rule as it would be stored, or the fields at fault.</summary>
    private async Task<Result<RuleRow>> ParseAsync(string rpps, RuleInput input, Caller caller, CancellationToken ct)
    {
        var gp = await practitioners.GetAsync(rpps, ct);
        if (gp is null) return Result<RuleRow>.Refused(E.PractitionerNotFound);
        var errors = new ValidationErrors();
        errors.Required(input.Site, "site");
        errors.Required(input.Sector, "sector");
        errors.Required(input.Modality, "modality");
        errors.Required(input.Weekdays, "weekdays");
        errors.Required(input.SlotMinutes, "slotMinutes");
        if (input.Site is not null && gp.Sites.All(s => s.SiteId != input.Site)) errors.Add("site", "is not one of this GP's sites");
        if (input.Sector is not null && !gp.Sectors.Contains(input.Sector)) errors.Add("sector", "is not one of this GP's sectors");
        var days = new List<int>();
        foreach (var (name, i) in (input.Weekdays ?? []).Select((n, i) => (n, i)))
        {
            var day = Array.IndexOf(DayNames, name);
            if (day < 0) errors.Add($"weekdays[{i}]", "must be monday, tuesday, wednesday, thursday, friday, saturday or sunday");
            else days.Add(day + 1);
        }
        var start = Time(input.StartTime, "startTime", errors);
        var end = Time(input.EndTime, "endTime", errors);
        var from = Date(input.FirstDay, "firstDay", errors);
        var until = input.LastDay is null ? null : Date(input.LastDay, "lastDay", errors);
        var exceptions = (input.Exceptions ?? []).Select((d, i) => Date(d, $"exceptions[{i}]", errors)).OfType<DateOnly>().ToHashSet();
        if (errors.Any || start is null || end is null || from is null || input.Modality is null || input.SlotMinutes is null)
            return Result<RuleRow>.Rejected(errors);
        var rule = new AvailabilityRule(days.Select(d => (DayOfWeek)(d % 7)).ToHashSet(), input.EveryWeeks, start.Value, end.Value, input.SlotMinutes.Value,
            from.Value, until, input.SkipPublicHolidays, exceptions);
        foreach (var (field, message) in rule.Errors()) errors.Add(Renamed.GetValueOrDefault(field, field), message);
        if (errors.Any) return Result<RuleRow>.Rejected(errors);

        var row = new RuleRow
        {
            Id = Guid.NewGuid().ToString("N"), Rpps = rpps, SectorCode = input.Sector!, SiteId = input.Site!, Modality = input.Modality.Value.ToText(),
            Weekdays = string.Join(',', days.Distinct().Order()), EveryWeeks = input.EveryWeeks, StartLocal = start.Value.ToString("HH:mm", CultureInfo.InvariantCulture),
            EndLocal = end.Value.ToString("HH:mm", CultureInfo.InvariantCulture), SlotMinutes = input.SlotMinutes.Value,
            FromDate = from.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), UntilDate = until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            SkipHolidays = input.SkipPublicHolidays ? 1 : 0,
            Exceptions = JsonSerializer.Serialize(exceptions.Order().Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
            CreatedBy = caller.ClientId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        return row;
    }

    public async Task<IReadOnlyList<RuleDto>> ListAsync(string rpps, CancellationToken ct) => [.. (await rules.ListAsync(rpps, ct)).Select(Dto)];

    public async Task<Result<RuleRemovedDto>> RemoveAsync(string rpps, string id, Caller caller, CancellationToken ct)
    {
        var (found, withdrawn, kept) = await rules.RemoveAsync(rpps, id, caller, ct);
        return found ? new RuleRemovedDto(withdrawn, kept) : Result<RuleRemovedDto>.Refused(E.RuleNotFound);
    }

    /// <summary>The rules job: every rule's slots made up to its sector's horizon as it moves. Safe on several nodes at once.</summary>
    public async Task<int> MakeAllAsync(Caller caller, CancellationToken ct)
    {
        var made = 0;
        foreach (var rule in await rules.AllAsync(ct)) made += (await MakeSlotsAsync(rule, caller, ct)).Made;
        return made;
    }

    private async Task<(int Made, List<RuleStore.Conflict> Conflicts)> MakeSlotsAsync(RuleRow row, Caller caller, CancellationToken ct)
    {
        var sector = await territory.GetSectorAsync(row.SectorCode, ct);
        if (sector is null) return (0, []); // the sector was deleted: nothing bookable to make
        var zone = Domain.Time.Zones.Find(sector.TimeZone);
        var now = clock.GetUtcNow().UtcDateTime;
        var latest = booking.WindowFor((int)sector.BookingHorizonHours).LatestStart(now);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(latest, zone));
        var times = row.Rule.SlotsBetween(today, last, zone).Where(s => s.StartUtc > now && s.StartUtc <= latest).ToList();
        return times.Count == 0 ? (0, []) : await rules.MakeSlotsAsync(row, times, caller, ct);
    }

    private static RuleDto Dto(RuleRow r) => new(r.Id, r.Rpps, r.SiteId, r.SectorCode, EnumText.Parse<Modality>(r.Modality),
        [.. r.Weekdays.Split(',').Select(d => DayNames[int.Parse(d, CultureInfo.InvariantCulture) - 1])], (int)r.EveryWeeks, r.StartLocal, r.EndLocal,
        (int)r.SlotMinutes, r.FromDate, r.UntilDate, r.SkipHolidays == 1, JsonSerializer.Deserialize<string[]>(r.Exceptions)!);

    private static TimeOnly? Time(string? text, string field, ValidationErrors errors)
    {
        if (!errors.Required(text, field)) return null;
        if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        errors.Add(field, "must be a local time as HH:mm");
        return null;
    }

    private static DateOnly? Date(string? text, string field, ValidationErrors errors)
    {
        if (!errors.Required(text, field)) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d.Year is >= 2000 and < 2100) return d;
        errors.Add(field, "must be a date as yyyy-MM-dd");
        return null;
    }
}
