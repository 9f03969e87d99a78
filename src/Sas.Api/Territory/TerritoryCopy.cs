using Dapper;

namespace Sas.Api.Territory;

/// <summary>
/// The node's copy of the territory (sectors, the communes each covers, CPTS names) for searches and the
/// FHIR slot query: a search asked the database for them on every request, and they change a few times a
/// year. A change through this node drops the copy once committed; a change through another node (SQL
/// Server, several nodes) is seen when the copy expires. Booking, publishing and administration keep
/// reading the database.
/// </summary>
public sealed partial class TerritoryStore
{
    private sealed record Copy(TerritorySnapshot Territory, DateTimeOffset ReadAt, DateTimeOffset Until);

    /// <summary>How soon a copy may be read again for a sector it lacks: a slot naming a sector that no longer exists must not make every query reload the territory.</summary>
    private static readonly TimeSpan RereadAfter = TimeSpan.FromSeconds(1);

    private readonly Lock copyLock = new();
    private Copy? copy;
    private long generation;
    private long loads;

    /// <summary>How many times this node read the territory into its copy: for the tests of the copy.</summary>
    public long CopyLoads => Interlocked.Read(ref loads);

    public async Task<SectorRow?> CachedSectorAsync(string code, CancellationToken ct) =>
        (await CurrentCopyAsync(ct)).Sectors.GetValueOrDefault(code);

    /// <summary>The sectors covering a commune, by code.</summary>
    public async Task<IReadOnlyList<SectorRow>> CachedSectorsCoveringCommuneAsync(string inseeCode, CancellationToken ct) =>
        (await CurrentCopyAsync(ct)).SectorsCoveringCommune(inseeCode);

    /// <summary>The sectors covering any of a postal code's communes, each once, by code.</summary>
    public async Task<IReadOnlyList<SectorRow>> CachedSectorsCoveringPostalCodeAsync(string postalCode, IReadOnlyList<Reference.Commune> communes, CancellationToken ct) =>
        (await CurrentCopyAsync(ct)).SectorsCoveringPostalCode(postalCode, communes);

    /// <summary>The node's copy of the whole territory, for reads that search like a regulator (the FHIR slot query).</summary>
    public Task<TerritorySnapshot> CachedTerritoryAsync(CancellationToken ct) => CurrentCopyAsync(ct);

    /// <summary>
    /// The copy, read again first if it lacks one of <paramref name="sectorCodes"/>: rows just read from the
    /// database can name a sector created through another node since the copy was taken. At most once a
    /// second; the caller leaves out what is still missing.
    /// </summary>
    public async Task<TerritorySnapshot> CachedTerritoryWithAsync(IEnumerable<string> sectorCodes, CancellationToken ct)
    {
        var current = await CurrentCopyAsync(ct);
        return sectorCodes.All(current.Sectors.ContainsKey) ? current : await CurrentCopyAsync(ct, reload: true);
    }

    /// <summary>
    /// The copy, read again when it has expired (or, with <paramref name="reload"/>, when it is older than a second). One
    /// read at a time: every request finding the copy expired waits for the same read. Each used to read the territory
    /// itself, and far above the national peak the requests of the moment the copy expired stalled the node.
    /// In the copy's last sixth of life, a request starts the read in the background and goes on with the copy, so
    /// under load nobody waits for it (the requests that did were the searches' slowest); a copy is still never
    /// used past its lifetime.
    /// </summary>
    private async Task<TerritorySnapshot> CurrentCopyAsync(CancellationToken ct, bool reload = false)
    {
        var now = clock.GetUtcNow();
        var held = Volatile.Read(ref copy);
        if (Fresh(held, now, reload) is { } current)
        {
            if (!reload && held!.Until - cacheLifetime.Value / 6 <= now) ReadAhead(held);
            return current;
        }
        Task<Copy> load;
        lock (copyLock)
        {
            if (Fresh(copy, now, reload) is { } stored) return stored; // read by a request just before this one
            // Started off this thread and outside the lock: SQLite's reads complete synchronously.
            load = loading ??= Task.Run(LoadAsync);
        }
        return (await load.WaitAsync(ct)).Territory;
    }

