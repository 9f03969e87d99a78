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

    /// <summary>
    /// Rules and new slots per transaction of the job: the writer is held for one batch at a time, 10–35 ms for 400 slots
    /// (measured in docs/benchmarks.md: 200 held it 25 ms at most but the year took 55 s, 400 43–49 s), and a rule's
    /// slots are made at most one batch late.
    /// </summary>
    public const int RulesPerBatch = 100, SlotsPerBatch = 400;

    /// <summary>
    /// Creates the rule and makes its slots up to the sector's horizon. <paramref name="cpts"/>: the CPTS whose rota this
    /// is, when its coordinator gives it; the sector must then be one of the CPTS's.
    /// </summary>
    public async Task<Result<RuleMadeDto>> CreateAsync(string rpps, RuleInput input, Caller caller, CancellationToken ct, string? cpts = null)
    {
        var parsed = await ParseAsync(rpps, input, caller, Guid.NewGuid().ToString("N"), cpts, ct);
        if (!parsed.Succeeded) return parsed.As<RuleMadeDto>();
        var row = parsed.Value;
        var made = await rules.CreateAsync(new RuleStore.Wanted(row, await TimesAsync(row, new(), ct)), caller, ct);
        return new RuleMadeDto(Dto(row), made.Count, Conflicts(made.Conflicts));
    }

    /// <summary>
    /// Edits the rule in place: only its future free slots change (those the new rule does not make as they are are
    /// withdrawn, the missing ones made); held and booked slots stay, named when the new rule would not have made them.
    /// </summary>
    public async Task<Result<RuleEditedDto>> EditAsync(string rpps, string id, RuleInput input, Caller caller, CancellationToken ct, string? cpts = null)
    {
        if (await rules.GetAsync(rpps, id, ct) is null) return Result<RuleEditedDto>.Refused(E.RuleNotFound);
        var parsed = await ParseAsync(rpps, input, caller, id, cpts, ct);
        if (!parsed.Succeeded) return parsed.As<RuleEditedDto>();
        var row = parsed.Value;
        var edited = await rules.EditAsync(row, await TimesAsync(row, new(), ct), caller, ct);
        return edited is null ? Result<RuleEditedDto>.Refused(E.RuleNotFound)
            : new RuleEditedDto(Dto(row), edited.Made, edited.Withdrawn, edited.Kept, Conflicts(edited.Conflicts));
    }

    private static RuleConflictDto[] Conflicts(IEnumerable<RuleStore.Conflict> conflicts) =>
        [.. conflicts.Select(c => new RuleConflictDto(Domain.Time.Instants.Format(c.StartUtc), c.SlotId))];

    /// <summary>The slots a rule would make over its first <paramref name="weeks"/> weeks, local wall-clock times: the console's preview.</summary>
    public async Task<Result<IReadOnlyList<DateTime>>> PreviewAsync(string rpps, RuleInput input, Caller caller, int weeks, CancellationToken ct)
    {
        var parsed = await ParseAsync(rpps, input, caller, "", null, ct);
        if (!parsed.Succeeded) return parsed.As<IReadOnlyList<DateTime>>();
        var zone = Domain.Time.Zones.Find((await territory.GetSectorAsync(parsed.Value.SectorCode, ct))?.TimeZone);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        return parsed.Value.Rule.SlotsBetween(today, today.AddDays(7 * weeks), zone).Where(s => s.StartUtc > now)
            .Select(s => TimeZoneInfo.ConvertTimeFromUtc(s.StartUtc, zone)).ToList();
    }

    /// <summary>The rule as it would be stored, or the fields at fault.</summary>
    private async Task<Result<RuleRow>> ParseAsync(string rpps, RuleInput input, Caller caller, string id, string? cpts, CancellationToken ct)
    {
        var gp = await practitioners.GetAsync(rpps, ct);
        if (gp is null) return Result<RuleRow>.Refused(E.PractitionerNotFound);
        // A CPTS whose scope is limited to some professions keeps the rota of those only (issue #32).
        if (cpts is not null && !caller.CoversProfession(gp.Row.Profession)) return Result<RuleRow>.Refused(E.ForbiddenScope, Caller.ProfessionRefusal(gp.Row.Profession));
        var errors = new ValidationErrors();
        errors.Required(input.Site, "site");
        errors.Required(input.Sector, "sector");
        errors.Required(input.Modality, "modality");
        errors.Required(input.Weekdays, "weekdays");
        errors.Required(input.SlotMinutes, "slotMinutes");
        if (input.Site is not null && gp.Sites.All(s => s.SiteId != input.Site)) errors.Add("site", "is not one of this GP's sites");
        if (input.Sector is not null && !gp.Sectors.Contains(input.Sector)) errors.Add("sector", "is not one of this GP's sectors");
        else if (input.Sector is not null && cpts is not null && !(await territory.CptsSectorCodesAsync(cpts, ct)).Contains(input.Sector))
            errors.Add("sector", "is not one of this CPTS's sectors");
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
            Id = id, Rpps = rpps, SectorCode = input.Sector!, SiteId = input.Site!, Modality = input.Modality.Value.ToText(),
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

    /// <summary>The days of [first, last] each of the GP's rules gives slots on, in its sector's time: the practice's week.</summary>
    public async Task<IReadOnlyList<(RuleDto Rule, DateOnly Day)>> DaysAsync(string rpps, DateOnly first, DateOnly last, CancellationToken ct)
    {
        var days = new List<(RuleDto, DateOnly)>();
        foreach (var row in await rules.ListAsync(rpps, ct))
        {
            var zone = Domain.Time.Zones.Find(territory.TimeZoneOf(await territory.CachedSectorAsync(row.SectorCode, ct)));
            var dto = Dto(row);
            foreach (var day in row.Rule.SlotsBetween(first, last, zone).Select(s => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(s.StartUtc, zone))).Distinct())
                days.Add((dto, day));
        }
        return days;
    }

    /// <summary>The rules in the CPTS's sectors, of the professionals whose profession the caller's scope covers.</summary>
    public async Task<IReadOnlyList<RuleDto>> ListForCptsAsync(string finess, Caller caller, CancellationToken ct)
    {
        var rows = await rules.ListForCptsAsync(finess, ct);
        var covered = await practitioners.CoveringProfessionAsync(caller, [.. rows.Select(r => r.Rpps).Distinct(StringComparer.Ordinal)], ct);
        return [.. rows.Where(r => covered.Contains(r.Rpps)).Select(Dto)];
    }

    /// <summary>
    /// The professional whose rule this is, when the rule is in one of the CPTS's sectors and the caller's scope covers
    /// their profession; null otherwise (another profession's rule is not in a rota limited to some).
    /// </summary>
    public async Task<string?> RotaGpAsync(string finess, string id, Caller caller, CancellationToken ct) =>
        (await rules.GetInCptsAsync(finess, id, ct))?.Rpps is { } rpps && await practitioners.CoversProfessionAsync(caller, rpps, ct) ? rpps : null;

    public async Task<Result<RuleRemovedDto>> RemoveAsync(string rpps, string id, Caller caller, CancellationToken ct)
    {
        var (found, withdrawn, kept) = await rules.RemoveAsync(rpps, id, caller, ct);
        return found ? new RuleRemovedDto(withdrawn, kept) : Result<RuleRemovedDto>.Refused(E.RuleNotFound);
    }

    /// <summary>What a run of the rules job did, and the longest it held the writer (one batch's transaction).</summary>
    public sealed record JobRun(int Made, int Transactions, TimeSpan LongestTransaction);

    /// <summary>
    /// The rules job: every rule's slots made up to its sector's horizon as it moves, in batches of rules (in RPPS
    /// order) each made in one short transaction. Safe on several nodes at once.
    /// </summary>
    public async Task<JobRun> MakeAllAsync(Caller caller, CancellationToken ct)
    {
        var sectors = new Dictionary<string, SectorRow?>();
        var wanted = new List<RuleStore.Wanted>();
        foreach (var rule in (await rules.AllAsync(ct)).OrderBy(r => r.Rpps, StringComparer.Ordinal))
            if (await TimesAsync(rule, sectors, ct) is { Count: > 0 } times) wanted.Add(new RuleStore.Wanted(rule, times));

        // What is missing, read without a lock: most hourly runs find a few new slots, and take the writer only for them.
        var missing = new List<RuleStore.Wanted>();
        foreach (var chunk in wanted.Chunk(500))
        {
            var made = await rules.MadeStartsAsync(chunk, ct);
            foreach (var w in chunk)
            {
                var done = made[w.Rule.Id].ToHashSet();
                if (w.Times.Where(t => !done.Contains(t.StartUtc)).ToList() is { Count: > 0 } left) missing.Add(w with { Times = left });
            }
        }

        int count = 0, transactions = 0;
        var longest = TimeSpan.Zero;
        foreach (var batch in Batches(InMakingOrder(missing)))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            count += (await rules.MakeSlotsAsync(batch, caller, ct)).Sum(m => m.Count);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (took > longest) longest = took;
            transactions++;
        }
        return new JobRun(count, transactions, longest);
    }

    /// <summary>
    /// The rules by their first missing start, then GP: a batch's slots then sit together in the three indexes ordered by
    /// start (the search's, the expiry's, the statistics'), a few pages each, where GPs in RPPS order spread a week's
    /// afternoons over all their pages. On SQLite a year of rules wrote 585 log pages a transaction in RPPS order
    /// (docs/benchmarks.md).
    /// </summary>
    public static IEnumerable<RuleStore.Wanted> InMakingOrder(IEnumerable<RuleStore.Wanted> missing) =>
        missing.OrderBy(w => w.Times[0].StartUtc).ThenBy(w => w.Rule.Rpps, StringComparer.Ordinal);

    /// <summary>Rules in batches of at most <see cref="RulesPerBatch"/> rules and <see cref="SlotsPerBatch"/> slots (a rule's own may exceed it).</summary>
    private static IEnumerable<List<RuleStore.Wanted>> Batches(IEnumerable<RuleStore.Wanted> rules)
    {
        var batch = new List<RuleStore.Wanted>();
        var slots = 0;
        foreach (var w in rules)
        {
            if (batch.Count == RulesPerBatch || (batch.Count > 0 && slots + w.Times.Count > SlotsPerBatch))
            {
                yield return batch;
                (batch, slots) = ([], 0);
            }
            batch.Add(w);
            slots += w.Times.Count;
        }
        if (batch.Count > 0) yield return batch;
    }

    /// <summary>The rule's slot times from now to its sector's booking horizon (none when the sector is gone).</summary>
    private async Task<IReadOnlyList<(DateTime StartUtc, DateTime EndUtc)>> TimesAsync(RuleRow row, Dictionary<string, SectorRow?> sectors, CancellationToken ct)
    {
        if (!sectors.TryGetValue(row.SectorCode, out var sector)) sectors[row.SectorCode] = sector = await territory.GetSectorAsync(row.SectorCode, ct);
        if (sector is null) return []; // the sector was deleted: nothing bookable to make
        var zone = Domain.Time.Zones.Find(sector.TimeZone);
        var now = clock.GetUtcNow().UtcDateTime;
        var latest = booking.WindowFor((int)sector.BookingHorizonHours).LatestStart(now);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(latest, zone));
        return row.Rule.SlotsBetween(today, last, zone).Where(s => s.StartUtc > now && s.StartUtc <= latest).Select(s => (s.StartUtc, s.EndUtc)).ToList();
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
