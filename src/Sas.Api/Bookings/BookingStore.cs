using System.Data.Common;
using Dapper;
using Sas.Api.Infrastructure.Audit;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Infrastructure.Outbox;
using Sas.Api.Slots;
using Sas.Domain.Bookings;
using Sas.Domain.Slots;

namespace Sas.Api.Bookings;

/// <summary>
/// Holds, bookings, cancellations and outcomes. Every state change is one conditional UPDATE whose
/// WHERE carries the expected state (and holder), and whose row count decides; the slot is read again
/// only afterwards, to say why it failed. A unique index on live bookings per slot backs this up.
/// Each change writes its audit row and outbox event in the same transaction.
/// </summary>
public sealed class BookingStore(Db db, TimeProvider clock, Audit audit, Outbox outbox)
{
    public const string Columns = """
        id, slot_id AS SlotId, rpps, sector_code AS SectorCode, site_id AS SiteId, start_utc AS StartUtc, end_utc AS EndUtc,
        overflow, overflow_day AS OverflowDay, status, outcome, origin, regular_doctor AS RegularDoctor,
        regular_doctor_contacted AS RegularDoctorContacted, requested_at AS RequestedAt,
        patient_last_name AS PatientLastName, patient_first_name AS PatientFirstName, patient_birth_date AS PatientBirthDate,
        patient_phone AS PatientPhone, patient_commune AS PatientCommune, patient_ins AS PatientIns,
        patient_regular_doctor_rpps AS PatientRegularDoctorRpps, reason,
        booked_by_client AS BookedByClient, created_at AS CreatedAt, cancelled_at AS CancelledAt, cancelled_by AS CancelledBy,
        cancel_reason AS CancelReason, cancelled_by_client AS CancelledByClient, slot_released AS SlotReleased,
        outcome_at AS OutcomeAt, updated_at AS UpdatedAt, gp_is_regular_doctor AS GpIsRegularDoctor, operator_id AS OperatorId, operator_account AS OperatorAccount
        """;

