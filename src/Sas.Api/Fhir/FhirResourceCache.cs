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

    public ReadOnlyMemory<byte> Get(string key, Func<Resource> build)
    {
        if (cache.TryGetValue(key, out ReadOnlyMemory<byte> json)) return json;
        json = FhirResult.SerializeToUtf8(build());
        cache.Set(key, json, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        return json;
    }

    public int Count => cache.Count;

    public void Dispose() => cache.Dispose();
}
