using System.Data.Common;
using System.Text.Json;
using Dapper;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Slots;
using Sas.Domain.Slots;

namespace Sas.Api.Rules;

/// <summary>A stored rule. Members, not a positional record: Dapper then maps columns by name whatever their engine types.</summary>
public sealed class RuleRow
{
    public string Id { get; init; } = "";
    public string Rpps { get; init; } = "";
    public string SectorCode { get; init; } = "";
    public string SiteId { get; init; } = "";
    public string Modality { get; init; } = "";
    /// <summary>ISO day numbers, 1 (Monday) to 7, comma-separated.</summary>
    public string Weekdays { get; init; } = "";
    public long EveryWeeks { get; init; }
    public string StartLocal { get; init; } = "";
    public string EndLocal { get; init; } = "";
    public long SlotMinutes { get; init; }
    public string FromDate { get; init; } = "";
    public string? UntilDate { get; init; }
    public long SkipHolidays { get; init; }
    /// <summary>JSON array of <c>yyyy-MM-dd</c>.</summary>
    public string Exceptions { get; init; } = "[]";
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }

    public AvailabilityRule Rule => new(
        Weekdays.Split(',').Select(d => (DayOfWeek)(int.Parse(d, System.Globalization.CultureInfo.InvariantCulture) % 7)).ToHashSet(),
        (int)EveryWeeks, TimeOnly.ParseExact(StartLocal, "HH:mm"), TimeOnly.ParseExact(EndLocal, "HH:mm"), (int)SlotMinutes,
        DateOnly.ParseExact(FromDate, "yyyy-MM-dd"), UntilDate is null ? null : DateOnly.ParseExact(UntilDate, "yyyy-MM-dd"), SkipHolidays == 1,
        JsonSerializer.Deserialize<string[]>(Exceptions)!.Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd")).ToHashSet());
}

/// <summary>Rules and the slots they make. A rule's slots are made under the GP's lock, as publishes and syncs are.</summary>
public sealed class RuleStore(Db db, TimeProvider clock, Infrastructure.Audit.Audit audit)
{
    private const string Columns = """
        id, rpps, sector_code AS SectorCode, site_id AS SiteId, modality, weekdays, every_weeks AS EveryWeeks,
        start_local AS StartLocal, end_local AS EndLocal, slot_minutes AS SlotMinutes, from_date AS FromDate, until_date AS UntilDate,
        skip_holidays AS SkipHolidays, exceptions, created_by AS CreatedBy, created_at AS CreatedAt
        """;

    /// <summary>The rules' statements, one engine's text for all three (SQL Server's checked by ScriptDom in the tests).</summary>
    public sealed class Sql(SqlDialect d)
    {
        public string Insert { get; } = """
            INSERT INTO availability_rules (id, rpps, sector_code, site_id, modality, weekdays, every_weeks, start_local, end_local, slot_minutes,
                                            from_date, until_date, skip_holidays, exceptions, created_by, created_at)
            VALUES (@Id, @Rpps, @SectorCode, @SiteId, @Modality, @Weekdays, @EveryWeeks, @StartLocal, @EndLocal, @SlotMinutes,
                    @FromDate, @UntilDate, @SkipHolidays, @Exceptions, @CreatedBy, @CreatedAt)
            """;

        public string ByGp { get; } = $"SELECT {Columns} FROM availability_rules WHERE rpps = @rpps ORDER BY created_at, id";
        public string ById { get; } = $"SELECT {Columns} FROM availability_rules WHERE id = @id AND rpps = @rpps";
        /// <summary>The rules of a CPTS's rota: those in its sectors.</summary>
        public string InCpts { get; } = $"SELECT {Columns} FROM availability_rules WHERE sector_code IN (SELECT code FROM sectors WHERE cpts_finess = @finess) ORDER BY rpps, created_at, id";
        public string ByIdInCpts { get; } = $"SELECT {Columns} FROM availability_rules WHERE id = @id AND sector_code IN (SELECT code FROM sectors WHERE cpts_finess = @finess)";
        public string All { get; } = $"SELECT {Columns} FROM availability_rules ORDER BY id";
        public string Delete { get; } = "DELETE FROM availability_rules WHERE id = @id AND rpps = @rpps";

