using Hangfire;
using Sas.Domain.Reports;

namespace Sas.Api.Reports;

/// <summary>
/// <c>stats:aggregate</c> keeps the hourly aggregates of the last two days up to date every five minutes;
/// <c>stats:recompute</c> rebuilds the last seven days each night, so late outcomes and cancellations
/// count. Both replace whole ranges from the raw rows: running twice, or on two nodes, gives the same figures.
/// </summary>
public sealed class StatsJob(StatsStore store, MajorationPolicy policy, TimeProvider clock, ILogger<StatsJob> logger)
{
    public const string IncrementalId = "stats:aggregate";
    public const string IncrementalCron = "*/5 * * * *";
    public const string NightlyId = "stats:recompute";
    public const string NightlyCron = "30 3 * * *";

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task<int> IncrementalAsync(CancellationToken ct) => RecentAsync(TimeSpan.FromDays(2), ct);

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    public Task<int> NightlyAsync(CancellationToken ct) => RecentAsync(TimeSpan.FromDays(7), ct);

    private Task<int> RecentAsync(TimeSpan back, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return RecomputeAsync(StatsAggregator.Hour(now - back), StatsAggregator.Hour(now).AddHours(1), ct);
    }

    /// <summary>Rebuilds the aggregates of whole hours [from, to), from the raw rows as they are now.</summary>
    public async Task<int> RecomputeAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var raw = await store.ReadRawAsync(fromUtc, toUtc, now, ct);
        var (hourly, delays) = StatsAggregator.Aggregate(raw, policy);
        await store.ReplaceAsync(fromUtc, toUtc, hourly, delays, ct);
        logger.LogInformation("Statistics rebuilt for {From:o}–{To:o}: {Rows} hourly rows", fromUtc, toUtc, hourly.Count);
        return hourly.Count;
    }
}
