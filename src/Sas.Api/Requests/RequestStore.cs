using System.Data.Common;
using System.Text.Json;
using Dapper;
using Sas.Api.Bookings;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Infrastructure.Outbox;
using Sas.Domain.Requests;
using Sas.Domain.Time;

namespace Sas.Api.Requests;

/// <summary>A pooled request as stored; <c>Draft</c> is the booking it becomes (patient included), null once closed.</summary>
public sealed record RequestRow(
    string Id, string ClientId, string SectorCode, string Profession, string? Specialty, string Modality, string? Reason,
    DateTime NotBefore, DateTime NotAfter, string Status, string? Draft, string? AcceptedBy, string? BookingId, long Offered,
    DateTime CreatedAt, DateTime? ClosedAt);

/// <summary>A professional in the pool, with their hours.</summary>
public record PoolMemberRow(string Rpps, string Weekdays, string FromLocal, string UntilLocal)
{
    public PoolHours Hours => PoolHours.Parse(Weekdays, FromLocal, UntilLocal);
}

/// <summary>A member a request may be offered to.</summary>
/// <param name="SectorCode">The sector of the request's place it is enrolled in (the first of them, in the place's order): where its booking counts.</param>
public sealed record PoolCandidateRow(string Rpps, string Weekdays, string FromLocal, string UntilLocal, string SectorCode)
    : PoolMemberRow(Rpps, Weekdays, FromLocal, UntilLocal);

/// <summary>
/// The pool and its requests. Who gets a request is decided in the <c>UPDATE</c>'s <c>WHERE</c> (still open, not past
/// its window, offered to this professional): the first to commit wins on every engine, the others change nothing.
/// </summary>
public sealed class RequestStore(Db db, Outbox outbox, Infrastructure.Audit.Audit audit, TimeProvider clock)
{
    public sealed class Sql(SqlDialect d)
    {
        public string UpdateMember { get; } = """
            UPDATE pool_members SET weekdays = @Weekdays, from_local = @FromLocal, until_local = @UntilLocal, updated_at = @now
             WHERE rpps = @Rpps
            """;
        public string InsertMember { get; } = """
            INSERT INTO pool_members (rpps, weekdays, from_local, until_local, updated_at)
            VALUES (@Rpps, @Weekdays, @FromLocal, @UntilLocal, @now)
            """;
        public string DeleteMember { get; } = "DELETE FROM pool_members WHERE rpps = @rpps";
        public string SelectMember { get; } = "SELECT rpps, weekdays, from_local AS FromLocal, until_local AS UntilLocal FROM pool_members WHERE rpps = @rpps";

        /// <summary>
        /// The pool's professionals of a profession in these sectors who still take overflow patients, once per sector of
        /// these they are enrolled in: hours are checked by the caller. Driven by the pool's members, each checked by key:
        /// joined to practitioners, SQLite's planner walked every GP (24,000 in the bench) for 20 members; and with an inner
        /// join to the sectors it scanned all the GPs' sectors first, where a CROSS JOIN keeps the members outside.
        /// </summary>
        public string Candidates(bool specialty) => $"""
            SELECT m.rpps, m.weekdays, m.from_local AS FromLocal, m.until_local AS UntilLocal, ps.sector_code AS SectorCode
              FROM pool_members m CROSS JOIN practitioner_sectors ps
             WHERE ps.rpps = m.rpps AND {d.InList("ps.sector_code", "@sectors")}
               AND EXISTS (SELECT 1 FROM practitioners p
                            WHERE p.rpps = m.rpps AND p.profession = @profession {(specialty ? "AND p.specialty = @specialty" : "")} AND p.overflow_per_day > 0)
             ORDER BY m.rpps
            """;

        public string InsertRequest { get; } = """
            INSERT INTO pooled_requests (id, client_id, sector_code, profession, specialty, modality, reason, not_before, not_after,
                                         status, draft, accepted_by, booking_id, offered, created_at, closed_at)
            VALUES (@Id, @ClientId, @SectorCode, @Profession, @Specialty, @Modality, @Reason, @NotBefore, @NotAfter,
                    @Status, @Draft, @AcceptedBy, @BookingId, @Offered, @CreatedAt, @ClosedAt)
            """;
        public string InsertOffer { get; } = "INSERT INTO pooled_request_offers (request_id, rpps, sector_code) VALUES (@RequestId, @Rpps, @SectorCode)";
        public string OfferSector { get; } = "SELECT sector_code FROM pooled_request_offers WHERE request_id = @id AND rpps = @rpps";

