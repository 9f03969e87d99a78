namespace Sas.Api.Fhir;

/// <summary>
/// Warms the FHIR serialization once at start-up, beside the other warm-ups; the server listens once it is done, up to
/// <see cref="Search.SearchOptions.WarmUpSeconds"/> (<see cref="Infrastructure.WarmUpGate"/>).
/// </summary>
public sealed class FhirWarmUp(SlotBundleBuilder builder, ILogger<FhirWarmUp> logger) : IHostedService, Infrastructure.IWarmUp
{
    public Task Done { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Done = Task.Run(() =>
        {
            try
            {
                builder.WarmUp();
            }
            catch (Exception e)
            {
                // Only the first answer is slower for it: nothing to stop the API for.
                logger.LogWarning(e, "Warming up the FHIR serialization failed");
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
