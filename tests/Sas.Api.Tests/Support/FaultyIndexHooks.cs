using System.Collections.Concurrent;
using Sas.Api.Search;

namespace Sas.Api.Tests.Support;

/// <summary>
/// Faults for the slot index's reads, armed by a test: the next read of a kind fails (as a reset connection, a failover
/// or SQLITE_BUSY would), or waits first; and a look at the index between building a new one and swapping it in.
/// </summary>
public sealed class FaultyIndexHooks : SlotIndexHooks
{
    private readonly ConcurrentDictionary<IndexRead, int> failures = new();

    /// <summary>Reads attempted, by kind, since the start.</summary>
    public ConcurrentDictionary<IndexRead, int> Reads { get; } = new();

    /// <summary>How long each read of the kind waits before it goes on (or fails).</summary>
    public ConcurrentDictionary<IndexRead, TimeSpan> Delays { get; } = new();

    /// <summary>Reads of the kind wait for this task while it is set (a read held open as long as a test wants).</summary>
    public ConcurrentDictionary<IndexRead, Task> Gates { get; } = new();

    /// <summary>Run between a new index's build and its swap.</summary>
    public Func<Task>? BeforeSwap { get; set; }

    /// <summary>The next <paramref name="times"/> reads of this kind fail.</summary>
    public void Fail(IndexRead read, int times = 1) => failures.AddOrUpdate(read, times, (_, n) => n + times);

    public void Heal() => failures.Clear();

    public override async ValueTask BeforeReadAsync(IndexRead read)
    {
        Reads.AddOrUpdate(read, 1, (_, n) => n + 1);
        if (Delays.TryGetValue(read, out var delay)) await Task.Delay(delay);
        if (Gates.TryGetValue(read, out var gate)) await gate;
        if (failures.TryGetValue(read, out var left) && left > 0 && failures.TryUpdate(read, left - 1, left))
            throw new IOException($"injected: the {read} read of the slot index failed");
    }

    public override async ValueTask BeforeSwapAsync()
    {
        if (BeforeSwap is { } look) await look();
    }
}
