using System.Text.Json;
using Dapper;
using Sas.Api.Clients;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Notifications;

public sealed record WebhookRow(string ClientId, string Url, string Secret, string Events);

public sealed record DeliveryRow(
    long Id, long OutboxId, string EventId, string EventType, string ClientId, string OrderKey, string Status, long Attempts,
    DateTime NextAttemptAt, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt);

/// <summary>A due delivery with what sending it needs: the endpoint, its secret and the event's body.</summary>
public sealed record DueDelivery(long Id, string EventId, string EventType, string ClientId, string OrderKey, long Attempts, string? Url, string? Secret, string Payload);

public sealed class WebhookStore(Db db, TimeProvider clock, Infrastructure.Audit.Audit audit)
{
    /// <summary>The recipient name of deliveries to the national SAS platform (not a client of this API).</summary>
    public const string SasPlatformRecipient = "sas-platform";

    public sealed class Sql(SqlDialect d)
    {
        /// <summary>A JWT caller has no client row (it has no key): its webhook needs one, with its role and scope as of now.</summary>
        public string UpdateJwtClient { get; } = "UPDATE clients SET role = @role, scope = @scope WHERE id = @client";
        public string InsertJwtClient { get; } = "INSERT INTO clients (id, name, role, scope, created_at) VALUES (@client, @name, @role, @scope, @now)";
        public string UpdateWebhook { get; } = "UPDATE webhooks SET url = @url, secret = @secret, events = @events, updated_at = @now WHERE client_id = @client";
        public string InsertWebhook { get; } = "INSERT INTO webhooks (client_id, url, secret, events, updated_at) VALUES (@client, @url, @secret, @events, @now)";
        public string SelectWebhook { get; } = "SELECT client_id AS ClientId, url, secret, events FROM webhooks WHERE client_id = @client";
        /// <summary>
        /// Outbox rows not fanned out yet, claimed: on a server engine each node takes rows no other node holds
        /// (SKIP LOCKED, READPAST) and keeps them locked until its fan-out commits.
        /// </summary>
        public string ClaimEvents { get; } = $"""
            SELECT o.id, o.event_id AS EventId, o.event_type AS EventType, o.booking_id AS BookingId, o.slot_id AS SlotId, o.rpps, o.previous_rpps AS PreviousRpps,
                   o.client_id AS ClientId, o.request_id AS RequestId, b.origin AS Origin, b.overflow AS Overflow
              FROM outbox o {d.ClaimHint}
              LEFT JOIN bookings b ON b.id = o.booking_id
             WHERE o.fanned_out_at IS NULL
             ORDER BY o.id
            {d.Limit("@batch")}
            {d.ClaimClause("o")}
            """;
        /// <summary>The professionals a pooled request was offered to: whose practices hear of its events.</summary>
        public string OffersOf { get; } = $"SELECT request_id AS RequestId, rpps FROM pooled_request_offers WHERE {d.InList("request_id", "@ids")}";
        public string MarkFannedOut { get; } = $"UPDATE outbox SET fanned_out_at = @now WHERE {d.InList("id", "@ids")}";
        public string Subscribers { get; } = """
            SELECT w.client_id AS ClientId, w.events, c.role, c.scope
              FROM webhooks w
              JOIN clients c ON c.id = w.client_id
            """;
        public string InsertDelivery { get; } = """
            INSERT INTO webhook_deliveries (outbox_id, event_id, event_type, client_id, order_key, status, attempts, next_attempt_at, created_at)
            VALUES (@OutboxId, @EventId, @EventType, @ClientId, @OrderKey, 'pending', 0, @now, @now)
            """;
        /// <summary>
        /// Due deliveries in their events' order, but never one whose booking has an earlier event still pending for the
        /// same client, nor an earlier event not fanned out yet (another node may be fanning it out): order per booking.
        /// </summary>
        public string Due { get; } = $"""
            SELECT d.id, d.event_id AS EventId, d.event_type AS EventType, d.client_id AS ClientId, d.order_key AS OrderKey, d.attempts,
                   w.url, w.secret, o.payload
              FROM webhook_deliveries d
              JOIN outbox o ON o.id = d.outbox_id
              LEFT JOIN webhooks w ON w.client_id = d.client_id
             WHERE d.status = 'pending'
               AND d.next_attempt_at <= @now
               AND (d.lease_until IS NULL OR d.lease_until <= @now)
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                                WHERE e.client_id = d.client_id AND e.order_key = d.order_key AND e.status = 'pending' AND e.outbox_id < d.outbox_id)
               AND NOT EXISTS (SELECT 1 FROM outbox p
                                WHERE p.booking_id = o.booking_id AND p.id < o.id AND p.fanned_out_at IS NULL)
             ORDER BY d.outbox_id, d.id
            {d.Limit("@batch")}
            """;
        public string Claim { get; } = """
            UPDATE webhook_deliveries
               SET lease_until = @until
             WHERE id = @id AND status = 'pending' AND (lease_until IS NULL OR lease_until <= @now)
            """;
        public string Delivered { get; } = """
            UPDATE webhook_deliveries
               SET status = 'delivered', attempts = attempts + 1, delivered_at = @now, lease_until = NULL, last_error = NULL
             WHERE id = @id AND status = 'pending'
            """;
        public string AttemptFailed { get; } = """
            UPDATE webhook_deliveries
               SET attempts = attempts + 1, next_attempt_at = @next, lease_until = NULL, last_error = @error,
                   status = CASE WHEN attempts + 1 >= @max THEN 'failed' ELSE 'pending' END
             WHERE id = @id AND status = 'pending'
            """;
        /// <summary>
        /// A page of deliveries, filtered by what was asked: one statement per combination rather than a catch-all
        /// <c>(@x IS NULL OR …)</c>, whose first plan SQL Server would keep for every other combination.
        /// </summary>
        public string ListDeliveries(bool byClient, bool byStatus) => $"""
            SELECT id, outbox_id AS OutboxId, event_id AS EventId, event_type AS EventType, client_id AS ClientId, order_key AS OrderKey,
                   status, attempts, next_attempt_at AS NextAttemptAt, last_error AS LastError, created_at AS CreatedAt, delivered_at AS DeliveredAt
              FROM webhook_deliveries
             WHERE id > @after
            {(byClient ? "   AND client_id = @client" : "")}
            {(byStatus ? "   AND status = @status" : "")}
             ORDER BY id
            {d.Limit("@limit")}
            """;
        /// <summary>A failed delivery sent again from its first attempt; the caller's own only, unless <paramref name="anyClient"/> (an admin).</summary>
        public string Retry(bool anyClient) => $"""
            UPDATE webhook_deliveries
               SET status = 'pending', attempts = 0, next_attempt_at = @now, lease_until = NULL
             WHERE id = @id AND status = 'failed'{(anyClient ? "" : " AND client_id = @client")}
            """;
    }

