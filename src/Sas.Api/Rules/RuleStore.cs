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
    public sealed class Sql
    {
        public string Insert { get; } = """
            INSERT INTO availability_rules (id, rpps, sector_code, site_id, modality, weekdays, every_weeks, start_local, end_local, slot_minutes,
                                            from_date, until_date, skip_holidays, exceptions, created_by, created_at)
            VALUES (@Id, @Rpps, @SectorCode, @SiteId, @Modality, @Weekdays, @EveryWeeks, @StartLocal, @EndLocal, @SlotMinutes,
                    @FromDate, @UntilDate, @SkipHolidays, @Exceptions, @CreatedBy, @CreatedAt)
            """;

        public string ByGp { get; } = $"SELECT {Columns} FROM availability_rules WHERE rpps = @rpps ORDER BY created_at, id";
        public string ById { get; } = $"SELECT {Columns} FROM availability_rules WHERE id = @id AND rpps = @rpps";
        public string All { get; } = $"SELECT {Columns} FROM availability_rules ORDER BY id";
        public string Delete { get; } = "DELETE FROM availability_rules WHERE id = @id AND rpps = @rpps";

        /// <summary>Any slot of the rule at that start, whatever its state: a slot the practice withdrew is not made again.</summary>
        public string Made { get; } = "SELECT COUNT(*) FROM slots WHERE rule_id = @ruleId AND start_utc = @start";

        public string InsertSlot { get; } = """
            INSERT INTO slots (rpps, sector_code, site_id, start_utc, end_utc, modality, external_id, status, created_at, updated_at, rule_id)
            VALUES (@rpps, @sector, @site, @start, @end, @modality, NULL, 'available', @now, @now, @ruleId)
            """;

        /// <summary>The rule's free future slots withdrawn; state in the WHERE, so a slot held or booked meanwhile stays.</summary>
        public string WithdrawFree { get; } = """
            UPDATE slots SET status = 'withdrawn', updated_at = @now
             WHERE rule_id = @ruleId AND start_utc > @now
               AND (status = 'available' OR (status = 'held' AND hold_expires_at <= @now))
            """;

        public string KeptAfterWithdrawal { get; } = "SELECT id FROM slots WHERE rule_id = @ruleId AND start_utc > @now AND status IN ('held', 'booked') ORDER BY start_utc";
    }

    private static readonly Sql Statements = new();

    private readonly SlotStore.Sql slotSql = new(db.Dialect);

    public async Task<IReadOnlyList<RuleRow>> ListAsync(string rpps, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<RuleRow>(new CommandDefinition(Statements.ByGp, new { rpps }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<RuleRow>> AllAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<RuleRow>(new CommandDefinition(Statements.All, cancellationToken: ct))).AsList();
    }

    public Task CreateAsync(RuleRow rule, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(Statements.Insert, rule, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "create", "rule", rule.Id, ct);
            return 1;
        }, ct);

    public sealed record Conflict(DateTime StartUtc, long SlotId);

    /// <summary>
    /// Makes the rule's slots at these times that do not exist yet, in one transaction under the GP's lock (so two nodes
    /// make each slot once; the unique index on the rule and start stands behind it). A time another live slot of the GP
    /// at the site overlaps is not made, and named.
    /// </summary>
    public Task<(int Made, List<Conflict> Conflicts)> MakeSlotsAsync(RuleRow rule, IReadOnlyList<(DateTime StartUtc, DateTime EndUtc)> times, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var conflicts = new List<Conflict>();
            var made = 0;
            await c.ExecuteScalarAsync<string>(new CommandDefinition(slotSql.LockPractitioner, new { rpps = rule.Rpps }, tx, cancellationToken: ct));
            foreach (var (start, end) in times)
            {
                if (start <= now) continue;
                if (await c.ExecuteScalarAsync<long>(new CommandDefinition(Statements.Made, new { ruleId = rule.Id, start }, tx, cancellationToken: ct)) > 0) continue;
                var overlapping = await c.QueryFirstOrDefaultAsync<SlotRow>(new CommandDefinition(slotSql.SelectOverlapping,
                    new { rpps = rule.Rpps, site = rule.SiteId, start, end, earliest = start.AddMinutes(-SlotSpec.MaxMinutes) }, tx, cancellationToken: ct));
                if (overlapping is not null)
                {
                    conflicts.Add(new Conflict(start, overlapping.Id));
                    continue;
                }
                await c.ExecuteAsync(new CommandDefinition(Statements.InsertSlot, new
                {
                    rpps = rule.Rpps, sector = rule.SectorCode, site = rule.SiteId, start, end, modality = rule.Modality, now, ruleId = rule.Id,
                }, tx, cancellationToken: ct));
                made++;
            }
            if (made > 0) await audit.WriteAsync(c, tx, caller, "make_slots", "rule", rule.Id, ct);
            return (made, conflicts);
        }, ct);

    /// <summary>Removes the rule: its free future slots withdrawn, its booked or held ones kept (and named).</summary>
    public Task<(bool Found, int Withdrawn, long[] Kept)> RemoveAsync(string rpps, string id, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (await c.QuerySingleOrDefaultAsync<RuleRow>(new CommandDefinition(Statements.ById, new { id, rpps }, tx, cancellationToken: ct)) is null)
                return (false, 0, Array.Empty<long>());
            await c.ExecuteScalarAsync<string>(new CommandDefinition(slotSql.LockPractitioner, new { rpps }, tx, cancellationToken: ct));
            var withdrawn = await c.ExecuteAsync(new CommandDefinition(Statements.WithdrawFree, new { ruleId = id, now }, tx, cancellationToken: ct));
            var kept = (await c.QueryAsync<long>(new CommandDefinition(Statements.KeptAfterWithdrawal, new { ruleId = id, now }, tx, cancellationToken: ct))).ToArray();
            await c.ExecuteAsync(new CommandDefinition(Statements.Delete, new { id, rpps }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "delete", "rule", id, ct);
            return (true, withdrawn, kept);
        }, ct);
}
