using Hangfire;

namespace Sas.Api.Console;

/// <summary>
/// <c>sessions:expire</c>: deletes the console's sessions past their absolute expiry, every hour, in batches. An expired
/// session opens nothing already (it is read only before its expiry); this keeps the table to the live ones.
/// </summary>
public sealed class SessionExpiryJob(ConsoleSessions sessions, ILogger<SessionExpiryJob> logger)
{
    public const string Id = "sessions:expire";
    public const string Cron = "47 * * * *";

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var deleted = await sessions.DeleteExpiredAsync(ct);
        if (deleted > 0) logger.LogInformation("Deleted {Count} expired console sessions", deleted);
        return deleted;
    }
}