    private readonly Sql sql = new(db.Dialect);
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task<bool> UpsertAsync(Caller caller, string url, string secret, string[] events, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var args = new { client = caller.ClientId, url, secret, events = JsonSerializer.Serialize(events), now = Now };
            if (ClientIds.IsJwt(caller.ClientId))
            {
                // Deliveries go by the subscriber's role and scope: a JWT client's are those of the token it registered with.
                var client = new { client = caller.ClientId, name = "JWT client " + caller.ClientId, role = caller.Role, scope = JsonSerializer.Serialize(caller.Scope.Order(StringComparer.Ordinal)), now = Now };
                if (await c.ExecuteAsync(new CommandDefinition(sql.UpdateJwtClient, client, tx, cancellationToken: ct)) == 0)
                    await c.ExecuteAsync(new CommandDefinition(sql.InsertJwtClient, client, tx, cancellationToken: ct));
            }
            var created = await c.ExecuteAsync(new CommandDefinition(sql.UpdateWebhook, args, tx, cancellationToken: ct)) == 0;
            if (created) await c.ExecuteAsync(new CommandDefinition(sql.InsertWebhook, args, tx, cancellationToken: ct));
            await audit.WriteAsync(c, tx, caller, created ? "create" : "replace", "webhook", caller.ClientId, ct);
            return created;
        }, ct);

    public async Task<WebhookRow?> GetAsync(string client, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(sql.SelectWebhook, new { client }, cancellationToken: ct));
    }

    private sealed record NewEvent(long Id, string EventId, string EventType, string? BookingId, long? SlotId, string Rpps, string? PreviousRpps, string? ClientId, string? RequestId, string? Origin, long? Overflow)
    {
        /// <summary>A pooled request's event names no professional: it is for the practices of all it was offered to.</summary>
        public bool ForTheOffered => RequestId is not null && Rpps.Length == 0;

        /// <summary>Deliveries to a client go in order per booking, per pooled request, or per slot.</summary>
        public string OrderKey => BookingId ?? (RequestId is { } request ? $"request:{request}" : $"slot:{SlotId}");
    }
    private sealed record Subscriber(string ClientId, string Events, string Role, string Scope);
    private sealed record Offer(string RequestId, string Rpps);
    private sealed record NewDelivery(long OutboxId, string EventId, string EventType, string ClientId, string OrderKey, DateTime now);

    /// <summary>
    /// Turns outbox events not fanned out yet into one delivery per interested client: the practice software of the
    /// event's GP (and of the GP a moved booking left; for a pooled request's event, of every professional offered it),
    /// the regulator client that made the booking or the request, and, when <paramref name="toSasPlatform"/>, the national
    /// SAS platform for bookings made by SAS regulators (origin <c>sas</c>, on a slot). The events are claimed, so
    /// nodes running this at once fan out different events, each exactly once. Answers how many events it took.
    /// </summary>
    public Task<int> FanOutAsync(int batch, bool toSasPlatform, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var events = (await c.QueryAsync<NewEvent>(new CommandDefinition(sql.ClaimEvents, new { batch }, tx, cancellationToken: ct))).AsList();
            if (events.Count == 0) return 0;
            var subscribers = (await c.QueryAsync<Subscriber>(new CommandDefinition(sql.Subscribers, transaction: tx, cancellationToken: ct)))
                .Select(s => (s.ClientId, s.Role, Events: ClientStore.ParseScope(s.Events).ToHashSet(), Scope: ClientStore.ParseScope(s.Scope).ToHashSet()))
                .ToList();
            var requests = events.Where(e => e.ForTheOffered).Select(e => e.RequestId!).Distinct().ToList();
            var offered = (requests.Count == 0 ? []
                : await c.QueryAsync<Offer>(new CommandDefinition(sql.OffersOf, new { ids = ValueList.Of(requests) }, tx, cancellationToken: ct))).ToLookup(o => o.RequestId, o => o.Rpps);
            // A practice hears of its professionals' bookings (one moved away from them included) and of the requests offered
            // to any of them, once however many of them it serves; a regulator's client of its own.
            string[] Professionals(NewEvent e) => e.ForTheOffered ? [.. offered[e.RequestId!]] : e.PreviousRpps is { } left ? [e.Rpps, left] : [e.Rpps];
            var now = Now;
            var deliveries = events.SelectMany(e =>
            {
                var professionals = Professionals(e); // once per event, not once per subscriber
                return subscribers
                    .Where(s => s.Events.Contains(e.EventType))
                    .Where(s => (s.Role == Roles.Practitioner && professionals.Any(s.Scope.Contains)) || s.ClientId == e.ClientId)
                    .Select(s => new NewDelivery(e.Id, e.EventId, e.EventType, s.ClientId, e.OrderKey, now));
            }).ToList();
            if (toSasPlatform)
                deliveries.AddRange(events
                    .Where(e => e.BookingId is not null && e.Origin == "sas" && e.Overflow == 0)
                    .Select(e => new NewDelivery(e.Id, e.EventId, e.EventType, SasPlatformRecipient, e.BookingId!, now)));
            await MultiRowInsert.ExecuteAsync(c, tx, sql.InsertDelivery, deliveries, ct);
            await c.ExecuteAsync(new CommandDefinition(sql.MarkFannedOut, new { ids = ValueList.Of(events.Select(e => e.Id)), now }, tx, cancellationToken: ct));
            return events.Count;
        }, ct);

    public async Task<IReadOnlyList<DueDelivery>> DueAsync(int batch, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<DueDelivery>(new CommandDefinition(sql.Due, new { now = Now, batch }, cancellationToken: ct))).AsList();
    }

    /// <summary>Takes a delivery for this node for the lease; false when another node has it.</summary>
    public async Task<bool> ClaimAsync(long id, TimeSpan lease, CancellationToken ct)
    {
        var now = Now;
        return await db.ExecuteAsync(sql.Claim, new { id, now, until = now + lease }, ct) > 0;
    }

    public Task MarkDeliveredAsync(long id, CancellationToken ct) => db.ExecuteAsync(sql.Delivered, new { id, now = Now }, ct);

    public Task MarkAttemptFailedAsync(long id, DateTime nextAttempt, string error, int maxAttempts, CancellationToken ct) =>
        db.ExecuteAsync(sql.AttemptFailed, new { id, next = nextAttempt, error = error.Length > 500 ? error[..500] : error, max = (long)maxAttempts }, ct);

    public async Task<IReadOnlyList<DeliveryRow>> ListAsync(string? client, string? status, long after, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<DeliveryRow>(new CommandDefinition(sql.ListDeliveries(client is not null, status is not null), new { client, status, after, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>Sends a failed delivery again from its first attempt; <paramref name="caller"/>'s own only, unless an admin.</summary>
    public Task<bool> RetryAsync(long id, Caller caller, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var args = new { id, client = caller.IsAdmin ? null : caller.ClientId, now = Now };
            if (await c.ExecuteAsync(new CommandDefinition(sql.Retry(caller.IsAdmin), args, tx, cancellationToken: ct)) == 0) return false;
            await audit.WriteAsync(c, tx, caller, "retry", "delivery", id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            return true;
        }, ct);
}
