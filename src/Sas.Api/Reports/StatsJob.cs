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
    public async Task<int> IncrementalAsync(CancellationToken ct)
    {
        // After an upgrade that changed how aggregates are built, the first run rebuilds the whole history once.
        await RebuildHistoryAsync(ct);
        return await RecentAsync(TimeSpan.FromDays(2), ct);
    }

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    public Task<int> NightlyAsync(CancellationToken ct) => RecentAsync(TimeSpan.FromDays(7), ct);

    private Task<int> RecentAsync(TimeSpan back, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return RecomputeAsync(StatsAggregator.Hour(now - back), StatsAggregator.Hour(now).AddHours(1), ct);
    }

    /// <summary>
    /// Rebuilds the aggregates whose local hour starts in [from, to), from the raw rows as they are now. A local hour
    /// may start at :30 UTC (Pacific/Marquesas), so the rows of the hour after <paramref name="toUtc"/> are read too and
    /// the cells keyed outside the range left alone: each cell is rebuilt whole or not at all.
    /// </summary>
    public async Task<int> RecomputeAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var raw = await store.ReadRawAsync(fromUtc, toUtc.AddHours(1), now, ct);
        var (hourly, delays) = StatsAggregator.Aggregate(raw, policy);
        bool Inside(DateTime hour) => hour >= fromUtc && hour < toUtc;
        hourly = hourly.Where(h => Inside(h.HourUtc)).ToList();
        delays = delays.Where(d => Inside(d.HourUtc)).ToList();
        await store.ReplaceAsync(fromUtc, toUtc, hourly, delays, now, ct);
        logger.LogInformation("Statistics rebuilt for {From:o}–{To:o}: {Rows} hourly rows", fromUtc, toUtc, hourly.Count);
        return hourly.Count;
    }

    /// <summary>The version of the aggregation the whole history must be built with (see migration 0009).</summary>
    public const int HistoryVersion = 2;

    /// <summary>
    /// Rebuilds every aggregate from the first raw row to now, a week per transaction, once per
    /// <see cref="HistoryVersion"/>; answers how many weeks it rebuilt (0 when the history is already current).
    /// Run by the first <c>stats:aggregate</c> after an upgrade; safe twice (each week is replaced whole).
    /// </summary>
    public async Task<int> RebuildHistoryAsync(CancellationToken ct)
    {
        if (await HistoryIsCurrentAsync(ct)) return 0;
        var weeks = 0;
        if (await store.EarliestRawAsync(ct) is { } earliest)
        {
            var end = StatsAggregator.Hour(clock.GetUtcNow().UtcDateTime).AddHours(1);
            for (var from = StatsAggregator.Hour(earliest).AddDays(-1); from < end && !ct.IsCancellationRequested; from = from.AddDays(7), weeks++)
                await RecomputeAsync(from, from.AddDays(7) < end ? from.AddDays(7) : end, ct);
        }
        ct.ThrowIfCancellationRequested();
        await store.WriteStateAsync(StatsStore.HistoryVersion, HistoryVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        logger.LogInformation("Statistics history rebuilt to version {Version}: {Weeks} weeks", HistoryVersion, weeks);
        return Math.Max(weeks, 1);
    }

    public async Task<bool> HistoryIsCurrentAsync(CancellationToken ct) =>
        int.TryParse(await store.ReadStateAsync(StatsStore.HistoryVersion, ct), out var version) && version >= HistoryVersion;
}
