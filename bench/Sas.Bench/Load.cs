using System.Diagnostics;

namespace Sas.Bench;

/// <summary>How a request ended; <c>Skipped</c>: not sent (no free slot left to book), counted apart from requests.</summary>
public enum Outcome { Ok, Conflict, Error, Skipped }

/// <summary>One kind of request in the mix, with its share of the traffic.</summary>
public sealed record Operation(string Name, int Weight, Func<Random, Task<Outcome>> Send);

/// <summary>One operation's figures: achieved rate, percentiles (P999 and the target rate in open-loop runs), conflicts and errors.</summary>
public sealed record OperationResult(string Name, long Requests, double PerSecond, double P50, double P95, double P99, long Conflicts, long Errors,
    double P999 = double.NaN, double? TargetPerSecond = null, long Skipped = 0);

/// <summary>
/// K workers, each sending one request at a time, for a fixed duration; latencies kept per operation. Worker 0 first sends
/// each operation once, in the mix's order: a short run on a slow machine still measures every operation (the quick
/// bench's seeded picks left a 3% operation out once), and one request each is nothing to a long run.
/// </summary>
public static class Load
{
    public static async Task<IReadOnlyList<OperationResult>> RunAsync(IReadOnlyList<Operation> mix, int workers, TimeSpan duration)
    {
        var totalWeight = mix.Sum(o => o.Weight);
        var perWorker = new List<(string Op, double Ms, Outcome Outcome)>[workers];
        var stop = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(1000 + w);
            var samples = perWorker[w] = new List<(string, double, Outcome)>(100_000);
            var first = w == 0 ? 0 : mix.Count;
            while (first < mix.Count || stop.Elapsed < duration)
            {
                Operation op;
                if (first < mix.Count) op = mix[first++];
                else
                {
                    var pick = random.Next(totalWeight);
                    op = mix.First(o => (pick -= o.Weight) < 0);
                }
                var started = Stopwatch.GetTimestamp();
                Outcome outcome;
                try { outcome = await op.Send(random); }
                catch (HttpRequestException) { outcome = Outcome.Error; }
                catch (TaskCanceledException) { outcome = Outcome.Error; }
                samples.Add((op.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, outcome));
            }
        })).ToList();
        await Task.WhenAll(tasks);
        var seconds = stop.Elapsed.TotalSeconds;
        return perWorker.SelectMany(s => s).GroupBy(s => s.Op)
            .Select(g =>
            {
                var ms = g.Select(s => s.Ms).Order().ToArray();
                return new OperationResult(g.Key, ms.Length, ms.Length / seconds, OpenLoop.Percentile(ms, 0.50), OpenLoop.Percentile(ms, 0.95), OpenLoop.Percentile(ms, 0.99),
                    g.LongCount(s => s.Outcome == Outcome.Conflict), g.LongCount(s => s.Outcome == Outcome.Error));
            })
            .OrderBy(r => mix.ToList().FindIndex(o => o.Name == r.Name))
            .ToList();
    }

}