    public sealed class Sql(SqlDialect d)
    {
        /// <summary>
        /// A free slot (no live hold) of the sector the caller's scope was checked against, that this client did not hold
        /// in the last hold period: a hold is never renewed, so nobody keeps a slot by holding it again and again.
        /// </summary>
        public string Hold { get; } = $"""
            UPDATE slots
               SET status = 'held', hold_id = @holdId, held_by = @client, hold_expires_at = @expires, updated_at = @now
             WHERE id = @id AND sector_code = @sector
               AND start_utc >= @earliest AND start_utc <= @latest
               AND {SlotStore.FreeNow}
               AND (held_by IS NULL OR held_by <> @client OR hold_expires_at IS NULL OR hold_expires_at <= @renewableAfter)
            """;
        /// <summary>The holder stays named and the hold ends now: releasing then holding again is no way round the renewal rule.</summary>
        public string ReleaseHold { get; } = """
            UPDATE slots
               SET status = 'available', hold_id = NULL, hold_expires_at = @now, updated_at = @now
             WHERE hold_id = @holdId AND held_by = @client AND status = 'held' AND hold_expires_at > @now
            """;
        public string SelectHold { get; } = $"SELECT {SlotStore.Columns} FROM slots WHERE hold_id = @holdId AND held_by = @client AND status = 'held' AND hold_expires_at > @now";
        public string SlotOfHold { get; } = "SELECT id FROM slots WHERE hold_id = @holdId AND held_by = @client AND status = 'held' AND hold_expires_at > @now";
        /// <summary>
        /// Free without a hold, or under this client's live hold named by its id; in the sector whose scope was checked.
        /// Answers the slot as it is booked, so the booking carries what the slot says at that moment, not an earlier read.
        /// </summary>
        public string BookSlot { get; } = d.UpdateReturning("slots",
            "status = 'booked', hold_id = NULL, held_by = NULL, hold_expires_at = NULL, updated_at = @now",
            $"""
            id = @id AND sector_code = @sector
               AND start_utc >= @earliest AND start_utc <= @latest
               AND ((@holdId IS NULL AND {SlotStore.FreeNow})
                    OR (status = 'held' AND hold_id = @holdId AND held_by = @client AND hold_expires_at > @now))
            """,
            "rpps, sector_code AS SectorCode, site_id AS SiteId, start_utc AS StartUtc, end_utc AS EndUtc");
        public string InsertBooking { get; } = """
            INSERT INTO bookings (id, slot_id, rpps, sector_code, site_id, start_utc, end_utc, overflow, overflow_day, status, outcome,
                                  origin, regular_doctor, regular_doctor_contacted, requested_at,
                                  patient_last_name, patient_first_name, patient_birth_date, patient_phone, patient_commune,
                                  patient_ins, patient_regular_doctor_rpps, reason, booked_by_client, created_at, slot_released, updated_at,
                                  gp_is_regular_doctor, operator_id, operator_account)
            VALUES (@Id, @SlotId, @Rpps, @SectorCode, @SiteId, @StartUtc, @EndUtc, @Overflow, @OverflowDay, 'booked', NULL,
                    @Origin, @RegularDoctor, @RegularDoctorContacted, @RequestedAt,
                    @PatientLastName, @PatientFirstName, @PatientBirthDate, @PatientPhone, @PatientCommune,
                    @PatientIns, @PatientRegularDoctorRpps, @Reason, @BookedByClient, @CreatedAt, 0, @UpdatedAt,
                    CASE WHEN @PatientRegularDoctorRpps = @Rpps THEN 1 ELSE 0 END, @OperatorId, @OperatorAccount)
            """;
        public string TakeOverflowPlace { get; } = """
            UPDATE overflow_days
               SET used = used + 1
             WHERE rpps = @rpps AND day = @day AND used < @max
            """;
        public string FirstOverflowPlace { get; } = """
            INSERT INTO overflow_days (rpps, day, used)
            SELECT @rpps, @day, 1
             WHERE @max >= 1
               AND NOT EXISTS (SELECT 1 FROM overflow_days WHERE rpps = @rpps AND day = @day)
            """;
        public string GiveBackOverflowPlace { get; } = "UPDATE overflow_days SET used = used - 1 WHERE rpps = @rpps AND day = @day AND used > 0";
        public string SelectBooking { get; } = $"SELECT {Columns} FROM bookings WHERE id = @id";
        public string Cancel { get; } = """
            UPDATE bookings
               SET status = 'cancelled', cancelled_at = @now, cancelled_by = @by, cancel_reason = @reason,
                   cancelled_by_client = @client, slot_released = @release, updated_at = @now
             WHERE id = @id AND status = 'booked' AND outcome IS NULL
            """;
        /// <summary>The booking read under a lock, so nothing changes it between the checks of a move and its write.</summary>
        public string SelectBookingLocked { get; } = $"SELECT {Columns} FROM bookings {d.UpdateLock} WHERE id = @id {d.ForUpdate}";
        public string Move { get; } = """
            UPDATE bookings
               SET slot_id = @SlotId, rpps = @Rpps, sector_code = @SectorCode, site_id = @SiteId, start_utc = @StartUtc, end_utc = @EndUtc,
                   gp_is_regular_doctor = CASE WHEN patient_regular_doctor_rpps = @Rpps THEN 1 ELSE 0 END, updated_at = @UpdatedAt
             WHERE id = @Id AND status = 'booked' AND outcome IS NULL AND slot_id = @FromSlotId
            """;
        public string ReleaseSlot { get; } = "UPDATE slots SET status = 'available', updated_at = @now WHERE id = @slotId AND status = 'booked'";
        public string RecordOutcome { get; } = """
            UPDATE bookings
               SET outcome = @outcome, outcome_at = @now, updated_at = @now
             WHERE id = @id AND status = 'booked' AND outcome IS NULL AND (start_utc IS NULL OR start_utc <= @now)
            """;
        /// <summary>A page of a GP's bookings: the first (no cursor: no sentinel instant, which SQL Server's types cannot hold) or one after a cursor.</summary>
        public string ListForPractitioner(bool after) => $"""
            SELECT {Columns}
              FROM bookings
             WHERE rpps = @rpps
               AND ((start_utc >= @from AND start_utc < @to) OR (start_utc IS NULL AND created_at >= @from AND created_at < @to))
            {(after ? "   AND (COALESCE(start_utc, created_at) > @afterAt OR (COALESCE(start_utc, created_at) = @afterAt AND id > @afterId))" : "")}
             ORDER BY COALESCE(start_utc, created_at), id
            {d.Limit("@limit")}
            """;
    }

