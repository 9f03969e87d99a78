namespace Sas.Api.Search;

/// <summary>
/// Reads the node's slot index once at start-up, up to the longest booking horizon: the first search or FHIR query then
/// finds it built (a million-slot base took the platform's first query to a second, the test kit's limit). The server
/// listens once it is read, up to <see cref="SearchOptions.WarmUpSeconds"/> (<see cref="Infrastructure.WarmUpGate"/>);
/// a failure only leaves the first request to read it.
/// </summary>
public sealed class SlotIndexWarmUp(IServiceProvider services, Territory.TerritoryStore territory, TimeProvider clock, ILogger<SlotIndexWarmUp> logger)
    : IHostedService, Infrastructure.IWarmUp
{
    public Task Done { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (IndexedSearch.IfUsed(services) is not { } index) return Task.CompletedTask;
        Done = Task.Run(async () =>
        {
            try
            {
                // As far as any sector books: the FHIR query asks up to the longest horizon.
                var now = clock.GetUtcNow().UtcDateTime;
                var longest = (await territory.CachedTerritoryAsync(CancellationToken.None)).LongestBookingHorizonHours;
                await index.UpToDateAsync(now, now.AddHours(Math.Max(24, longest)), CancellationToken.None);
            }
            catch (Exception e) when (e is Infrastructure.Data.StorageUnavailableException or System.Data.Common.DbException)
            {
                logger.LogWarning("Reading the slot index at start-up failed ({Reason}); the first search reads it", e.InnerException?.Message ?? e.Message);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
