using System.Collections.Concurrent;

namespace Sas.Api.Clients;

/// <summary>
/// API keys already checked, by hash, for a few seconds (<c>Auth:KeyCacheSeconds</c>, default 10; 0 turns it
/// off): every request is authenticated, and the lookup was one more query on each. Only keys found are
/// kept, so unknown keys cannot fill it. A revocation through this node empties it at once; a revocation
/// made through another node (SQL Server, several nodes) takes effect here when the entry expires.
/// </summary>
public sealed class KeyCache(TimeProvider clock, TimeSpan lifetime)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (ClientIdentity Identity, DateTimeOffset Until)> entries = new(StringComparer.Ordinal);
    private long generation;

    /// <summary>Read before looking a key up in the database, and given back to <see cref="Add"/>.</summary>
    public long Generation => Interlocked.Read(ref generation);

    public bool TryGet(string hash, out ClientIdentity identity)
    {
        identity = null!;
        if (!entries.TryGetValue(hash, out var entry)) return false;
        if (entry.Until <= clock.GetUtcNow())
        {
            entries.TryRemove(KeyValuePair.Create(hash, entry));
            return false;
        }
        identity = entry.Identity;
        return true;
    }

    /// <summary>
    /// Keeps what was read, unless the cache was emptied since <paramref name="readAt"/>: a lookup that read
    /// the row before a revocation committed must not put the key back after it.
    /// </summary>
    public void Add(string hash, ClientIdentity identity, long readAt)
    {
        if (lifetime <= TimeSpan.Zero) return;
        lock (entries)
        {
            if (readAt != Generation) return;
            if (entries.Count >= MaxEntries) entries.Clear();
            entries[hash] = (identity, clock.GetUtcNow() + lifetime);
        }
    }

    public void Clear()
    {
        lock (entries)
        {
            Interlocked.Increment(ref generation);
            entries.Clear();
        }
    }
}