    /// <summary>Starts reading the copy again unless a read is under way or the copy was replaced meanwhile.</summary>
    private void ReadAhead(Copy held)
    {
        if (Volatile.Read(ref loading) is not null) return; // the usual case in those seconds: no lock taken per request
        lock (copyLock)
        {
            if (loading is not null || !ReferenceEquals(copy, held)) return;
            loading = Task.Run(LoadAsync);
            // Nobody awaits it: a failure is the next request's to meet (the copy expires and that request reads).
            loading.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>The read of the copy under way, if any: for the tests of the copy.</summary>
    public Task CopyRead
    {
        get { lock (copyLock) return loading ?? Task.CompletedTask; }
    }

    private TerritorySnapshot? Fresh(Copy? current, DateTimeOffset now, bool reload) =>
        current is not null && (reload ? current.ReadAt + RereadAfter > now : current.Until > now) ? current.Territory : null;

    private Task<Copy>? loading;

    private async Task<Copy> LoadAsync()
    {
        var readAt = Interlocked.Read(ref generation);
        Interlocked.Increment(ref loads);
        metrics.TerritoryCopyRead(); // several megabytes each: the bench measures again an allocation window that held one
        try
        {
            var now = clock.GetUtcNow();
            // Not the request's token: other requests wait for this read too.
            await using var c = await db.OpenAsync(CancellationToken.None);
            var sectors = (await c.QueryAsync<SectorRow>(new CommandDefinition(sql.SelectAllSectors))).ToDictionary(s => s.Code, StringComparer.Ordinal);
            var communes = (await c.QueryAsync<SectorCommuneRow>(new CommandDefinition(sql.SelectAllSectorCommunes)))
                .Where(r => sectors.ContainsKey(r.SectorCode)).ToLookup(r => r.InseeCode, r => r.SectorCode, StringComparer.Ordinal);
            var cpts = (await c.QueryAsync<CptsRow>(new CommandDefinition(sql.SelectAllCpts))).ToDictionary(r => r.Finess, r => r.Name, StringComparer.Ordinal);
            var loaded = new Copy(new TerritorySnapshot(sectors, communes, cpts), now, now + cacheLifetime.Value);
            // A copy read before a change committed is used by the requests waiting for it, but not kept.
            lock (copyLock)
                if (readAt == Interlocked.Read(ref generation) && cacheLifetime.Value > TimeSpan.Zero) copy = loaded;
            return loaded;
        }
        finally
        {
            // The next request after this read (kept or not, failed or not) starts its own.
            lock (copyLock)
                if (readAt == Interlocked.Read(ref generation)) loading = null; // else a change already let go of this read
        }
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
                loading = null; // a read under way began before this change: the next request reads again
            }
        }
    }
}

/// <summary>The territory as a node's copy holds it: sectors by code, the sectors covering each commune, CPTS names by FINESS.</summary>
public sealed record TerritorySnapshot(IReadOnlyDictionary<string, SectorRow> Sectors, ILookup<string, string> SectorsByCommune, IReadOnlyDictionary<string, string> CptsNames)
{
    /// <summary>The longest booking horizon of any sector (the default horizon when there is none).</summary>
    public long LongestBookingHorizonHours { get; } = Sectors.Count == 0 ? DefaultHorizonHours : Sectors.Values.Max(s => s.BookingHorizonHours);

    public static readonly long DefaultHorizonHours = (long)Sas.Domain.Slots.BookingWindow.DefaultHorizon.TotalHours;

    // The sectors a search of a commune or postal code covers, worked out once per copy: a search did it on every
    // request, and only keys of the reference geography reach here (the caller checks them), so both stay bounded.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<SectorRow>> byCommune = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<SectorRow>> byPostalCode = new(StringComparer.Ordinal);

    public IReadOnlyList<SectorRow> SectorsCoveringCommune(string inseeCode) =>
        byCommune.GetOrAdd(inseeCode, static (code, territory) => territory.Covering([code]), this);

    public IReadOnlyList<SectorRow> SectorsCoveringPostalCode(string postalCode, IReadOnlyList<Reference.Commune> communes) =>
        byPostalCode.GetOrAdd(postalCode, static (_, a) => a.Territory.Covering(a.Communes.Select(c => c.InseeCode)), (Territory: this, Communes: communes));

    /// <summary>The sectors covering any of the communes, each once, by code.</summary>
    private IReadOnlyList<SectorRow> Covering(IEnumerable<string> inseeCodes) =>
        [.. inseeCodes.SelectMany(i => SectorsByCommune[i]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(code => Sectors[code])];
}
