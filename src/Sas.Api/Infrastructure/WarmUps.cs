using Microsoft.Extensions.Options;

namespace Sas.Api.Infrastructure;

/// <summary>Work a node does once at start-up so that its first requests are not the slow ones.</summary>
public interface IWarmUp
{
    /// <summary>Completes once the work is done or has failed (a failure only leaves the first request to pay for it).</summary>
    Task Done { get; }
}

/// <summary>
/// Registered after every warm-up and started, as every hosted service of the application, before the server listens:
/// the node takes its first request once its warm-ups are done, or after <c>Search:WarmUpSeconds</c>. Behind a load
/// balancer the platform's first query after a deployment then meets a node with its slot index read and its FHIR
/// compiled (it took 1.4 s otherwise on a million slots, the test kit allowing 1 s: docs/benchmarks.md).
/// </summary>
public sealed class WarmUpGate(IEnumerable<IWarmUp> warmUps, IOptions<Search.SearchOptions> options, ILogger<WarmUpGate> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var seconds = options.Value.WarmUpSeconds;
        if (seconds == 0) return;
        try
        {
            await Task.WhenAll(warmUps.Select(w => w.Done)).WaitAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Start-up warm-up not done after {Seconds} s: the node listens, its first requests do the rest", seconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "A start-up warm-up failed: the node listens, its first requests do the rest");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class WarmUpSetup
{
    /// <summary>A warm-up started with the host, and known to the <see cref="WarmUpGate"/>.</summary>
    public static IServiceCollection AddWarmUp<T>(this IServiceCollection services) where T : class, IWarmUp, IHostedService
    {
        services.AddSingleton<T>();
        services.AddSingleton<IWarmUp>(sp => sp.GetRequiredService<T>());
        return services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
