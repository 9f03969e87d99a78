using Dapper;

namespace Sas.Api.Territory;

/// <summary>
/// The node's copy of the territory (sectors, and the communes each covers) for searches: a search asked
/// the database for both on every request, and they change a few times a year. A change through this node
/// drops the copy once committed; a change through another node (SQL Server, several nodes) is seen when
/// the copy expires. Booking, publishing and administration keep reading the database.
/// </summary>
public sealed partial class TerritoryStore
{
    private sealed record Copy(IReadOnlyDictionary<string, SectorRow> Sectors, ILookup<string, string> SectorsByCommune, DateTimeOffset Until);

    private readonly Lock copyLock = new();
    private Copy? copy;
    private long generation;

    public async Task<SectorRow?> CachedSectorAsync(string code, CancellationToken ct) =>
        (await CurrentCopyAsync(ct)).Sectors.GetValueOrDefault(code);

    /// <summary>The sectors covering any of the communes, each once, by code.</summary>
    public async Task<IReadOnlyList<SectorRow>> CachedSectorsCoveringAsync(IEnumerable<string> inseeCodes, CancellationToken ct)
    {
        var current = await CurrentCopyAsync(ct);
        return inseeCodes.SelectMany(i => current.SectorsByCommune[i]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(code => current.Sectors[code]).ToList();
    }

    private async Task<Copy> CurrentCopyAsync(CancellationToken ct)
    {
        var current = Volatile.Read(ref copy);
        if (current is not null && current.Until > clock.GetUtcNow()) return current;
        var readAt = Interlocked.Read(ref generation);
        await using var c = await db.OpenAsync(ct);
        var sectors = (await c.QueryAsync<SectorRow>(new CommandDefinition(sql.SelectAllSectors, cancellationToken: ct))).ToDictionary(s => s.Code, StringComparer.Ordinal);
        var communes = (await c.QueryAsync<SectorCommuneRow>(new CommandDefinition(sql.SelectAllSectorCommunes, cancellationToken: ct)))
            .Where(r => sectors.ContainsKey(r.SectorCode)).ToLookup(r => r.InseeCode, r => r.SectorCode, StringComparer.Ordinal);
        var loaded = new Copy(sectors, communes, clock.GetUtcNow() + cacheLifetime.Value);
        // A copy read before a change committed is used for this search, but not kept.
        lock (copyLock)
            if (readAt == Interlocked.Read(ref generation) && cacheLifetime.Value > TimeSpan.Zero) copy = loaded;
        return loaded;
    }

    private async Task<T> AndForgetTheCopy<T>(Task<T> write)
    {
        try
        {
            return await write;
        }
        finally
        {
            lock (copyLock)
            {
                Interlocked.Increment(ref generation);
                copy = null;
            }
        }
    }
}
