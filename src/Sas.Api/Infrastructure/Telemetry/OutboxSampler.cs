using Dapper;
using Sas.Api.Infrastructure.Data;

namespace Sas.Api.Infrastructure.Telemetry;

/// <summary>
/// Reads, every <see cref="Every"/>, how many deliveries wait and how old the oldest undelivered event is, for the
/// gauges of <see cref="SasMetrics"/>: a scrape reads the last sample and never waits on the database.
/// </summary>
public sealed class OutboxSampler(Db db, SasMetrics metrics, TimeProvider clock, ILogger<OutboxSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    public sealed class Sql
    {
        public string Pending => "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'";
        /// <summary>Events not fanned out yet, or with a delivery still pending.</summary>
        public string OldestUndelivered => """
            SELECT MIN(o.created_at)
              FROM outbox o
             WHERE o.fanned_out_at IS NULL
                OR EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.outbox_id = o.id AND d.status = 'pending')
            """;
    }

    private static readonly Sql Statements = new();

    public async Task SampleAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        metrics.PendingDeliveries = await c.ExecuteScalarAsync<long>(new CommandDefinition(Statements.Pending, cancellationToken: ct));
        var oldest = await c.ExecuteScalarAsync<DateTime?>(new CommandDefinition(Statements.OldestUndelivered, cancellationToken: ct));
        metrics.OutboxLagSeconds = oldest is { } at ? Math.Max(0, (clock.GetUtcNow().UtcDateTime - at).TotalSeconds) : 0;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        do
        {
            try { await SampleAsync(stoppingToken); }
            catch (Exception e) when (e is System.Data.Common.DbException or StorageUnavailableException)
            {
                logger.LogWarning("Could not sample the outbox for the metrics: {Reason}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
