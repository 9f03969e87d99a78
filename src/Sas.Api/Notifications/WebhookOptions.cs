using System.ComponentModel.DataAnnotations;

namespace Sas.Api.Notifications;

/// <summary>Section <c>Webhooks</c>: how hard and how long deliveries are tried.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Attempts (job runs) before a delivery is marked failed; with the backoff below, about 4 hours.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 20;

    /// <summary>Each HTTP attempt's own timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Quick retries inside one job run, with exponential backoff and jitter.</summary>
    [Range(0, 10)]
    public int RetriesPerRun { get; set; } = 2;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Between job runs: first wait after a failed attempt, doubled each time, capped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Circuit breaker per receiving endpoint.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// Host names (or IP addresses) of on-premise receivers that may resolve to private or loopback addresses; every other
    /// webhook must resolve to public addresses only.
    /// </summary>
    public string[] AllowedPrivateHosts { get; set; } = [];

    /// <summary>How far a receiver should accept a signature's timestamp from its own clock (documented for receivers).</summary>
    public static readonly TimeSpan SignatureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>How long a node may take to send a claimed delivery before another node may send it.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long one dispatch run starts new sends: past it, what is left waits for the next run, so a receiver that
    /// answers each event slowly (but in time) holds a worker no longer than this and one delivery's attempts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RunBudget { get; set; } = TimeSpan.FromMinutes(1);
}
