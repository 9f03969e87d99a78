using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Sas.Api.Infrastructure.Outbox;

public static class EventTypes
{
    public const string BookingCreated = "booking.created";
    public const string BookingCancelled = "booking.cancelled";
    public const string BookingOutcome = "booking.outcome";
    public const string BookingMoved = "booking.moved";
    public const string SlotExpired = "slot.expired";
    public const string RequestOffered = "request.offered";
    public const string RequestAccepted = "request.accepted";
    public const string RequestExpired = "request.expired";
    public const string RequestWithdrawn = "request.withdrawn";

    /// <summary>Every type, in the contract's order: what a webhook may subscribe to.</summary>
    public static readonly string[] All = [BookingCreated, BookingCancelled, BookingOutcome, BookingMoved, SlotExpired,
        RequestOffered, RequestAccepted, RequestExpired, RequestWithdrawn];

    /// <summary>The types of one family (<c>booking</c>, <c>request</c>…), in the contract's order.</summary>
    public static string[] Of(string family) => [.. All.Where(e => e.StartsWith(family + ".", StringComparison.Ordinal))];
}

/// <summary>One event to deliver: what happened, to which booking (or pooled request) and professional; never patient data.</summary>
/// <param name="Rpps">The professional whose practice is told.</param>
/// <param name="PreviousRpps">For a booking moved to another professional's slot, the one it left: their practice is told too.</param>
public sealed record OutboxEvent(string Type, string? BookingId, long? SlotId, string Rpps, string? ClientId, object Data, string? RequestId = null,
    string? PreviousRpps = null);

/// <summary>
/// Writes events in the transaction of the change they describe, so an event exists if and only if
/// the change was committed. Delivery (webhooks) reads them from there.
/// </summary>
public sealed class Outbox(TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed class Sql
    {
        public string Insert => """
            INSERT INTO outbox (event_id, event_type, booking_id, slot_id, rpps, previous_rpps, client_id, request_id, payload, created_at)
            VALUES (@eventId, @Type, @BookingId, @SlotId, @Rpps, @PreviousRpps, @ClientId, @RequestId, @payload, @at)
            """;
    }

    private static readonly Sql Statements = new();

    public Task WriteAsync(DbConnection c, DbTransaction tx, OutboxEvent e, CancellationToken ct)
    {
        var at = clock.GetUtcNow().UtcDateTime;
        var eventId = Guid.NewGuid().ToString();
        var payload = JsonSerializer.Serialize(new { id = eventId, type = e.Type, occurredAt = Domain.Time.Instants.Format(at), data = e.Data }, Json);
        return c.ExecuteAsync(new CommandDefinition(Statements.Insert, new { eventId, e.Type, e.BookingId, e.SlotId, e.Rpps, e.PreviousRpps, e.ClientId, e.RequestId, payload, at }, tx, cancellationToken: ct));
    }
}
