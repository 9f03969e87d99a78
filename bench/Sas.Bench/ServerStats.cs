using System.Globalization;
using System.Text.RegularExpressions;

namespace Sas.Bench;

/// <summary>
/// The server process's own counters, read from its Prometheus scrape (the .NET runtime's meter): CPU time, bytes
/// allocated, collections and their pauses. Differences between two readings are what the server spent in between,
/// the load generator's share excluded.
/// </summary>
public sealed record ServerStats(double CpuSeconds, double AllocatedBytes, double PauseSeconds, double Gen0, double Gen1, double Gen2, double TerritoryReads = 0, double IndexReloads = 0)
{
    /// <summary>The process's working set when read (a level, not a count: <see cref="Minus"/> leaves it out).</summary>
    public double WorkingSetBytes { get; init; }

    public static async Task<ServerStats> ReadAsync(HttpClient http, string adminKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Api-Key", adminKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        return new ServerStats(
            Sum(text, "dotnet_process_cpu_time_seconds_total"),
            Sum(text, "sas_process_allocated_bytes"),
            Sum(text, "dotnet_gc_pause_time_seconds_total"),
            Sum(text, "dotnet_gc_collections_total", "gc_heap_generation=\"gen0\""),
            Sum(text, "dotnet_gc_collections_total", "gc_heap_generation=\"gen1\""),
            Sum(text, "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\""),
            Sum(text, "sas_territory_copy_reads_total"),
            Sum(text, "sas_search_index_reloads_total")) { WorkingSetBytes = Sum(text, "dotnet_process_memory_working_set_bytes") };
    }

    public ServerStats Minus(ServerStats before) => new(CpuSeconds - before.CpuSeconds, AllocatedBytes - before.AllocatedBytes,
        PauseSeconds - before.PauseSeconds, Gen0 - before.Gen0, Gen1 - before.Gen1, Gen2 - before.Gen2, TerritoryReads - before.TerritoryReads, IndexReloads - before.IndexReloads);

    /// <summary>The sum of a series over its labels (CPU time comes per mode, user and system).</summary>
    private static double Sum(string scrape, string series, string? label = null) =>
        Regex.Matches(scrape, "^" + Regex.Escape(series) + @"(\{[^}]*\})? ([0-9.eE+-]+)", RegexOptions.Multiline)
            .Where(m => label is null || m.Groups[1].Value.Contains(label, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
}
