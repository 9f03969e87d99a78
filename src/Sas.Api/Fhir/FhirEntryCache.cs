using System.Collections.Concurrent;

namespace Sas.Api.Fhir;

/// <summary>
/// A Bundle's entries as written JSON (<see cref="SearchsetBundle.Entry"/>), by a key naming everything they are built
/// from: an entry never goes stale, it stops being asked for. Two generations per kind of key: a read looks in the young one, then in the old one (and brings what
/// it finds back into the young); when the young one has taken <see cref="MaxEntries"/> / 2 new entries, or ten minutes
/// have passed at the next new entry, the old one is dropped and the young one becomes old. So at most
/// <see cref="MaxEntries"/> are kept per kind, and an entry not read for two turns is gone.
/// Not <c>MemoryCache</c>: its object keys boxed every struct key (a hundred a 25-GP answer) and every read moved its
/// entry's sliding expiration by the clock, 6 % of the platform's query and a tenth of its allocation (docs/benchmarks.md).
/// </summary>
public sealed class FhirEntryCache(TimeProvider clock)
{
    public const int MaxEntries = 50_000;

    private static readonly TimeSpan Turn = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Type, IKind> kinds = new();

    private interface IKind
    {
        int Count { get; }
    }

    /// <summary>One kind's two generations; a turn puts a new one in its place in <see cref="kinds"/>.</summary>
    private sealed class Generations<TKey>(long since) : IKind where TKey : notnull
    {
        public readonly ConcurrentDictionary<TKey, ReadOnlyMemory<byte>> Young = new();
        public ConcurrentDictionary<TKey, ReadOnlyMemory<byte>> Old { get; init; } = new();
        public readonly long Since = since;
        public int Added;

        public int Count => Young.Count + Old.Count;
    }

    /// <summary>
    /// The JSON under <paramref name="key"/> (a value naming everything it is built from), written from
    /// <paramref name="state"/> when absent. Keys are small structs, not strings, and the builder takes its state as an
    /// argument: a 25-GP answer asks for a hundred entries, and a string key and a closure each cost more than the hit.
    /// </summary>
    public ReadOnlyMemory<byte> Get<TKey, TState>(TKey key, TState state, Func<TState, byte[]> write) where TKey : notnull
    {
        var g = (Generations<TKey>)kinds.GetOrAdd(typeof(TKey), static (_, since) => new Generations<TKey>(since), clock.GetTimestamp());
        if (g.Young.TryGetValue(key, out var json)) return json;
        if (!g.Old.TryGetValue(key, out json)) json = write(state);
        if (g.Young.TryAdd(key, json) && (Interlocked.Increment(ref g.Added) >= MaxEntries / 2 || clock.GetElapsedTime(g.Since) > Turn))
            kinds.TryUpdate(typeof(TKey), new Generations<TKey>(clock.GetTimestamp()) { Old = g.Young }, g); // one turn at a time: a concurrent one lost nothing
        return json;
    }

    /// <summary>The entries kept, both generations (one brought back counts twice).</summary>
    public int Count => kinds.Values.Sum(k => k.Count);
}
