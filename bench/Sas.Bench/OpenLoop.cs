using System.Diagnostics;

namespace Sas.Bench;

/// <summary>An operation sent at a fixed rate, whether or not the earlier ones were answered.</summary>
public sealed record Rated(Operation Operation, double PerSecond);

/// <summary>One request of an open-loop run: when it was due (s from the start), how late it left the generator, how long it took (ms).</summary>
public sealed record TimedRequest(string Name, double DueSeconds, double SendLagMs, double Ms);

/// <summary>
/// Open-loop load, as production is loaded: each operation has a schedule of due times (its rate), every request is
/// sent when due (or up to 2 ms sooner) without waiting for the others (the operations out of step with each other), and
/// its latency runs from the moment it was due, so a server that falls behind shows it in the percentiles instead of
/// slowing the generator down (no coordinated omission).
/// Requests beyond <paramref name="maxInFlight"/> at once are not sent and count as errors: the server is saturated.
/// </summary>
public static class OpenLoop
{
    /// <summary>How much sooner than due a request may leave (s): the generator's sleep cannot be shorter than a millisecond.</summary>
    private const double Early = 0.002;

    /// <param name="sendLags">When given, how late each request left the generator (ms after it was due): the generator's
    /// own share of every latency, which a busy machine makes larger.</param>
    /// <param name="timeline">When given, every request with its due time: where in a run its slow answers fell.</param>
    public static async Task<IReadOnlyList<OperationResult>> RunAsync(IReadOnlyList<Rated> schedule, TimeSpan duration, int maxInFlight = 2048, List<double>? sendLags = null,
        List<TimedRequest>? timeline = null)
    {
        var samples = schedule.Select(_ => new List<(double Ms, Outcome Outcome)>()).ToArray();
        var dropped = new long[schedule.Count];
        // Each operation's first request at a random point of its first interval (the same points every run): started
        // together at zero, operations of equal or multiple rates stayed in step for the whole run — every pooled request
        // posted at the same instant as an accept, a booking and a hold, queueing for the one writer together, which
        // independent callers never do by rule.
        var phase = new Random(20261207);
        var next = schedule.Select(s => s.PerSecond > 0 ? phase.NextDouble() / s.PerSecond : 0).ToArray();
        // The requests still out, plus one for the loop itself until it stops sending: the last one out ends the run. A
        // list of every request's task kept a step's thousands of tasks alive to its end, for the generator's collector to copy.
        var outstanding = 1;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Done() { if (Interlocked.Decrement(ref outstanding) == 0) drained.TrySetResult(); }
        var clock = Stopwatch.StartNew();

        while (true)
        {
            var now = clock.Elapsed.TotalSeconds;
            if (now >= duration.TotalSeconds) break;
            for (var i = 0; i < schedule.Count; i++)
            {
                if (schedule[i].PerSecond <= 0) continue;
                while (next[i] <= now + Early)
                {
                    var (index, due) = (i, next[i]);
                    next[i] += 1 / schedule[i].PerSecond;
                    if (Interlocked.Increment(ref outstanding) > maxInFlight + 1)
                    {
                        Done();
                        dropped[index]++;
                        continue;
                    }
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            // Timed from when it was due, or from when it left if that was (at most Early) sooner.
                            var left = clock.Elapsed.TotalSeconds;
                            var from = Math.Max(due, left);
                            var lag = Math.Max(0, (left - due) * 1000);
                            Outcome outcome;
                            try { outcome = await schedule[index].Operation.Send(Random.Shared); }
                            catch (HttpRequestException) { outcome = Outcome.Error; }
                            catch (TaskCanceledException) { outcome = Outcome.Error; }
                            var ms = (clock.Elapsed.TotalSeconds - from) * 1000;
                            lock (samples[index]) samples[index].Add((ms, outcome));
                            if (sendLags is not null) lock (sendLags) sendLags.Add(lag);
                            if (timeline is not null) lock (timeline) timeline.Add(new TimedRequest(schedule[index].Operation.Name, due, lag, ms));
                        }
                        catch (Exception e) { drained.TrySetException(e); } // a fault of the bench itself ends the run
                        finally { Done(); }
                    });
                }
            }
            // Sleep until the next request is nearly due, never spin: the generator shares the server's two cores, and
            // its spinning between requests took 0.5-0.8 of them at 50× the peak (a sleep lasts a millisecond or more here,
            // hence the requests leaving up to Early before they are due).
            var wait = next.Where((_, i) => schedule[i].PerSecond > 0).DefaultIfEmpty(duration.TotalSeconds).Min() - Early - clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(wait * 1000, 1, 20)));
        }
        var sent = clock.Elapsed.TotalSeconds;
        Done();
        await drained.Task;

        return schedule.Select((s, i) =>
        {
            var skipped = samples[i].LongCount(x => x.Outcome == Outcome.Skipped);
            samples[i].RemoveAll(x => x.Outcome == Outcome.Skipped);
            var ms = samples[i].Select(x => x.Ms).Order().ToArray();
            return new OperationResult(s.Operation.Name, ms.Length, Math.Round(ms.Length / sent, 1), Percentile(ms, 0.50), Percentile(ms, 0.95), Percentile(ms, 0.99),
                samples[i].LongCount(x => x.Outcome == Outcome.Conflict), samples[i].LongCount(x => x.Outcome == Outcome.Error) + dropped[i],
                Percentile(ms, 0.999), Math.Round(s.PerSecond, 1), skipped);
        }).ToList();
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 2);
}