    private readonly Sql sql = new(db.Dialect);
    private readonly SlotStore.Sql slotSql = new(db.Dialect);
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>A hold: <paramref name="Existing"/> when the caller already held the slot (the same hold answered again).</summary>
    public sealed record HoldResult(string? HoldId, DateTime ExpiresAt, Refusal? Refusal, bool Existing = false);

    /// <summary>
    /// Holds a slot for one client; a lapsed hold of someone else is simply taken over. Holding again a slot this
    /// client holds answers the same hold, neither a second one nor a longer one; a client whose hold lapsed or was
    /// released may hold the slot again only after one more hold period (it may book it without a hold meanwhile).
    /// </summary>
    public Task<HoldResult> HoldAsync(SlotRow slot, BookingWindow window, TimeSpan holdFor, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = Now;
            var holdId = Guid.NewGuid().ToString();
            var expires = now + holdFor;
            var args = new
            {
                id = slot.Id, sector = slot.SectorCode, holdId, client = caller.ClientId, expires, now, renewableAfter = now - holdFor,
                earliest = window.EarliestStart(now), latest = window.LatestStart(now),
            };
            if (await c.ExecuteAsync(new CommandDefinition(sql.Hold, args, tx, cancellationToken: ct)) == 0)
            {
                var current = await c.QuerySingleOrDefaultAsync<SlotRow>(new CommandDefinition(slotSql.SelectById, new { id = slot.Id }, tx, cancellationToken: ct));
                if (current is { Status: "held", HoldId: { } live, HoldExpiresAt: { } until } && current.HeldBy == caller.ClientId && until > now)
                    return new HoldResult(live, until, null, Existing: true);
                if (current is not null && current.HeldBy == caller.ClientId && current.EffectiveStatus(now) == SlotStatus.Available
                    && current.HoldExpiresAt > now - holdFor && current.SectorCode == slot.SectorCode && window.Check(current.StartUtc, now) == Bookability.Bookable)
                    return new HoldResult(null, default, Refusal.HoldNotRenewable);
                return new HoldResult(null, default, Why(current, slot.SectorCode, window, now, caller.ClientId, holdId: null));
            }
            await audit.WriteAsync(c, tx, caller, "hold", "slot", slot.Id.ToString(), ct);
            return new HoldResult(holdId, expires, null);
        }, ct);

    public sealed record LiveHold(long SlotId, DateTime ExpiresAt);

    /// <summary>A live hold of this client, or null.</summary>
    public async Task<LiveHold?> FindHoldAsync(string holdId, Caller caller, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SlotRow>(new CommandDefinition(sql.SelectHold, new { holdId, client = caller.ClientId, now = Now }, cancellationToken: ct));
        return row is { HoldExpiresAt: { } until } ? new LiveHold(row.Id, until) : null;
    }

    /// <summary>Releases a live hold of this client; false when there is no such hold.</summary>
    public Task<bool> ReleaseHoldAsync(string holdId, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = Now;
            var slotId = await c.ExecuteScalarAsync<long?>(new CommandDefinition(sql.SlotOfHold, new { holdId, client = caller.ClientId, now }, tx, cancellationToken: ct));
            if (slotId is null) return false;
            var released = await c.ExecuteAsync(new CommandDefinition(sql.ReleaseHold, new { holdId, client = caller.ClientId, now }, tx, cancellationToken: ct)) > 0;
            if (released) await audit.WriteAsync(c, tx, caller, "release_hold", "slot", slotId.Value.ToString(), ct);
            return released;
        }, ct);

    public sealed record BookResult(BookingRow? Booking, Refusal? Refusal);

    private sealed record BookedSlot(string Rpps, string SectorCode, string SiteId, DateTime StartUtc, DateTime EndUtc);

    /// <summary>
    /// Books a slot inside an open transaction (the idempotency key's). <paramref name="slot"/> is what the caller's
    /// scope was checked on: the slot must still be in that sector, and the booking copies the slot as the booking
    /// statement left it (a sync may have moved it since that read).
    /// </summary>
    public async Task<BookResult> BookSlotAsync(DbConnection c, DbTransaction tx, SlotRow slot, BookingWindow window, string? holdId, BookingRow draft, Caller caller, CancellationToken ct)
    {
        var now = Now;
        var args = new { id = slot.Id, sector = slot.SectorCode, holdId, client = caller.ClientId, now, earliest = window.EarliestStart(now), latest = window.LatestStart(now) };
        var booked = await c.QuerySingleOrDefaultAsync<BookedSlot>(new CommandDefinition(sql.BookSlot, args, tx, cancellationToken: ct));
        if (booked is null)
        {
            var current = await c.QuerySingleOrDefaultAsync<SlotRow>(new CommandDefinition(slotSql.SelectById, new { id = slot.Id }, tx, cancellationToken: ct));
            return new BookResult(null, Why(current, slot.SectorCode, window, now, caller.ClientId, holdId));
        }

        var booking = draft with { SlotId = slot.Id, StartUtc = booked.StartUtc, EndUtc = booked.EndUtc, SiteId = booked.SiteId, SectorCode = booked.SectorCode, Rpps = booked.Rpps };
        try
        {
            await c.ExecuteAsync(new CommandDefinition(sql.InsertBooking, booking, tx, cancellationToken: ct));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            // Only reachable if the slot row and the bookings disagree; the index keeps the promise anyway.
            return new BookResult(null, Refusal.SlotBooked);
        }
        await RecordCreatedAsync(c, tx, booking, caller, ct);
        return new BookResult(booking, null);
    }

    /// <summary>Books an overflow place with the GP for its local day, inside an open transaction.</summary>
    public async Task<BookResult> BookOverflowAsync(DbConnection c, DbTransaction tx, BookingRow draft, long perDay, Caller caller, CancellationToken ct)
    {
        var args = new { rpps = draft.Rpps, day = draft.OverflowDay, max = perDay };
        var taken = await c.ExecuteAsync(new CommandDefinition(sql.TakeOverflowPlace, args, tx, cancellationToken: ct)) > 0;
        if (!taken)
        {
            try { taken = await c.ExecuteAsync(new CommandDefinition(sql.FirstOverflowPlace, args, tx, cancellationToken: ct)) > 0; }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                // Another regulator created the day's counter first: take a place from it like everyone else.
                taken = await c.ExecuteAsync(new CommandDefinition(sql.TakeOverflowPlace, args, tx, cancellationToken: ct)) > 0;
            }
        }
        if (!taken)
            return new BookResult(null, Refusal.OverflowFull);
        await c.ExecuteAsync(new CommandDefinition(sql.InsertBooking, draft, tx, cancellationToken: ct));
        await RecordCreatedAsync(c, tx, draft, caller, ct);
        return new BookResult(draft, null);
    }

    private async Task RecordCreatedAsync(DbConnection c, DbTransaction tx, BookingRow booking, Caller caller, CancellationToken ct)
    {
        await audit.WriteAsync(c, tx, caller, "create", "booking", booking.Id, ct);
        await outbox.WriteAsync(c, tx, Event(EventTypes.BookingCreated, booking), ct);
    }

    /// <summary>Reads a booking for a caller allowed to see it, auditing the read in the same transaction.</summary>
    public Task<BookingRow?> ReadAsync(string id, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var row = await c.QuerySingleOrDefaultAsync<BookingRow>(new CommandDefinition(sql.SelectBooking, new { id }, tx, cancellationToken: ct));
            if (row is not null) await audit.WriteAsync(c, tx, caller, "read", "booking", id, ct);
            return row;
        }, ct);

    /// <summary>A booking without auditing: for deciding who may act on it, never sent to a caller.</summary>
    public async Task<BookingRow?> FindAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<BookingRow>(new CommandDefinition(sql.SelectBooking, new { id }, cancellationToken: ct));
    }

    public sealed record ChangeResult(BookingRow? Booking, Refusal? Refusal);

    public Task<ChangeResult> CancelAsync(BookingRow booking, CancelledBy by, string reason, bool releaseSlot, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = Now;
            var args = new { id = booking.Id, now, by = by.ToText(), reason, client = caller.ClientId, release = releaseSlot ? 1L : 0L };
            if (await c.ExecuteAsync(new CommandDefinition(sql.Cancel, args, tx, cancellationToken: ct)) == 0)
            {
                var current = await c.QuerySingleOrDefaultAsync<BookingRow>(new CommandDefinition(sql.SelectBooking, new { id = booking.Id }, tx, cancellationToken: ct));
                return new ChangeResult(null, Closed(current) ?? Refusal.OutcomeRecorded);
            }
            // No booking lives on the slot any more: it is available again. Before the cut-off regulators may book it
            // again (releaseSlot says so to the GP); after it, the GP may use or withdraw it, and if nobody does it
            // expires at its start, offered and unfilled, as the fill rate must count it. Once the slot has started it
            // stays booked: it was taken at its start, and the cancellation is that booking's outcome.
            if (booking.SlotId is { } slotId && BookingRules.FreesItsSlot(booking.StartUtc, now))
                await c.ExecuteAsync(new CommandDefinition(sql.ReleaseSlot, new { slotId, now }, tx, cancellationToken: ct));
            if (booking.Overflow == 1)
                await c.ExecuteAsync(new CommandDefinition(sql.GiveBackOverflowPlace, new { rpps = booking.Rpps, day = booking.OverflowDay }, tx, cancellationToken: ct));
            var updated = await c.QuerySingleAsync<BookingRow>(new CommandDefinition(sql.SelectBooking, new { id = booking.Id }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "cancel", "booking", booking.Id, ct);
            await outbox.WriteAsync(c, tx, Event(EventTypes.BookingCancelled, updated), ct);
            return new ChangeResult(updated, null);
        }, ct);

    /// <summary>
    /// Moves a booking to <paramref name="slot"/> inside an open transaction (the idempotency key's): the booking must still
    /// be booked, without an outcome, on the slot it was read on; the new slot is taken as a booking takes it (free, or
    /// under this caller's hold named by <paramref name="holdId"/>); then the booking follows it, keeping its id, patient and
    /// history, and the old slot is available again, as a cancellation leaves it. Every refusal comes before any write.
    /// </summary>
    public async Task<BookResult> MoveAsync(DbConnection c, DbTransaction tx, BookingRow booking, SlotRow slot, BookingWindow window, string? holdId, Caller caller, CancellationToken ct)
    {
        var now = Now;
        var current = await c.QuerySingleOrDefaultAsync<BookingRow>(new CommandDefinition(sql.SelectBookingLocked, new { id = booking.Id }, tx, cancellationToken: ct));
        if (Closed(current) is { } closed) return new BookResult(null, closed);
        if (current!.SlotId != booking.SlotId || current.SlotId is not { } fromSlot) return new BookResult(null, Refusal.SlotBooked); // moved meanwhile

        var args = new { id = slot.Id, sector = slot.SectorCode, holdId, client = caller.ClientId, now, earliest = window.EarliestStart(now), latest = window.LatestStart(now) };
        var taken = await c.QuerySingleOrDefaultAsync<BookedSlot>(new CommandDefinition(sql.BookSlot, args, tx, cancellationToken: ct));
        if (taken is null)
        {
            var state = await c.QuerySingleOrDefaultAsync<SlotRow>(new CommandDefinition(slotSql.SelectById, new { id = slot.Id }, tx, cancellationToken: ct));
            return new BookResult(null, Why(state, slot.SectorCode, window, now, caller.ClientId, holdId));
        }
        var moved = new
        {
            current.Id, SlotId = slot.Id, taken.Rpps, taken.SectorCode, taken.SiteId, taken.StartUtc, taken.EndUtc, UpdatedAt = now, FromSlotId = fromSlot,
        };
        await c.ExecuteAsync(new CommandDefinition(sql.Move, moved, tx, cancellationToken: ct));
        if (BookingRules.FreesItsSlot(current.StartUtc, now))
            await c.ExecuteAsync(new CommandDefinition(sql.ReleaseSlot, new { slotId = fromSlot, now }, tx, cancellationToken: ct));
        var updated = await c.QuerySingleAsync<BookingRow>(new CommandDefinition(sql.SelectBooking, new { id = booking.Id }, tx, cancellationToken: ct));
        await audit.WriteAsync(c, tx, caller, "move", "booking", booking.Id, ct);
        await outbox.WriteAsync(c, tx, Event(EventTypes.BookingMoved, updated, from: current), ct);
        return new BookResult(updated, null);
    }

    public Task<ChangeResult> RecordOutcomeAsync(BookingRow booking, Outcome outcome, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = Now;
            if (await c.ExecuteAsync(new CommandDefinition(sql.RecordOutcome, new { id = booking.Id, outcome = outcome.ToText(), now }, tx, cancellationToken: ct)) == 0)
            {
                var current = await c.QuerySingleOrDefaultAsync<BookingRow>(new CommandDefinition(sql.SelectBooking, new { id = booking.Id }, tx, cancellationToken: ct));
                return new ChangeResult(null, Closed(current) ?? Refusal.ConsultationNotStarted);
            }
            var updated = await c.QuerySingleAsync<BookingRow>(new CommandDefinition(sql.SelectBooking, new { id = booking.Id }, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "outcome", "booking", booking.Id, ct);
            await outbox.WriteAsync(c, tx, Event(EventTypes.BookingOutcome, updated), ct);
            return new ChangeResult(updated, null);
        }, ct);

    /// <summary>
    /// A GP's bookings in a window for the practice software: up to <paramref name="pageSize"/> + 1 rows, the
    /// extra one only telling that a next page exists. Every booking of the page is an audited read; the extra is not sent, so not audited.
    /// </summary>
    public Task<IReadOnlyList<BookingRow>> ListForPractitionerAsync(string rpps, DateTime fromUtc, DateTime toUtc, (DateTime At, string Id)? after, int pageSize, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync<IReadOnlyList<BookingRow>>(async (c, tx) =>
        {
            var rows = (await c.QueryAsync<BookingRow>(new CommandDefinition(sql.ListForPractitioner(after is not null), new
            {
                rpps, from = fromUtc, to = toUtc, afterAt = after?.At, afterId = after?.Id, limit = pageSize + 1,
            }, tx, cancellationToken: ct))).AsList();
            await audit.WriteManyAsync(c, tx, caller, "read", "booking", rows.Take(pageSize).Select(r => r.Id), ct);
            return rows;
        }, ct);

    /// <summary>Classifies a refused hold or booking by the slot's state now (<paramref name="holdId"/>: the hold a booking named).</summary>
    private static Refusal Why(SlotRow? slot, string sector, BookingWindow window, DateTime now, string client, string? holdId)
    {
        if (slot is null) return Refusal.SlotNotFound;
        var status = slot.EffectiveStatus(now);
        return status switch
        {
            SlotStatus.Withdrawn => Refusal.SlotWithdrawn,
            SlotStatus.Booked => Refusal.SlotBooked,
            SlotStatus.Expired => Refusal.SlotStarted,
            _ when slot.SectorCode != sector => Refusal.SlotBooked, // moved to another sector meanwhile: search again
            _ when holdId is not null && (slot.HoldId != holdId || slot.HeldBy != client || status != SlotStatus.Held) => Refusal.HoldExpired,
            SlotStatus.Held when slot.HeldBy != client => Refusal.SlotHeld,
            SlotStatus.Held when holdId is null => Refusal.HoldIdRequired,
            _ => window.Check(slot.StartUtc, now) switch
            {
                Bookability.Started => Refusal.SlotStarted,
                Bookability.OutsideHorizon => Refusal.OutsideBookingHorizon,
                _ => Refusal.SlotBooked,
            },
        };
    }

    /// <summary>
    /// Why a change to a booking read earlier cannot apply to it as it stands now: lost since it was read (a failover to a
    /// replica that lagged), cancelled, or its outcome recorded; null when none of these (each change then names its own).
    /// </summary>
    private static Refusal? Closed(BookingRow? current) =>
        current is null ? Refusal.BookingNotFound : current.Status == "cancelled" ? Refusal.BookingCancelled : current.Outcome is not null ? Refusal.OutcomeRecorded : null;

    /// <param name="from">A moved booking as it was: the slot and professional it left, named in the event, whose practice is told too.</param>
    private static OutboxEvent Event(string type, BookingRow b, BookingRow? from = null) => new(type, b.Id, b.SlotId, b.Rpps, b.BookedByClient, new
    {
        bookingId = b.Id,
        slotId = b.SlotId,
        practitionerRpps = b.Rpps,
        sector = b.SectorCode,
        start = b.StartUtc is { } s ? Domain.Time.Instants.Format(s) : null,
        end = b.EndUtc is { } e ? Domain.Time.Instants.Format(e) : null,
        overflow = b.Overflow == 1,
        status = b.Status,
        outcome = b.Outcome,
        origin = b.Origin,
        cancelledBy = b.CancelledBy,
        operatorId = b.OperatorId,
        operatorAccount = b.OperatorAccount,
        createdAt = Domain.Time.Instants.Format(b.CreatedAt),
        bookedBy = b.BookedByClient,
        previousSlotId = from?.SlotId,
        previousPractitionerRpps = from?.Rpps,
    }, PreviousRpps: from is not null && from.Rpps != b.Rpps ? from.Rpps : null);
}
