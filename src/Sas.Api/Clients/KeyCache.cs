using System.Collections.Concurrent;

namespace Sas.Api.Clients;

/// <summary>
/// API keys already checked, by hash, for a few seconds (<c>Auth:KeyCacheSeconds</c>, default 10; 0 turns it
/// off): every request is authenticated, and the lookup was one more query on each. A revocation through this
/// node empties it at once; a revocation made through another node (SQL Server, several nodes) takes effect
/// here when the entry expires. Unknown keys are remembered too, for <see cref="MissLifetime"/>, in a table of
/// their own that is emptied when full: a flood of one bad key is not a flood of queries, and a flood of distinct
/// bad keys cannot push the good ones out (the per-address limit on failed keys stops it anyway). A key created
/// through this node empties that table; one created through another node works here within that delay.
/// </summary>
public sealed class KeyCache(TimeProvider clock, TimeSpan lifetime)
{
    private const int MaxEntries = 10_000;
    public static readonly TimeSpan MissLifetime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a key found valid is remembered as one (its hash only, not its client): it passes the limit on failed
    /// keys of its address (a NAT, an integration server with one stale worker). Authentication still looks it up.
    /// </summary>
    public static readonly TimeSpan KnownValidLifetime = TimeSpan.FromHours(24);
    private readonly ConcurrentDictionary<string, (ClientIdentity Identity, DateTimeOffset Until)> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> misses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> valid = new(StringComparer.Ordinal);
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
        lock (entries)
        {
            if (readAt != Generation) return;
            if (valid.Count >= MaxEntries) valid.Clear();
            valid[hash] = clock.GetUtcNow() + KnownValidLifetime;
            if (lifetime <= TimeSpan.Zero) return;
            if (entries.Count >= MaxEntries) entries.Clear();
            entries[hash] = (identity, clock.GetUtcNow() + lifetime);
        }
    }

    /// <summary>Whether this hash was looked up and not found a moment ago.</summary>
    public bool IsKnownValid(string hash) =>
        (entries.TryGetValue(hash, out var entry) && entry.Until > clock.GetUtcNow()) || (valid.TryGetValue(hash, out var until) && until > clock.GetUtcNow());

    public bool IsKnownMiss(string hash)
    {
        if (!misses.TryGetValue(hash, out var until)) return false;
        if (until > clock.GetUtcNow()) return true;
        misses.TryRemove(KeyValuePair.Create(hash, until));
        return false;
    }

    public void AddMiss(string hash, long readAt)
    {
        if (lifetime <= TimeSpan.Zero) return;
        lock (entries)
        {
            if (readAt != Generation) return;
            if (misses.Count >= MaxEntries) misses.Clear();
            misses[hash] = clock.GetUtcNow() + MissLifetime;
        }
    }

    public void Clear()
    {
        lock (entries)
        {
            Interlocked.Increment(ref generation);
            entries.Clear();
            misses.Clear();
        }
    }
}