        private const string Columns = """
            r.id, r.client_id AS ClientId, r.sector_code AS SectorCode, r.profession, r.specialty, r.modality, r.reason,
            r.not_before AS NotBefore, r.not_after AS NotAfter, r.status, r.draft, r.accepted_by AS AcceptedBy,
            r.booking_id AS BookingId, r.offered, r.created_at AS CreatedAt, r.closed_at AS ClosedAt
            """;
        public string SelectRequest { get; } = $"SELECT {Columns} FROM pooled_requests r WHERE r.id = @id";
        public string IsOffered { get; } = "SELECT COUNT(*) FROM pooled_request_offers WHERE request_id = @id AND rpps = @rpps";
        public string OfferedTo { get; } = "SELECT rpps FROM pooled_request_offers WHERE request_id = @id";

        /// <summary>The open requests offered to a professional, soonest window's end first.</summary>
        public string OpenFor { get; } = $"""
            SELECT {Columns}
              FROM pooled_requests r
              JOIN pooled_request_offers o ON o.request_id = r.id
             WHERE o.rpps = @rpps AND r.status = 'open' AND r.not_after > @now
             ORDER BY r.not_after, r.id
            """;

        /// <summary>The requests a client posted since a moment, newest first (index <c>ix_pooled_requests_client</c>).</summary>
        public string PostedBy { get; } = $"""
            SELECT {Columns}
              FROM pooled_requests r
             WHERE r.client_id = @clientId AND r.created_at >= @since
             ORDER BY r.created_at DESC, r.id
            """;

        /// <summary>The first to commit takes it: still open, inside its window, offered to this professional.</summary>
        public string Claim { get; } = """
            UPDATE pooled_requests
               SET status = 'accepted', accepted_by = @rpps, booking_id = @bookingId, draft = NULL, reason = NULL, closed_at = @now
             WHERE id = @id AND status = 'open' AND not_after > @now
               AND EXISTS (SELECT 1 FROM pooled_request_offers o WHERE o.request_id = @id AND o.rpps = @rpps)
            """;
        /// <summary>The claim undone in its own transaction, when the booking it was for was refused (no overflow place left).</summary>
        public string Unclaim { get; } = """
            UPDATE pooled_requests SET status = 'open', accepted_by = NULL, booking_id = NULL, draft = @draft, reason = @reason, closed_at = NULL
             WHERE id = @id AND status = 'accepted' AND booking_id = @bookingId
            """;
        public string Withdraw(bool anyClient) => $"""
            UPDATE pooled_requests SET status = 'withdrawn', draft = NULL, reason = NULL, closed_at = @now
             WHERE id = @id AND status = 'open' {(anyClient ? "" : "AND client_id = @client")}
            """;
        public string DueToExpire { get; } = $"SELECT id FROM pooled_requests WHERE status = 'open' AND not_after <= @now ORDER BY not_after {d.Limit("@batch")}";
        public string Expire { get; } = """
            UPDATE pooled_requests SET status = 'expired', draft = NULL, reason = NULL, closed_at = @now
             WHERE id = @id AND status = 'open' AND not_after <= @now
            """;
    }

    private readonly Sql sql = new(db.Dialect);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task JoinPoolAsync(string rpps, PoolHours hours, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var args = new { Rpps = rpps, Weekdays = hours.WeekdaysText, FromLocal = PoolHours.Text(hours.From), UntilLocal = PoolHours.Text(hours.Until), now = Now };
            if (await c.ExecuteAsync(new CommandDefinition(sql.UpdateMember, args, tx, cancellationToken: ct)) == 0)
                await c.ExecuteAsync(new CommandDefinition(sql.InsertMember, args, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, "join", "pool", rpps, ct);
            return 0;
        }, ct);

