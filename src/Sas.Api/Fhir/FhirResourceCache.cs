using Hl7.Fhir.Model;
using Microsoft.Extensions.Caching.Memory;

namespace Sas.Api.Fhir;

/// <summary>
/// Resources as serialized JSON, by a key naming everything they are built from: an entry never goes stale,
/// it stops being asked for. Bounded in count; entries not read for ten minutes are dropped.
/// </summary>
public sealed class FhirResourceCache : IDisposable
{
    public const int MaxEntries = 50_000;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    /// <summary>
    /// The resource's JSON under <paramref name="key"/> (a value naming everything it is built from), built from
    /// <paramref name="state"/> when absent. Keys are small structs, not strings, and the builder takes its state as an
    /// argument: a 25-GP answer asks for a hundred entries, and a string key and a closure each cost more than the hit.
    /// </summary>
    public ReadOnlyMemory<byte> Get<TKey, TState>(TKey key, TState state, Func<TState, Resource> build) where TKey : notnull
    {
        if (cache.TryGetValue(key, out ReadOnlyMemory<byte> json)) return json;
        json = FhirResult.SerializeToUtf8(build(state));
        cache.Set(key, json, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        return json;
    }

    public int Count => cache.Count;

    public void Dispose() => cache.Dispose();
}
