#if SAS_TEST_POSTGRES
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.MultiNode;

/// <summary>
/// Each node registers the recurring jobs and runs a scheduler; on a server engine they share Hangfire's storage, so an
/// occurrence is enqueued once, whichever nodes are up. Hangfire's scheduler keeps the database's time, not ours: this
/// test registers a job due every second and waits (at most 30 s) for three occurrences.
/// </summary>
public class RecurringJobTests(Cluster cluster) : IClassFixture<Cluster>
{
    public static void Tick() { }

    [Fact]
    public async Task Each_occurrence_of_a_recurring_job_is_enqueued_once_across_the_nodes()
    {
        var id = $"test:tick:{Guid.NewGuid():N}";
        var storages = cluster.Nodes.Select(n => n.Services.GetRequiredService<JobStorage>()).ToList();
        foreach (var storage in storages) // as every node does at start-up (JobsSetup.RegisterRecurringJobs)
            new RecurringJobManager(storage).AddOrUpdate(id, () => Tick(), "* * * * * *");
        var servers = storages.Select(storage => new BackgroundJobServer(new BackgroundJobServerOptions
        {
            SchedulePollingInterval = TimeSpan.FromMilliseconds(100),
            Queues = ["not-served-here"], // schedulers only: the enqueued jobs stay to be counted
            WorkerCount = 1,
        }, storage)).ToList();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Occurrences(storages[0], id).Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(100);
        }
        finally
        {
            foreach (var server in servers) server.Dispose();
        }
        var occurrences = Occurrences(storages[0], id);
        Assert.True(occurrences.Count >= 3, $"{occurrences.Count} occurrences");
        Assert.Equal(occurrences.Count, occurrences.Select(o => o.Time).Distinct().Count()); // no occurrence twice
        // Every node sees these very jobs: one queue, not one per node.
        Assert.All(storages.Skip(1), s => Assert.Superset(occurrences.ToHashSet(), Occurrences(s, id).ToHashSet()));
    }

    /// <summary>Each job the recurring job created, with the occurrence it was created for.</summary>
    private static List<(string Job, string Time)> Occurrences(JobStorage storage, string recurringId)
    {
        using var connection = storage.GetConnection();
        var jobs = storage.GetMonitoringApi().EnqueuedJobs("default", 0, 10_000).Select(j => j.Key);
        return jobs.Where(job => connection.GetJobParameter(job, "RecurringJobId")?.Trim('"') == recurringId)
            .Select(job => (job, connection.GetJobParameter(job, "Time"))).ToList();
    }
}
#endif
