namespace Sas.Api.Fhir;

/// <summary>Warms the FHIR serialization once at start-up, in the background, so start-up itself does not wait for it.</summary>
public sealed class FhirWarmUp(SlotBundleBuilder builder, ILogger<FhirWarmUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() =>
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
