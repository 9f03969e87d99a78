using Dapper;
using Sas.Api.Infrastructure.Data;
using Sas.Domain.Slots;

namespace Sas.Api.Slots;

public sealed record SlotRow(
    long Id, string Rpps, string SectorCode, string SiteId, DateTime StartUtc, DateTime EndUtc,
    string Modality, string? ExternalId, string Status, string? HoldId, string? HeldBy, DateTime? HoldExpiresAt)
{
    public SlotSpec Spec => new(StartUtc, EndUtc, SectorCode, SiteId, SlotText.ParseModality(Modality));

    public SlotStatus EffectiveStatus(DateTime nowUtc) => SlotLife.Effective(SlotText.ParseStatus(Status), HoldExpiresAt, nowUtc);
}

/// <summary>A stored slot as a sync plan reads it (<see cref="SlotStore.SyncColumns"/>).</summary>
public sealed record SyncSlotRow(long Id, string SectorCode, string SiteId, DateTime StartUtc, DateTime EndUtc, Modality Modality, string? ExternalId, SlotStatus Status, DateTime? HoldExpiresAt, bool FromRule);

/// <summary>The outcome of a withdrawal, for the 204/404/409 answer.</summary>
public enum WithdrawOutcome { Withdrawn, NotFound, Booked, Held, Expired }

public sealed class SlotStore(Db db, TimeProvider clock, Infrastructure.Audit.Audit audit)
{
    /// <summary>
    /// A slot free at <c>@now</c>: available, or held by a hold that has lapsed (SlotLife.Effective's rule, in SQL). The
    /// state a write that takes or withdraws a free slot puts in its WHERE.
    /// </summary>
    public const string FreeNow = "(status = 'available' OR (status = 'held' AND hold_expires_at <= @now))";

    /// <summary>A slot that takes its GP's time (SlotLife.IsLive's rule, in SQL): what a new slot may not overlap.</summary>
    public const string Live = "status IN ('available', 'held', 'booked')";

    public const string Columns = """
        id, rpps, sector_code AS SectorCode, site_id AS SiteId, start_utc AS StartUtc, end_utc AS EndUtc, modality,
        external_id AS ExternalId, status, hold_id AS HoldId, held_by AS HeldBy, hold_expires_at AS HoldExpiresAt
        """;

    /// <summary>
    /// What a sync plan needs of a stored slot, and no more: read for every slot of every sync's window (most syncs
    /// change nothing), so the GP's RPPS and the hold's id and holder are left out. Read by hand
    /// (<see cref="ReadSyncRowsAsync"/>): the instants as numbers, the modality and the status as codes.
    /// </summary>
    public static string SyncColumns(SqlDialect d) =>
        $"id, sector_code, site_id, {d.EpochSeconds("start_utc")}, {d.EpochSeconds("end_utc")}, {Rows.ModalityCode("modality")}, external_id, {Rows.StatusCode("status")}, hold_expires_at, CASE WHEN rule_id IS NULL THEN 0 ELSE 1 END";

    /// <summary><see cref="SyncColumns"/>, in order.</summary>
    private static class SyncColumn
    {
        public const int Id = 0, Sector = 1, SiteId = 2, Start = 3, End = 4, Modality = 5, ExternalId = 6, Status = 7, HoldExpiresAt = 8, FromRule = 9;
    }

