using System.Collections.Concurrent;

namespace Sas.Api.Search;

/// <summary>
/// A GP's name and one of their sites, as stored at <see cref="Version"/> (the site row's version). The profession (and a
/// physician's specialty) and
/// the site's postal code, structure id and booking link are read by the slot index (the FHIR answer needs them).
/// </summary>
public sealed record GpSite(string Rpps, string SiteId, long Version, string FirstName, string LastName, string SiteName, string SiteAddress, string SiteCommune,
    string Profession = "general_practitioner", string? PostalCode = null, string? StructureId = null, string? BookingUrl = null, string? Specialty = null);

/// <summary>
/// The node's copy of the GP and site text found by searches, per (GP, site). Every search still reads each row's
/// site version from the database and takes the text again when it differs: writing a GP's record gives each of its
/// site rows a new random version, so no node shows a name or an address that another node has changed. Five strings
/// read per slot found were a third of what a search allocated.
/// </summary>
public sealed class SiteDirectory
{
    /// <summary>Far above a national count of GP sites; reaching it (a flood of GPs replaced) starts the copy afresh.</summary>
    public const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<(string Rpps, string SiteId), GpSite> entries = new();

    public int Count => entries.Count;

    public GpSite? Find(string rpps, string siteId, long version) =>
        entries.TryGetValue((rpps, siteId), out var entry) && entry.Version == version ? entry : null;

    public GpSite Keep(GpSite entry)
    {
        if (entries.Count >= MaxEntries) entries.Clear();
        entries[(entry.Rpps, entry.SiteId)] = entry;
        return entry;
    }
}