        /// <summary>
        /// The starts of the rule's slots in a range, whatever their state: a slot already made is not made again, and
        /// one the practice withdrew is not made again either.
        /// </summary>
        public string MadeBetween { get; } = $"""
            SELECT rule_id AS RuleId, start_utc AS StartUtc
              FROM slots
             WHERE {d.InList("rule_id", "@ruleIds")} AND start_utc >= @from AND start_utc <= @to
            """;

        /// <summary>The GPs' slot writes take turns on their rows (docs/isolation.md, rule 4), taken in RPPS order.</summary>
        public string LockPractitioners { get; } = $"SELECT rpps FROM practitioners {d.UpdateLock} WHERE {d.InList("rpps", "@rpps")} ORDER BY rpps {d.ForUpdate}";

        /// <summary>
        /// The GPs' slots over a range, every site and state, under their locks: in one read, those their rules made
        /// (not made again, in any state) and the live ones a new slot may not overlap (as
        /// <see cref="SlotStore.Sql.SelectOverlapping"/> reads one slot's, for many at once).
        /// </summary>
        public string SlotsOfGps { get; } = $"""
            SELECT id, rpps, site_id AS SiteId, start_utc AS StartUtc, end_utc AS EndUtc, rule_id AS RuleId, status
              FROM slots {d.UpdateLock}
             WHERE {d.InList("rpps", "@rpps")}
               AND start_utc > @earliest
               AND start_utc <= @latest
            {d.ForUpdate}
            """;

        public string InsertSlot { get; } = """
            INSERT INTO slots (rpps, sector_code, site_id, start_utc, end_utc, modality, external_id, status, created_at, updated_at, rule_id)
            VALUES (@Rpps, @Sector, @Site, @Start, @End, @Modality, NULL, 'available', @Now, @Now, @RuleId)
            """;

        /// <summary>The rule's free future slots withdrawn; state in the WHERE, so a slot held or booked meanwhile stays.</summary>
        public string WithdrawFree { get; } = $"""
            UPDATE slots SET status = 'withdrawn', updated_at = @now
             WHERE rule_id = @ruleId AND start_utc > @now
               AND {SlotStore.FreeNow}
            """;

        public string KeptAfterWithdrawal { get; } = "SELECT id FROM slots WHERE rule_id = @ruleId AND start_utc > @now AND status IN ('held', 'booked') ORDER BY start_utc";

        /// <summary>The rule's future slots still live (free, held or booked): what an edit compares with the new rule.</summary>
        public string FutureLive { get; } = $"""
            SELECT {SlotStore.Columns}
              FROM slots
             WHERE rule_id = @ruleId AND start_utc > @now AND {SlotStore.Live}
             ORDER BY start_utc
            """;

        /// <summary>
        /// A free slot the edited rule no longer makes: withdrawn, and no longer the rule's (so that editing the rule back
        /// makes it again, while a slot the practice withdrew itself stays withdrawn). State in the WHERE: a slot held or
        /// booked meanwhile stays, and is reported.
        /// </summary>
        public string WithdrawForEdit { get; } = $"""
            UPDATE slots SET status = 'withdrawn', rule_id = NULL, updated_at = @now
             WHERE id = @id AND rule_id = @ruleId
               AND {SlotStore.FreeNow}
            """;

        public string Update { get; } = """
            UPDATE availability_rules
               SET sector_code = @SectorCode, site_id = @SiteId, modality = @Modality, weekdays = @Weekdays, every_weeks = @EveryWeeks,
                   start_local = @StartLocal, end_local = @EndLocal, slot_minutes = @SlotMinutes, from_date = @FromDate, until_date = @UntilDate,
                   skip_holidays = @SkipHolidays, exceptions = @Exceptions
             WHERE id = @Id AND rpps = @Rpps
            """;
    }

    private readonly Sql statements = new(db.Dialect);

    private readonly SlotStore.Sql slotSql = new(db.Dialect);