    public Task<bool> LeavePoolAsync(string rpps, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var left = await c.ExecuteAsync(new CommandDefinition(sql.DeleteMember, new { rpps }, tx, cancellationToken: ct)) > 0;
            if (left) await audit.WriteAsync(c, tx, caller, "leave", "pool", rpps, ct);
            return left;
        }, ct);

    public async Task<PoolMemberRow?> MemberAsync(string rpps, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<PoolMemberRow>(new CommandDefinition(sql.SelectMember, new { rpps }, cancellationToken: ct));
    }

    /// <summary>
    /// The pool's members a request for a place covered by <paramref name="sectors"/> is offered to, each with the first of
    /// those sectors they are enrolled in: where their booking will count if they accept.
    /// </summary>
    public async Task<IReadOnlyList<PoolCandidateRow>> CandidatesAsync(string profession, string? specialty, IReadOnlyList<string> sectors, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<PoolCandidateRow>(new CommandDefinition(sql.Candidates(specialty is not null),
            new { profession, specialty, sectors = ValueList.Of(sectors) }, cancellationToken: ct));
        var order = sectors.Select((code, i) => (code, i)).ToDictionary(x => x.code, x => x.i, StringComparer.Ordinal);
        return [.. rows.GroupBy(m => m.Rpps).Select(g => g.MinBy(m => order[m.SectorCode])!)];
    }

    /// <summary>The sector through which the request was offered to this professional (null for offers written before it was kept).</summary>
    public async Task<string?> OfferSectorAsync(string id, string rpps, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql.OfferSector, new { id, rpps }, cancellationToken: ct));
    }

    /// <summary>
    /// Posts a request and offers it, in one transaction: the request, who it is offered to, and one <c>request.offered</c>
    /// event, fanned out to each of their practices (<see cref="Notifications.WebhookStore.FanOutAsync"/>).
    /// </summary>
    public async Task PostAsync(DbConnection c, DbTransaction tx, RequestRow row, IReadOnlyList<PoolCandidateRow> offeredTo, Caller caller, CancellationToken ct)
    {
        await c.ExecuteAsync(new CommandDefinition(sql.InsertRequest, row, tx, cancellationToken: ct));
        await MultiRowInsert.ExecuteAsync(c, tx, sql.InsertOffer, offeredTo.Select(m => new { RequestId = row.Id, m.Rpps, m.SectorCode }).ToList(), ct);
        if (offeredTo.Count > 0) await outbox.WriteAsync(c, tx, Event(EventTypes.RequestOffered, row, clientId: null), ct);
        await audit.WriteAsync(c, tx, caller, "create", "request", row.Id, ct);
    }

    public async Task<RequestRow?> GetAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await GetAsync(c, null, id, ct);
    }

    public Task<RequestRow?> GetAsync(DbConnection c, DbTransaction? tx, string id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(sql.SelectRequest, new { id }, tx, cancellationToken: ct));

    /// <summary>A request read for a caller (its reason is the patient's): the read is audited in its own transaction.</summary>
    public Task<RequestRow?> ReadAsync(string id, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var row = await GetAsync(c, tx, id, ct);
            if (row is not null) await audit.WriteAsync(c, tx, caller, "read", "request", id, ct);
            return row;
        }, ct);

    public async Task<IReadOnlyList<string>> OfferedToAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(sql.OfferedTo, new { id }, cancellationToken: ct))).AsList();
    }

    /// <summary>The open requests offered to a professional, read for a caller (audited, one row per request).</summary>
    public Task<IReadOnlyList<RequestRow>> OpenForAsync(string rpps, Caller caller, CancellationToken ct) =>
        ReadAuditedAsync(sql.OpenFor, new { rpps, now = Now }, caller, ct);

    /// <summary>The requests the caller's client posted since <paramref name="since"/>, newest first; each read audited (an open one holds the patient's reason).</summary>
    public Task<IReadOnlyList<RequestRow>> PostedByAsync(DateTime since, Caller caller, CancellationToken ct) =>
        ReadAuditedAsync(sql.PostedBy, new { clientId = caller.ClientId, since }, caller, ct);

    /// <summary>Requests read for a caller, each read audited in the same transaction.</summary>
    private Task<IReadOnlyList<RequestRow>> ReadAuditedAsync(string statement, object args, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync<IReadOnlyList<RequestRow>>(async (c, tx) =>
        {
            var rows = (await c.QueryAsync<RequestRow>(new CommandDefinition(statement, args, tx, cancellationToken: ct))).AsList();
            foreach (var row in rows) await audit.WriteAsync(c, tx, caller, "read", "request", row.Id, ct);
            return rows;
        }, ct);

    /// <summary>The request for this professional if still open and offered to them: true when this transaction took it.</summary>
    public async Task<bool> ClaimAsync(DbConnection c, DbTransaction tx, string id, string rpps, string bookingId, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition(sql.Claim, new { id, rpps, bookingId, now = Now }, tx, cancellationToken: ct)) == 1;

    public Task UnclaimAsync(DbConnection c, DbTransaction tx, RequestRow open, string bookingId, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(sql.Unclaim, new { id = open.Id, bookingId, draft = open.Draft, reason = open.Reason }, tx, cancellationToken: ct));

    /// <summary>
    /// The <c>request.accepted</c> event: to the regulator's client and to the practices of the professionals it was
    /// offered to, the accepting one's included (to the others it is no longer theirs to take).
    /// </summary>
    public Task AcceptedAsync(DbConnection c, DbTransaction tx, RequestRow request, BookingRow booking, CancellationToken ct) =>
        outbox.WriteAsync(c, tx, Event(EventTypes.RequestAccepted, request with { Status = RequestStatus.Accepted, AcceptedBy = booking.Rpps, BookingId = booking.Id },
            request.ClientId), ct);

    /// <summary>Withdraws an open request and tells the practices it was offered to: the request as withdrawn, or null when it was not open.</summary>
    public Task<RequestRow?> WithdrawAsync(string id, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync(new CommandDefinition(sql.Withdraw(caller.IsAdmin), new { id, client = caller.ClientId, now = Now }, tx, cancellationToken: ct)) == 0) return null;
            await audit.WriteAsync(c, tx, caller, "withdraw", "request", id, ct);
            var withdrawn = (await GetAsync(c, tx, id, ct))!;
            await outbox.WriteAsync(c, tx, Event(EventTypes.RequestWithdrawn, withdrawn, clientId: null), ct);
            return withdrawn;
        }, ct);

    /// <summary>
    /// Closes the open requests whose window has ended, a batch at a time: each expired (the patient's data cleared), its
    /// regulator and the practices it was offered to told (<c>request.expired</c>). Safe twice or on two nodes at once: the state is in each <c>WHERE</c>.
    /// </summary>
    public Task<int> ExpireBatchAsync(int batch, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var now = Now;
            var due = (await c.QueryAsync<string>(new CommandDefinition(sql.DueToExpire, new { now, batch }, tx, cancellationToken: ct))).AsList();
            var expired = 0;
            foreach (var id in due)
            {
                if (await c.ExecuteAsync(new CommandDefinition(sql.Expire, new { id, now }, tx, cancellationToken: ct)) == 0) continue;
                var row = (await GetAsync(c, tx, id, ct))!;
                await outbox.WriteAsync(c, tx, Event(EventTypes.RequestExpired, row, row.ClientId), ct);
                expired++;
            }
            return expired;
        }, ct);

    /// <summary>
    /// A request's event: what it is for and where it stands; never the patient, nor the reason (they are read through the
    /// API, audited). It names no professional: the fan-out sends it to the practices of all it was offered to, once each.
    /// </summary>
    private static OutboxEvent Event(string type, RequestRow r, string? clientId) => new(type, null, null, Rpps: "", clientId, new
    {
        requestId = r.Id,
        status = r.Status,
        sector = r.SectorCode,
        profession = r.Profession,
        specialty = r.Specialty,
        modality = r.Modality,
        notBefore = Instants.Format(r.NotBefore),
        notAfter = Instants.Format(r.NotAfter),
        acceptedBy = r.AcceptedBy,
        bookingId = r.BookingId,
    }, RequestId: r.Id);

    public static string DraftJson(BookingRow draft) => JsonSerializer.Serialize(draft, Json);

    public static BookingRow ReadDraft(string json) => JsonSerializer.Deserialize<BookingRow>(json, Json)!;
}
