using Microsoft.Extensions.Options;

namespace Sas.Api.Search;

/// <summary>
/// Keeps a quiet node's slot index following the feed: every <see cref="SearchOptions.FollowSeconds"/>, when no search
/// read the feed meanwhile, a catch-up reads what changed. Searches still read the feed themselves (each sees every
/// change committed before it began); after a quiet spell they find a few seconds of changes to read, not hours. The
/// periodic verification is started from these reads too, so a node nobody searches is still verified.
/// </summary>
public sealed class SlotIndexFollower(IServiceProvider services, TimeProvider clock, IOptions<SearchOptions> options, ILogger<SlotIndexFollower> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.FollowSeconds);
        if (every <= TimeSpan.Zero || IndexedSearch.IfUsed(services) is not { } index) return;
        using var timer = new PeriodicTimer(every, clock);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (index.SinceLastRead < every) continue; // searches keep it current
            try
            {
                await index.FollowFeedAsync(stoppingToken);
                if (failing) logger.LogInformation("The slot index follows its feed again");
                failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The searches waiting on this read failed with it and say so (503); this loop reads again next time,
                // and says so once per outage, not every period.
                if (!failing) logger.LogWarning("The slot index could not follow its feed: {Reason}", e.InnerException?.Message ?? e.Message);
                failing = true;
            }
        }
    }
}