    /// <summary>A slot of one of the GPs, in any state: the rules read what they made, and the live ones to find overlaps.</summary>
    private sealed class GpSlot
    {
        public long Id { get; init; }
        public string Rpps { get; init; } = "";
        public string SiteId { get; init; } = "";
        public DateTime StartUtc { get; init; }
        public DateTime EndUtc { get; init; }
        public string? RuleId { get; init; }
        public string Status { get; init; } = "";
        public bool Live => SlotLife.IsLive(SlotText.ParseStatus(Status));
    }

    private sealed class MadeStart
    {
        public string RuleId { get; init; } = "";
        public DateTime StartUtc { get; init; }
    }

    public async Task<IReadOnlyList<RuleRow>> ListAsync(string rpps, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<RuleRow>(new CommandDefinition(statements.ByGp, new { rpps }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<RuleRow>> ListForCptsAsync(string finess, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<RuleRow>(new CommandDefinition(statements.InCpts, new { finess }, cancellationToken: ct))).AsList();
    }

    public async Task<RuleRow?> GetInCptsAsync(string finess, string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<RuleRow>(new CommandDefinition(statements.ByIdInCpts, new { finess, id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<RuleRow>> AllAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<RuleRow>(new CommandDefinition(statements.All, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Stores the rule and makes its first slots in one transaction: a rule is never left without them (a failure between
    /// the two would have answered an error for a rule stored all the same, and a retry made it twice).
    /// </summary>
    public Task<Made> CreateAsync(Wanted rule, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(statements.Insert, rule.Rule, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "create", "rule", rule.Rule.Id, ct);
            return (await MakeSlotsAsync(c, tx, [rule], caller, ct))[0];
        }, ct);

    public sealed record Conflict(DateTime StartUtc, long SlotId);

    /// <summary>A rule and the times it wants slots at.</summary>
    public sealed record Wanted(RuleRow Rule, IReadOnlyList<(DateTime StartUtc, DateTime EndUtc)> Times);

    /// <summary>What making a rule's slots did: how many made, and the times another slot of the GP occupies.</summary>
    public sealed record Made(string RuleId, int Count, IReadOnlyList<Conflict> Conflicts);

    /// <summary>A slot row as the multi-row insert reads it.</summary>
    private sealed record NewSlot(string Rpps, string Sector, string Site, DateTime Start, DateTime End, string Modality, DateTime Now, string RuleId);

    /// <summary>
    /// The starts the rules' slots already have between the earliest and latest of these times, by rule, whatever their
    /// state: read without a lock, so the job opens a transaction only for the rules that miss some.
    /// </summary>
    public async Task<ILookup<string, DateTime>> MadeStartsAsync(IReadOnlyList<Wanted> rules, CancellationToken ct)
    {
        var times = rules.SelectMany(w => w.Times).ToList();
        if (times.Count == 0) return Array.Empty<MadeStart>().ToLookup(m => m.RuleId, m => m.StartUtc);
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<MadeStart>(new CommandDefinition(statements.MadeBetween, new
        {
            ruleIds = ValueList.Of(rules.Select(w => w.Rule.Id)), from = times.Min(t => t.StartUtc), to = times.Max(t => t.EndUtc),
        }, cancellationToken: ct));
        return rows.ToLookup(m => m.RuleId, m => m.StartUtc);
    }

    /// <summary>
    /// Makes the rules' slots at these times that do not exist yet, in one transaction under the GPs' locks, taken in
    /// RPPS order (so two nodes make each slot once, and never wait on each other in a circle; the unique index on the
    /// rule and start stands behind it). A time another live slot of the GP at the site overlaps is not made, and named.
    /// Two reads whatever the number of rules and times; the caller keeps the batch small enough to hold the writer
    /// briefly (<see cref="RuleService"/>).
    /// </summary>
    public Task<IReadOnlyList<Made>> MakeSlotsAsync(IReadOnlyList<Wanted> batch, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync((c, tx) => MakeSlotsAsync(c, tx, batch, caller, ct), ct);

    private async Task<IReadOnlyList<Made>> MakeSlotsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<Wanted> batch, Caller caller, CancellationToken ct)
    {
        var gps = ValueList.Of(batch.Select(w => w.Rule.Rpps).Distinct().Order(StringComparer.Ordinal));
        await c.QueryAsync<string>(new CommandDefinition(statements.LockPractitioners, new { rpps = gps }, tx, cancellationToken: ct));
        var (results, rows) = await PlanAsync(c, tx, batch, clock.GetUtcNow().UtcDateTime, ct);
        await InsertSlotsAsync(c, tx, rows, ct);
        await audit.WriteManyAsync(c, tx, caller, "make_slots", "rule", results.Where(m => m.Count > 0).Select(m => m.RuleId), ct);
        return results;
    }

    /// <summary>
    /// Inserts the rules' new slots. On SQLite the slot trigger names no slot a rule makes (migration 0020): one feed
    /// row names the ids this insert took, consecutive under the single writer, for the slot index to read.
    /// </summary>
    private async Task InsertSlotsAsync(DbConnection c, DbTransaction tx, List<NewSlot> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        if (db.Provider != DatabaseProvider.Sqlite)
        {
            await MultiRowInsert.ExecuteAsync(c, tx, statements.InsertSlot, rows, ct);
            return;
        }
        var before = await c.ExecuteScalarAsync<long>(new CommandDefinition(SqliteFeed.LastSlotId, transaction: tx, cancellationToken: ct));
        await MultiRowInsert.ExecuteAsync(c, tx, statements.InsertSlot, rows, ct);
        await c.ExecuteAsync(new CommandDefinition(SqliteFeed.NameSlotsAfter, new { before }, tx, cancellationToken: ct));
    }

    /// <summary>SQLite's own statements for the feed row of a batch (the other engines' triggers write theirs).</summary>
    private static class SqliteFeed
    {
        public const string LastSlotId = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'slots'), 0)";
        public const string NameSlotsAfter = "INSERT INTO slot_changes (slot_id, last_slot_id) SELECT min(id), max(id) FROM slots WHERE id > @before HAVING count(*) > 0";
    }

    /// <summary>
    /// The rules' slots to insert: their future times not made yet (in any state) that no live slot of the GP at the
    /// site overlaps. The caller holds the GPs' locks.
    /// </summary>
    private async Task<(List<Made> Results, List<NewSlot> Rows)> PlanAsync(DbConnection c, DbTransaction tx, IReadOnlyList<Wanted> batch, DateTime now, CancellationToken ct)
    {
        var gps = ValueList.Of(batch.Select(w => w.Rule.Rpps).Distinct());
        var future = batch.Select(w => w with { Times = [.. w.Times.Where(t => t.StartUtc > now)] }).ToList();
        var times = future.SelectMany(w => w.Times).ToList();
        if (times.Count == 0) return ([.. batch.Select(w => new Made(w.Rule.Id, 0, []))], []);
        var from = times.Min(t => t.StartUtc);
        var slots = (await c.QueryAsync<GpSlot>(new CommandDefinition(statements.SlotsOfGps,
            new { rpps = gps, earliest = from.AddMinutes(-SlotSpec.MaxMinutes), latest = times.Max(t => t.EndUtc) }, tx, cancellationToken: ct))).ToList();
        var made = slots.Where(s => s.RuleId is not null).ToLookup(s => s.RuleId!, s => s.StartUtc);
        var live = slots.Where(s => s.Live).OrderBy(s => s.StartUtc).ThenBy(s => s.Id).ToLookup(s => (s.Rpps, s.SiteId));
        var results = new List<Made>(future.Count);
        var rows = new List<NewSlot>();
        foreach (var (rule, wanted) in future)
        {
            var done = made[rule.Id].ToHashSet();
            var others = live[(rule.Rpps, rule.SiteId)].ToList();
            var conflicts = new List<Conflict>();
            var count = 0;
            foreach (var (start, end) in wanted)
            {
                if (done.Contains(start)) continue;
                if (others.FirstOrDefault(s => s.StartUtc < end && s.EndUtc > start) is { } overlapping) conflicts.Add(new Conflict(start, overlapping.Id));
                else
                {
                    rows.Add(new NewSlot(rule.Rpps, rule.SectorCode, rule.SiteId, start, end, rule.Modality, now, rule.Id));
                    count++;
                }
            }
            results.Add(new Made(rule.Id, count, conflicts));
        }
        return (results, rows);
    }

    /// <summary>What an edit did to the rule's future slots.</summary>
    public sealed record Edited(int Withdrawn, long[] Kept, int Made, IReadOnlyList<Conflict> Conflicts);

    /// <summary>
    /// Edits the rule in one transaction under the GP's lock: its future free slots the new rule does not make as they
    /// are (same start, end, site, sector and modality) are withdrawn; held and booked ones are kept, and named when the
    /// new rule would not have made them; then the new rule's missing slots are made, overlaps named. Null: no such rule.
    /// </summary>
    public Task<Edited?> EditAsync(RuleRow rule, IReadOnlyList<(DateTime StartUtc, DateTime EndUtc)> times, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync<Edited?>(async (c, tx) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (await c.QuerySingleOrDefaultAsync<RuleRow>(new CommandDefinition(statements.ById, new { id = rule.Id, rpps = rule.Rpps }, tx, cancellationToken: ct)) is null)
                return null;
            await c.ExecuteScalarAsync<string>(new CommandDefinition(slotSql.LockPractitioner, new { rpps = rule.Rpps }, tx, cancellationToken: ct));
            var wanted = times.ToHashSet();
            bool StillMade(SlotRow s) => wanted.Contains((s.StartUtc, s.EndUtc)) && s.SiteId == rule.SiteId && s.SectorCode == rule.SectorCode && s.Modality == rule.Modality;
            var withdrawn = 0;
            var kept = new List<long>();
            foreach (var slot in await c.QueryAsync<SlotRow>(new CommandDefinition(statements.FutureLive, new { ruleId = rule.Id, now }, tx, cancellationToken: ct)))
            {
                if (StillMade(slot)) continue;
                if (await c.ExecuteAsync(new CommandDefinition(statements.WithdrawForEdit, new { id = slot.Id, ruleId = rule.Id, now }, tx, cancellationToken: ct)) == 1) withdrawn++;
                else kept.Add(slot.Id);
            }
            await c.ExecuteAsync(new CommandDefinition(statements.Update, rule, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "update", "rule", rule.Id, ct);
            var (results, rows) = await PlanAsync(c, tx, [new Wanted(rule, times)], now, ct);
            await InsertSlotsAsync(c, tx, rows, ct);
            return new Edited(withdrawn, [.. kept], rows.Count, results[0].Conflicts);
        }, ct);

    public async Task<RuleRow?> GetAsync(string rpps, string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<RuleRow>(new CommandDefinition(statements.ById, new { id, rpps }, cancellationToken: ct));
    }

    /// <summary>Removes the rule: its free future slots withdrawn, its booked or held ones kept (and named).</summary>
    public Task<(bool Found, int Withdrawn, long[] Kept)> RemoveAsync(string rpps, string id, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (await c.QuerySingleOrDefaultAsync<RuleRow>(new CommandDefinition(statements.ById, new { id, rpps }, tx, cancellationToken: ct)) is null)
                return (false, 0, Array.Empty<long>());
            await c.ExecuteScalarAsync<string>(new CommandDefinition(slotSql.LockPractitioner, new { rpps }, tx, cancellationToken: ct));
            var withdrawn = await c.ExecuteAsync(new CommandDefinition(statements.WithdrawFree, new { ruleId = id, now }, tx, cancellationToken: ct));
            var kept = (await c.QueryAsync<long>(new CommandDefinition(statements.KeptAfterWithdrawal, new { ruleId = id, now }, tx, cancellationToken: ct))).ToArray();
            await c.ExecuteAsync(new CommandDefinition(statements.Delete, new { id, rpps }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "delete", "rule", id, ct);
            return (true, withdrawn, kept);
        }, ct);
}
