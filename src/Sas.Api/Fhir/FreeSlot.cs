using Sas.Api.Territory;

namespace Sas.Api.Fhir;

/// <summary>
/// A GP at one practice site: one PractitionerRole and one Schedule of the bundle. Shared by all the slots
/// of that site in an answer, so the role id (a hash of the site) is computed once per site, not per slot.
/// </summary>
public sealed record FhirPractice(string Rpps, string FirstName, string LastName, string Profession, string SiteId, string? SiteName, string? SiteAddress, string? SiteCommune,
    string? SitePostalCode = null, string? SiteStructureId = null, string? SiteBookingUrl = null, string? Specialty = null)
{
    public string RoleId { get; } = SlotBundleBuilder.RoleId(Rpps, SiteId);
}

/// <summary>A free slot with everything the bundle says about it: its GP and site, its sector (time zone, horizon, CPTS).</summary>
public sealed record FreeSlot(FhirSlotRow Slot, FhirPractice Practice, SectorRow Sector, string? CptsName)
{
    /// <summary>
    /// Joins the slots to their GP and site and to their sector in the territory copy, in the slots' order.
    /// A slot whose sector the copy lacks is left out (the caller reads the copy again first, so that only
    /// happens for a sector deleted meanwhile); a site no longer listed for the GP keeps the GP, without a name or address.
    /// </summary>
    public static List<FreeSlot> Join(IReadOnlyList<FhirSlotRow> slots, IReadOnlyList<FhirPracticeRow> practices, TerritorySnapshot territory)
    {
        var gps = new Dictionary<string, FhirPracticeRow>(StringComparer.Ordinal);
        var sites = new Dictionary<(string Rpps, string SiteId), FhirPractice>();
        foreach (var p in practices)
        {
            gps.TryAdd(p.Rpps, p);
            if (p.SiteId is not null) sites[(p.Rpps, p.SiteId)] = new FhirPractice(p.Rpps, p.FirstName, p.LastName, p.Profession, p.SiteId, p.SiteName, p.SiteAddress, p.SiteCommune,
                p.SitePostalCode, p.SiteStructureId, p.SiteBookingUrl, p.Specialty);
        }
        var joined = new List<FreeSlot>(slots.Count);
        foreach (var slot in slots)
        {
            if (!territory.Sectors.TryGetValue(slot.SectorCode, out var sector) || !gps.TryGetValue(slot.Rpps, out var gp)) continue;
            if (!sites.TryGetValue((slot.Rpps, slot.SiteId), out var practice))
                sites[(slot.Rpps, slot.SiteId)] = practice = new FhirPractice(gp.Rpps, gp.FirstName, gp.LastName, gp.Profession, slot.SiteId, null, null, null, Specialty: gp.Specialty);
            joined.Add(new FreeSlot(slot, practice, sector, sector.CptsFiness is { } finess ? territory.CptsNames.GetValueOrDefault(finess) : null));
        }
        return joined;
    }
}
