using Dapper;
using Hangfire;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Infrastructure.Outbox;
using Sas.Domain.Time;

namespace Sas.Api.Jobs;

/// <summary>
/// <c>slots:expire</c>: slots still available or held whose start has passed become expired (offered,
/// unfilled: they stay in the statistics). Set-based, in batches; each slot changes once even when two
/// nodes run it together, because the UPDATE re-checks the state and answers the rows it changed,
/// and only those get a <c>slot.expired</c> event.
/// </summary>
public sealed class SlotExpiryJob(Db db, TimeProvider clock, Outbox outbox, ILogger<SlotExpiryJob> logger)
{
    public const string Id = "slots:expire";
    public const string Cron = "* * * * *";
    public const int BatchSize = 1000;

    public sealed class Sql(SqlDialect d)
    {
        public string Due { get; } = $"""
            SELECT id
              FROM slots
             WHERE status IN ('available', 'held')
               AND start_utc <= @now
             ORDER BY id
            {d.Limit("@batch")}
            """;
        public string Expire { get; } = d.UpdateReturning("slots",
            "status = 'expired', hold_id = NULL, held_by = NULL, hold_expires_at = NULL, updated_at = @now",
            $"{d.InList("id", "@ids")} AND status IN ('available', 'held') AND start_utc <= @now",
            "id, rpps, sector_code AS SectorCode, start_utc AS StartUtc, end_utc AS EndUtc");
    }

    /// <summary>
    /// The slot index's change feed keeps an hour (by the database's clock), in batches so the writer is never held long;
    /// each batch records the highest position it removed, so a node that had not read those rows reads its whole index
    /// again (<see cref="Search.SlotFeed.Gap"/>).
    /// </summary>
    private async Task PruneSlotChangesAsync(CancellationToken ct)
    {
        if (feed is null) return;
        const int batch = BatchSize * 10;
        while (!ct.IsCancellationRequested && await db.InTransactionAsync((c, tx) => feed.PruneAsync(c, tx, batch, ct), ct) == batch) { }
    }

    /// <summary>Null on SQL Server, which has no change feed.</summary>
    private readonly Search.SlotFeed? feed = Search.SlotFeed.Supports(db.Provider) ? new Search.SlotFeed(db.Dialect, db.Provider) : null;

    private sealed record Expired(long Id, string Rpps, string SectorCode, DateTime StartUtc, DateTime EndUtc);

    private readonly Sql sql = new(db.Dialect);

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            var (seen, expired) = await db.InTransactionAsync(async (c, tx) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var ids = (await c.QueryAsync<long>(new CommandDefinition(sql.Due, new { now, batch = BatchSize }, tx, cancellationToken: ct))).AsList();
                if (ids.Count == 0) return (0, 0);
                var rows = (await c.QueryAsync<Expired>(new CommandDefinition(sql.Expire, new { ids = ValueList.Of(ids), now }, tx, cancellationToken: ct))).AsList();
                foreach (var r in rows)
                    await outbox.WriteAsync(c, tx, new OutboxEvent(EventTypes.SlotExpired, null, r.Id, r.Rpps, null, new
                    {
                        slotId = r.Id, practitionerRpps = r.Rpps, sector = r.SectorCode, start = Instants.Format(r.StartUtc), end = Instants.Format(r.EndUtc),
                    }), ct);
                return (ids.Count, rows.Count);
            }, ct);
            total += expired;
            if (seen < BatchSize) break;
        }
        if (total > 0) logger.LogInformation("Expired {Count} slots", total);
        await PruneSlotChangesAsync(ct);
        return total;
    }
}
