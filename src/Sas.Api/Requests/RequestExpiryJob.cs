using Hangfire;

namespace Sas.Api.Requests;

/// <summary>
/// <c>requests:expire</c>: every minute, closes the pooled requests whose window has ended unaccepted — the patient's
/// data cleared, the regulator told (<c>request.expired</c>) — in batches. Safe twice or on two nodes at once.
/// </summary>
public sealed class RequestExpiryJob(RequestStore store, Jobs.DispatchTrigger dispatch, ILogger<RequestExpiryJob> logger)
{
    public const string Id = "requests:expire";
    public const string Cron = "* * * * *";
    public const int BatchSize = 100;

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var total = 0;
        int expired;
        do
        {
            expired = await store.ExpireBatchAsync(BatchSize, ct);
            total += expired;
        }
        while (expired == BatchSize && !ct.IsCancellationRequested);
        if (total > 0)
        {
            logger.LogInformation("Expired {Count} pooled requests nobody accepted", total);
            dispatch.Now();
        }
        return total;
    }
}
