using System.ComponentModel.DataAnnotations;

namespace Sas.Api.Jobs;

/// <summary>Section <c>Jobs</c>: whether this node runs background jobs, and with how many workers per queue.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary><c>false</c> makes an API-only node: it enqueues, it runs nothing.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Workers of the deliveries queue (webhooks, the SAS platform): each may wait on a receiver.</summary>
    [Range(1, 100)]
    public int DeliveryWorkers { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Workers of every other job (expiry, statistics, purge, idempotency keys).</summary>
    [Range(1, 100)]
    public int MaintenanceWorkers { get; set; } = 2;

    public DashboardSettings Dashboard { get; set; } = new();

    public sealed class DashboardSettings
    {
        /// <summary>Opens the jobs dashboard to every signed-in person (Development); refused in Production.</summary>
        public bool AllowNonAdmins { get; set; }
    }
}
