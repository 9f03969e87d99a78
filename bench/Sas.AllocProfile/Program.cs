using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;

// Where a request's allocation goes, in a running API process: sends the request in a loop while the runtime's
// allocation sampling (an event every ~100 kB allocated, with its type and stack) is read over EventPipe, then prints
// kB per request by type, or by type and the API's own frame nearest to the allocation.
//
//   dotnet run -c Release --project bench/Sas.AllocProfile -- <pid> <url> <api-key> [seconds=15] [clients=4] [--stacks] [--put <file>]
//
// With --put the request is a PUT of the file's JSON (a practice's sync of its week, sent again unchanged).
//
// The figures are samples: compare runs of some thousands of requests, not single requests.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: <pid> <url> <api-key> [seconds] [clients] [--stacks] [--put <file>]");
    return 2;
}
var (pid, url, key) = (int.Parse(args[0]), args[1], args[2]);
var seconds = args.Length > 3 && double.TryParse(args[3], out var s) ? s : 15;
var clients = args.Length > 4 && int.TryParse(args[4], out var c) ? c : 4;
var stacks = args.Contains("--stacks");
var put = Array.IndexOf(args, "--put") is var at and >= 0 && at + 1 < args.Length ? File.ReadAllText(args[at + 1]) : null;

using var http = new HttpClient();
async Task Send()
{
    using var request = new HttpRequestMessage(put is null ? HttpMethod.Get : HttpMethod.Put, url);
    if (put is not null) request.Content = new StringContent(put, System.Text.Encoding.UTF8, "application/json");
    request.Headers.Add("X-Api-Key", key);
    using var response = await http.SendAsync(request);
    await response.Content.ReadAsByteArrayAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
}
for (var i = 0; i < 200; i++) await Send(); // warm: tiered compilation, caches

var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC) };
using var session = new DiagnosticsClient(pid).StartEventPipeSession(providers, requestRundown: stacks);
var trace = Path.Combine(Path.GetTempPath(), $"sas-alloc-{Guid.NewGuid():N}.nettrace");
var copying = Task.Run(async () => { await using var file = File.Create(trace); await session.EventStream.CopyToAsync(file); });

long requests = 0;
var end = DateTime.UtcNow.AddSeconds(seconds);
await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
{
    while (DateTime.UtcNow < end)
    {
        await Send();
        Interlocked.Increment(ref requests);
    }
}));
session.Stop();
await copying;

var bytes = new Dictionary<string, long>();
long total = 0;
using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace)))
{
    var source = log.Events.GetSource();
    source.Clr.GCAllocationTick += e =>
    {
        total += e.AllocationAmount64;
        var where = e.TypeName ?? "?";
        if (stacks)
        {
            var frame = e.CallStack();
            var leaf = frame?.CodeAddress.FullMethodName;
            string? ours = null;
            for (; frame is not null && ours is null; frame = frame.Caller)
                if (frame.CodeAddress.FullMethodName is { } name && name.StartsWith("Sas.", StringComparison.Ordinal)) ours = name;
            where = $"{where} @ {leaf} <- {ours ?? "(framework only)"}";
        }
        bytes[where] = bytes.GetValueOrDefault(where) + e.AllocationAmount64;
    };
    source.Process();
}
File.Delete(trace);
File.Delete(trace + ".etlx");

Console.WriteLine($"{requests:N0} requests, {total / 1024.0 / requests:N1} kB a request sampled");
foreach (var (where, amount) in bytes.OrderByDescending(x => x.Value).Take(40))
    Console.WriteLine($"{amount / 1024.0 / requests,8:N2} kB  {(where.Length > 240 ? where[..240] : where)}");
return 0;
