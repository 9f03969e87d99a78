namespace Sas.Api.Notifications;

/// <summary>Section <c>Webhooks</c>: how hard and how long deliveries are tried.</summary>
public sealed class WebhookOptions
{
    /// <summary>Attempts (job runs) before a delivery is marked failed; with the backoff below, about 4 hours.</summary>
    public int MaxAttempts { get; set; } = 20;

    /// <summary>Each HTTP attempt's own timeout.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Quick retries inside one job run, with exponential backoff and jitter.</summary>
    public int RetriesPerRun { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Between job runs: first wait after a failed attempt, doubled each time, capped.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Circuit breaker per receiving endpoint.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// Host names (or IP addresses) of on-premise receivers that may resolve to private or loopback addresses; every other
    /// webhook must resolve to public addresses only.
    /// </summary>
    public string[] AllowedPrivateHosts { get; set; } = [];

    /// <summary>How far a receiver should accept a signature's timestamp from its own clock (documented for receivers).</summary>
    public static readonly TimeSpan SignatureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>How long a node may take to send a claimed delivery before another node may send it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long one dispatch run starts new sends: past it, what is left waits for the next run, so a receiver that
    /// answers each event slowly (but in time) holds a worker no longer than this and one delivery's attempts.
    /// </summary>
    public TimeSpan RunBudget { get; set; } = TimeSpan.FromMinutes(1);
}
