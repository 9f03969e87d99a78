using Hangfire;

namespace Sas.Api.Notifications;

/// <summary>
/// <c>notifications:dispatch</c>: fans new outbox events out to the subscribed clients, then sends
/// what is due. Endpoints are served in parallel, each one's deliveries in order, so a slow or dead
/// receiver delays only itself. No transaction is open during an HTTP call: a delivery is claimed
/// (a short lease), sent, then its outcome written. Running twice, or on two nodes, sends nothing
/// twice on purpose; a crash between send and write means one more send (at least once). A run starts sends for
/// <see cref="WebhookOptions.RunBudget"/> at most, and runs on the deliveries queue (<see cref="Jobs.JobsSetup.DeliveriesQueue"/>),
/// whose workers are its own: a slow receiver never delays the expiry or the statistics.
/// </summary>
public sealed class NotificationDispatchJob(
    WebhookStore store, WebhookSender sender, Fhir.AppointmentSender appointments, Fhir.FhirOptions fhir, WebhookOptions options, TimeProvider clock,
    Infrastructure.Telemetry.SasMetrics metrics, ILogger<NotificationDispatchJob> logger)
{
    public const string Id = "notifications:dispatch";
    public const string Cron = "* * * * *";

    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        while (await store.FanOutAsync(options.BatchSize, fhir.SasPlatform.Enabled, ct) == options.BatchSize) { }

        var due = await store.DueAsync(options.BatchSize, ct);
        var stopStartingAt = clock.GetUtcNow() + options.RunBudget;
        var results = await Task.WhenAll(due.GroupBy(d => d.Url ?? d.ClientId).Select(endpoint => SendInOrderAsync(endpoint.ToList(), stopStartingAt, ct)));
        var delivered = results.Sum();
        if (due.Count > 0) logger.LogInformation("Notifications: {Delivered} of {Due} due deliveries sent", delivered, due.Count);
        return delivered;
    }

    private async Task<int> SendInOrderAsync(List<DueDelivery> deliveries, DateTimeOffset stopStartingAt, CancellationToken ct)
    {
        var delivered = 0;
        var stalled = new HashSet<string>(); // a booking whose earlier event failed now: its later ones wait
        foreach (var d in deliveries)
        {
            if (clock.GetUtcNow() >= stopStartingAt) break; // the rest stays due, for the next run
            if (stalled.Contains(d.OrderKey) || !await store.ClaimAsync(d.Id, options.Lease, ct)) continue;
            var toPlatform = d.ClientId == WebhookStore.SasPlatformRecipient;
            var result = toPlatform ? await appointments.SendAsync(d, ct) : await sender.SendAsync(d, ct);
            var recipient = toPlatform ? "sas_platform" : "webhook";
            if (result.Delivered)
            {
                metrics.Delivery(recipient, "delivered");
                await store.MarkDeliveredAsync(d.Id, ct);
                delivered++;
            }
            else
            {
                stalled.Add(d.OrderKey);
                // A receiver that answered 410 Gone is not tried again: this attempt is its last.
                var maxAttempts = result.Permanent ? (int)d.Attempts + 1 : options.MaxAttempts;
                metrics.Delivery(recipient, d.Attempts + 1 >= maxAttempts ? "failed" : "retry");
                await store.MarkAttemptFailedAsync(d.Id, clock.GetUtcNow().UtcDateTime + Backoff(d.Attempts + 1), result.Error ?? "failed", maxAttempts, ct);
            }
        }
        return delivered;
    }

    /// <summary>Exponential from the base, capped, with ±20 % jitter so retries of many deliveries spread out.</summary>
    private TimeSpan Backoff(long attempt)
    {
        var raw = options.BackoffBase.TotalSeconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(raw, options.BackoffCap.TotalSeconds);
        return TimeSpan.FromSeconds(capped * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }
}