    public sealed class Sql(SqlDialect d)
    {
        public string Insert { get; } = d.InsertReturningId("slots",
            "rpps, sector_code, site_id, start_utc, end_utc, modality, external_id, status, created_at, updated_at",
            "@Rpps, @SectorCode, @SiteId, @StartUtc, @EndUtc, @Modality, @ExternalId, 'available', @now, @now");
        public string InsertMany { get; } = """
            INSERT INTO slots (rpps, sector_code, site_id, start_utc, end_utc, modality, external_id, status, created_at, updated_at)
            VALUES (@Rpps, @SectorCode, @SiteId, @StartUtc, @EndUtc, @Modality, @ExternalId, 'available', @now, @now)
            """;
        public string SelectById { get; } = $"SELECT {Columns} FROM slots WHERE id = @id";
        /// <summary>
        /// A GP's slot writes (publish, sync) take turns on the GP's row: at READ COMMITTED a row lock cannot stop
        /// another transaction inserting a new overlapping slot (a phantom), a lock on the one row they share does.
        /// </summary>
        public string LockPractitioner { get; } = $"SELECT rpps FROM practitioners {d.UpdateLock} WHERE rpps = @rpps {d.ForUpdate}";
        /// <summary>
        /// Live slots of the GP at a site that overlap [start, end): what a new slot may not cross. A slot lasts at most
        /// <see cref="SlotSpec.MaxMinutes"/>, so only those starting after <c>@earliest</c> (that long before) can: the
        /// read stays a short range of the GP's index instead of the GP's whole history.
        /// </summary>
        public string SelectOverlapping { get; } = $"""
            SELECT {Columns}
              FROM slots {d.UpdateLock}
             WHERE rpps = @rpps
               AND start_utc > @earliest
               AND start_utc < @end
               AND site_id = @site
               AND {Live}
               AND end_utc > @start
            {d.ForUpdate}
            """;
        /// <summary>A GP's slots starting in [from, to), every status, soonest first: what the practice's view shows.</summary>
        public string SelectPractitionerWindow { get; } = $"""
            SELECT {Columns}
              FROM slots
             WHERE rpps = @rpps
               AND start_utc >= @from AND start_utc < @to
             ORDER BY start_utc, id
            """;
        public string ExternalIdExists { get; } = "SELECT COUNT(*) FROM slots WHERE rpps = @rpps AND external_id = @externalId";
        /// <summary>What a sync compares with: the window widened by the longest slot (for overlaps)...</summary>
        public string SelectWindowForSync { get; } = $"""
            SELECT {SyncColumns(d)}
              FROM slots {d.UpdateLock}
             WHERE rpps = @rpps
               AND start_utc >= @low AND start_utc < @high
            {d.ForUpdate}
            """;
        /// <summary>
        /// ...plus the slots the body names that lie outside it (a slot moved into the window). Asked only for
        /// ids the window did not have: binding every id of a 70-slot body on each sync cost more than the read.
        /// </summary>
        public string SelectNamedOutsideWindow { get; } = $"""
            SELECT {SyncColumns(d)}
              FROM slots {d.UpdateLock}
             WHERE rpps = @rpps
               AND {d.InList("external_id", "@externalIds")}
               AND (start_utc < @low OR start_utc >= @high)
            {d.ForUpdate}
            """;
        public string UpdateFromSync { get; } = """
            UPDATE slots
               SET sector_code = @SectorCode, site_id = @SiteId, start_utc = @StartUtc, end_utc = @EndUtc, modality = @Modality,
                   status = 'available', hold_id = NULL, held_by = NULL, hold_expires_at = NULL, updated_at = @now
             WHERE id = @Id
               AND (status IN ('available', 'withdrawn') OR (status = 'held' AND hold_expires_at <= @now))
            """;
        /// <summary>State in the WHERE: only an unbooked slot whose hold (if any) has lapsed is withdrawn.</summary>
        public string Withdraw { get; } = $"""
            UPDATE slots
               SET status = 'withdrawn', hold_id = NULL, held_by = NULL, hold_expires_at = NULL, updated_at = @now
             WHERE id = @id
               AND {FreeNow}
            """;
    }

