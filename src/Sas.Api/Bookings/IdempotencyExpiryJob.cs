using Hangfire;

namespace Sas.Api.Bookings;

/// <summary>
/// <c>idempotency:expire</c>: deletes idempotency keys older than their day, every hour, in short batches so the
/// single SQLite writer is never held long. Keys met again after their day are deleted on the spot; this job is
/// for the rest: every refused attempt of a contended slot leaves one, and a booking's stored answer holds patient
/// data. Safe twice or on two nodes at once (a deleted row is not deleted again).
/// </summary>
public sealed class IdempotencyExpiryJob(Idempotency idempotency, ILogger<IdempotencyExpiryJob> logger)
{
    public const string Id = "idempotency:expire";
    public const string Cron = "17 * * * *";
    public const int BatchSize = 5000;

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await idempotency.DeleteExpiredAsync(BatchSize, ct);
            total += deleted;
        }
        while (deleted == BatchSize && !ct.IsCancellationRequested);
        if (total > 0) logger.LogInformation("Deleted {Count} expired idempotency keys", total);
        return total;
    }
}