    private readonly Sql sql = new(db.Dialect);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<IReadOnlyList<SlotRow>> ListAsync(string rpps, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<SlotRow>(new CommandDefinition(sql.SelectPractitionerWindow, new { rpps, from = fromUtc, to = toUtc }, cancellationToken: ct))).AsList();
    }

    public async Task<SlotRow?> GetAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<SlotRow>(new CommandDefinition(sql.SelectById, new { id }, cancellationToken: ct));
    }

    public sealed record PublishOutcome(long? Id, SlotRow? Overlapping, bool ExternalIdTaken);

    /// <summary>Publishes one slot, checking overlap and external id inside the same transaction as the insert.</summary>
    public Task<PublishOutcome> PublishAsync(string rpps, SlotSpec spec, string? externalId, Infrastructure.Auth.Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteScalarAsync<string>(new CommandDefinition(sql.LockPractitioner, new { rpps }, tx, cancellationToken: ct));
            if (externalId is not null &&
                await c.ExecuteScalarAsync<long>(new CommandDefinition(sql.ExternalIdExists, new { rpps, externalId }, tx, cancellationToken: ct)) > 0)
                return new PublishOutcome(null, null, true);
            var overlapping = await c.QueryFirstOrDefaultAsync<SlotRow>(new CommandDefinition(sql.SelectOverlapping,
                new { rpps, site = spec.Site, start = spec.StartUtc, end = spec.EndUtc, earliest = spec.StartUtc.AddMinutes(-SlotSpec.MaxMinutes) }, tx, cancellationToken: ct));
            if (overlapping is not null) return new PublishOutcome(null, overlapping, false);
            var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(sql.Insert, Params(rpps, spec, externalId), tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "publish", "slot", id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            return new PublishOutcome(id, null, false);
        }, ct);

    /// <summary>What a sync did: counts as applied (a slot booked meanwhile moves from updated/withdrawn to conflicts).</summary>
    public sealed record SyncOutcome(int Created, int Updated, int Unchanged, int Withdrawn, IReadOnlyList<SyncConflict> Conflicts, (SlotSpec First, SlotSpec Second)? Overlap);

    /// <summary>
    /// Applies a window sync as one transaction. Nothing is written when the result would overlap, and
    /// nothing at all when the body matches what is stored. Every update and withdrawal re-checks the
    /// slot's state in its WHERE clause, so a hold or booking that lands meanwhile turns into a conflict.
    /// Most syncs send the week again unchanged (practice software syncs every few minutes): the plan is made
    /// first on a read connection, and only a sync that changes something takes the writer and the GP's lock.
    /// An unchanged answer is true of the moment it was read, as any read is.
    /// </summary>
    public async Task<SyncOutcome> SyncAsync(string rpps, IReadOnlyList<IncomingSlot> incoming, DateTime fromUtc, DateTime toUtc, Infrastructure.Auth.Caller caller, CancellationToken ct)
    {
        await using (var read = await db.OpenAsync(ct))
        {
            var (plan, _, overlap) = await PlanSyncAsync(read, null, rpps, incoming, fromUtc, toUtc, ct);
            if (overlap is null && !plan.ChangesAnything) return new SyncOutcome(0, 0, plan.Unchanged, 0, plan.Conflicts, null);
        }
        return await ApplySyncAsync(rpps, incoming, fromUtc, toUtc, caller, ct);
    }

    /// <summary>What a sync would do to the GP's slots as they stand: read in the window and by the external ids named.</summary>
    private async Task<(SyncPlan Plan, List<ExistingSlot> Existing, (SlotSpec First, SlotSpec Second)? Overlap)> PlanSyncAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, string rpps, IReadOnlyList<IncomingSlot> incoming, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var now = Now;
        var reach = TimeSpan.FromMinutes(SlotSpec.MaxMinutes);
        var (low, high) = (fromUtc - reach, toUtc + reach);
        var rows = new List<SyncSlotRow>(incoming.Count + 8);
        await ReadSyncRowsAsync(c, tx, sql.SelectWindowForSync, rpps, low, high, null, rows, ct);
        var inWindow = new HashSet<string>(rows.Count, StringComparer.Ordinal);
        foreach (var r in rows) if (r.ExternalId is not null) inWindow.Add(r.ExternalId);
        var externalIds = incoming.Select(i => i.ExternalId).Where(id => !inWindow.Contains(id)).ToArray();
        if (externalIds.Length > 0) await ReadSyncRowsAsync(c, tx, sql.SelectNamedOutsideWindow, rpps, low, high, externalIds, rows, ct);
        var existing = new List<ExistingSlot>(rows.Count);
        foreach (var r in rows)
            existing.Add(new ExistingSlot(r.Id, r.ExternalId, new SlotSpec(r.StartUtc, r.EndUtc, r.SectorCode, r.SiteId, r.Modality),
                SlotLife.Effective(r.Status, r.HoldExpiresAt, now), r.FromRule));
        var plan = SyncPlanner.Plan(incoming, existing, fromUtc, toUtc, now);
        // A plan that changes nothing leaves the slots as they are, which no write let overlap: nothing to look for.
        return (plan, existing, plan.ChangesAnything ? Overlaps.FindFirst(SyncPlanner.Outcome(plan, existing)) : null);
    }

    /// <summary>
    /// The GP's slots a sync compares with, read by hand: every sync reads its whole window (70 slots a week), and
    /// through Dapper each value came boxed and each instant as text to parse, about a third of an unchanged sync.
    /// </summary>
    private static async Task ReadSyncRowsAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, string text,
        string rpps, DateTime low, DateTime high, string[]? externalIds, List<SyncSlotRow> into, CancellationToken ct)
    {
        await using var command = c.CreateCommand();
        command.CommandText = text;
        command.Transaction = tx;
        Parameters.Add(command, "@rpps", rpps);
        Parameters.Add(command, "@low", low);
        Parameters.Add(command, "@high", high);
        if (externalIds is not null) ValueList.Of(externalIds).AddParameter(command, "@externalIds");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            into.Add(new SyncSlotRow(reader.GetInt64(SyncColumn.Id), reader.GetString(SyncColumn.Sector), reader.GetString(SyncColumn.SiteId),
                Rows.EpochInstant(reader, SyncColumn.Start), Rows.EpochInstant(reader, SyncColumn.End), Rows.Modality(reader, SyncColumn.Modality),
                reader.IsDBNull(SyncColumn.ExternalId) ? null : reader.GetString(SyncColumn.ExternalId), Rows.Status(reader, SyncColumn.Status),
                reader.IsDBNull(SyncColumn.HoldExpiresAt) ? null : Rows.Instant(reader, SyncColumn.HoldExpiresAt), reader.GetInt64(SyncColumn.FromRule) == 1));
    }

    private Task<SyncOutcome> ApplySyncAsync(string rpps, IReadOnlyList<IncomingSlot> incoming, DateTime fromUtc, DateTime toUtc, Infrastructure.Auth.Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteScalarAsync<string>(new CommandDefinition(sql.LockPractitioner, new { rpps }, tx, cancellationToken: ct));
            var now = Now;
            var (plan, existing, overlap) = await PlanSyncAsync(c, tx, rpps, incoming, fromUtc, toUtc, ct);
            if (overlap is not null) return new SyncOutcome(0, 0, 0, 0, [], overlap);
            if (!plan.ChangesAnything) return new SyncOutcome(0, 0, plan.Unchanged, 0, plan.Conflicts, null);

            var conflicts = plan.Conflicts.ToList();
            int updated = 0, withdrawn = 0;
            await MultiRowInsert.ExecuteAsync(c, tx, sql.InsertMany, plan.Create.Select(i => Params(rpps, i.Spec, i.ExternalId)).ToList(), ct);
            foreach (var (id, slot) in plan.Update)
            {
                var p = Params(rpps, slot.Spec, slot.ExternalId);
                if (await c.ExecuteAsync(new CommandDefinition(sql.UpdateFromSync, new { Id = id, p.SectorCode, p.SiteId, p.StartUtc, p.EndUtc, p.Modality, now }, tx, cancellationToken: ct)) > 0)
                    updated++;
                else
                    conflicts.Add(new(id, slot.ExternalId, SlotStatus.Booked, "changed_while_booked"));
            }
            foreach (var id in plan.Withdraw)
            {
                if (await c.ExecuteAsync(new CommandDefinition(sql.Withdraw, new { id, now }, tx, cancellationToken: ct)) > 0)
                    withdrawn++;
                else
                    conflicts.Add(new(id, existing.First(e => e.Id == id).ExternalId, SlotStatus.Booked, "absent_while_booked"));
            }
            await audit.WriteAsync(c, tx, caller, "sync", "practitioner", rpps, ct); // a sync that changes nothing writes nothing, nor this
            return new SyncOutcome(plan.Create.Count, updated, plan.Unchanged, withdrawn, conflicts, null);
        }, ct);

    /// <summary>Withdraws an unbooked slot of one of the caller's GPs; the state check is the UPDATE's WHERE.</summary>
    public async Task<WithdrawOutcome> WithdrawAsync(long id, Infrastructure.Auth.Caller caller, CancellationToken ct)
    {
        var now = Now;
        var withdrawn = await db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(sql.Withdraw, new { id, now }, tx, cancellationToken: ct)) == 0) return false;
            await audit.WriteAsync(c, tx, caller, "withdraw", "slot", id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            return true;
        }, ct);
        if (withdrawn) return WithdrawOutcome.Withdrawn;
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SlotRow>(new CommandDefinition(sql.SelectById, new { id }, cancellationToken: ct));
        return row?.EffectiveStatus(now) switch
        {
            null => WithdrawOutcome.NotFound,
            SlotStatus.Withdrawn => WithdrawOutcome.Withdrawn, // DELETE is idempotent
            SlotStatus.Booked => WithdrawOutcome.Booked,
            SlotStatus.Held => WithdrawOutcome.Held,
            _ => WithdrawOutcome.Expired,
        };
    }

    private SlotParams Params(string rpps, SlotSpec spec, string? externalId) =>
        new(rpps, spec.Sector, spec.Site, spec.StartUtc, spec.EndUtc, spec.Modality.ToText(), externalId, Now);

    private sealed record SlotParams(string Rpps, string SectorCode, string SiteId, DateTime StartUtc, DateTime EndUtc, string Modality, string? ExternalId, DateTime now);
}
