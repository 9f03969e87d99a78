using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Sas.Api.Reference;
using Sas.Domain.Fhir;
using Sas.Domain.Slots;

namespace Sas.Api.Fhir;

/// <summary>
/// The searchset Bundle of the guide's slot aggregation: the free Slots (search mode <c>match</c>), then
/// what was asked to be included: one Schedule per PractitionerRole, the Practitioners, the
/// PractitionerRoles (one per practice site, its Location contained), and in the CPTS flow the CPTS as
/// HealthcareService and Organization. No patient data exists at this level.
/// </summary>
public sealed class SlotBundleBuilder(FhirOptions options, Geography geography, FhirResourceCache cache)
{
    public sealed record Context(SlotSearchRequest Request, string SelfUrl, string BaseUrl, DateTime NowUtc, int Total);

    /// <summary>
    /// Every resource is built with the Firely SDK and serialized by it, then cached as JSON under a key
    /// made of everything it is built from: a changed slot, GP or site is a new key, never a stale answer,
    /// and which slots are free is read from the database for every query. The platform asks for the same
    /// GPs again and again; building and serializing the resources each time allocated 1.4 MB per answer,
    /// and with 32 clients the collections paused the process a quarter of the time.
    /// </summary>
    public SearchsetBundle Build(IReadOnlyList<FhirSlotRow> slots, Context ctx)
    {
        var entries = new List<SearchsetBundle.Entry>(slots.Count * 2);
        var fhirBase = ctx.BaseUrl + "/fhir";
        void Add(string type, string id, ReadOnlyMemory<byte> json, string mode) => entries.Add(new($"{fhirBase}/{type}/{id}", json, mode));
        const string match = "match", include = "include";

        foreach (var row in slots)
        {
            var id = row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var cptsOf = ctx.Request.IsCptsFlow ? row.CptsFiness : null;
            var key = $"Slot|{id}|{row.StartUtc.Ticks}|{row.EndUtc.Ticks}|{row.Modality}|{row.Rpps}|{row.SiteId}|{row.TimeZone}|{row.Profession}|{cptsOf}|{ctx.BaseUrl}";
            Add("Slot", id, cache.Get(key, () => ToSlot(row, ctx)), match);
        }

        var r = ctx.Request;
        var roles = slots.GroupBy(s => RoleId(s.Rpps, s.SiteId)).Select(g => g.First()).ToList();
        if (r.IncludeSchedule)
            foreach (var row in roles)
                Add("Schedule", RoleId(row.Rpps, row.SiteId), cache.Get($"Schedule|{row.Rpps}|{row.SiteId}", () => ToSchedule(row)), include);
        if (r.IncludeScheduleActors)
        {
            foreach (var row in slots.DistinctBy(s => s.Rpps))
                Add("Practitioner", row.Rpps, cache.Get($"Practitioner|{row.Rpps}|{row.LastName}|{row.FirstName}", () => ToPractitioner(row)), include);
            foreach (var row in roles)
                Add("PractitionerRole", RoleId(row.Rpps, row.SiteId),
                    cache.Get($"PractitionerRole|{row.Rpps}|{row.SiteId}|{row.SiteName}|{row.SiteAddress}|{row.SiteCommune}|{row.CptsFiness}", () => ToPractitionerRole(row)), include);
        }
        if (r.IsCptsFlow)
        {
            var cpts = slots.Where(s => s.CptsFiness is not null).DistinctBy(s => s.CptsFiness).ToList();
            foreach (var row in cpts)
                Add("HealthcareService", CptsId(row.CptsFiness!), cache.Get($"HealthcareService|{row.CptsFiness}|{row.CptsName}", () => ToHealthcareService(row)), include);
            if (r.IncludeOrganization)
                foreach (var row in cpts)
                    Add("Organization", CptsId(row.CptsFiness!), cache.Get($"Organization|{row.CptsFiness}|{row.CptsName}", () => ToOrganization(row)), include);
        }
        return new SearchsetBundle(Guid.NewGuid().ToString(), ctx.NowUtc, ctx.Total, ctx.SelfUrl, entries);
    }

    private Slot ToSlot(FhirSlotRow row, Context ctx)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(row.TimeZone);
        var cpts = ctx.Request.IsCptsFlow && row.CptsFiness is not null;
        var slot = new Slot
        {
            Id = row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Meta = new Meta
            {
                Profile = cpts ? [.. FhirCodes.SlotProfiles, FhirCodes.CptsSlotProfile] : FhirCodes.SlotProfiles,
                // Every slot here is offered to SAS regulation only: SNP, or CPTS when it is the CPTS's slot.
                Security = [new Coding(FhirCodes.SlotTypeSystem, cpts ? FhirCodes.SlotTypeCpts : FhirCodes.SlotTypeSnp)],
            },
            ServiceType = [ConsultationType(row.Modality)],
            Specialty = [Specialty(row.Profession)],
            AppointmentType = new CodeableConcept(FhirCodes.AppointmentTypeSystem, "ROUTINE", "Créneau avec prise de RDV"),
            Schedule = new ResourceReference($"Schedule/{RoleId(row.Rpps, row.SiteId)}"),
            Status = Slot.SlotStatus.Free,
            StartElement = new Instant { JsonValue = FhirInstants.Format(row.StartUtc, zone) },
            EndElement = new Instant { JsonValue = FhirInstants.Format(row.EndUtc, zone) },
            Comment = options.BookingLinkTemplate.Replace("{base}", ctx.BaseUrl, StringComparison.Ordinal)
                .Replace("{slotId}", Uri.EscapeDataString(row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), StringComparison.Ordinal),
        };
        if (cpts)
        {
            var serviceType = new CodeableConcept(FhirCodes.EstablishmentCategorySystem, FhirCodes.CptsCategory, "Communauté Professionnelle Territoriale de Santé (CPTS)");
            serviceType.Extension.Add(new Extension(FhirCodes.ServiceTypeReferenceExtension, new ResourceReference($"HealthcareService/{CptsId(row.CptsFiness!)}")));
            slot.ServiceType.Add(serviceType);
        }
        return slot;
    }

    private static CodeableConcept ConsultationType(string modality) => SlotText.ParseModality(modality) switch
    {
        Modality.HomeVisit => new CodeableConcept(FhirCodes.ActCodeSystem, "HH", "home health"),
        Modality.Teleconsultation => new CodeableConcept(FhirCodes.ActCodeSystem, "VR", "virtual"),
        _ => new CodeableConcept(FhirCodes.ActCodeSystem, "AMB", "ambulatory"),
    };

    private static CodeableConcept Specialty(string profession) => profession == "general_practitioner"
        ? new CodeableConcept(FhirCodes.SpecialtySystem, FhirCodes.GeneralMedicine, "Médecine générale (SM)")
        : new CodeableConcept { Text = profession };

    private static Schedule ToSchedule(FhirSlotRow row) => new()
    {
        Id = RoleId(row.Rpps, row.SiteId),
        Meta = new Meta { Profile = FhirCodes.ScheduleProfiles },
        Active = true,
        Actor = [new ResourceReference($"Practitioner/{row.Rpps}"), new ResourceReference($"PractitionerRole/{RoleId(row.Rpps, row.SiteId)}")],
    };

    private static Practitioner ToPractitioner(FhirSlotRow row) => new()
    {
        Id = row.Rpps,
        Meta = new Meta { Profile = FhirCodes.PractitionerProfiles },
        Identifier = [FhirIdentifiers.Practitioner(row.Rpps)],
        Name = [new HumanName { Family = row.LastName, Given = [row.FirstName] }],
    };

    private PractitionerRole ToPractitionerRole(FhirSlotRow row)
    {
        const string locationId = "location";
        var commune = geography.FindCommune(row.SiteCommune);
        var location = new Location
        {
            Id = locationId,
            Meta = new Meta { Profile = [FhirCodes.LocationProfile] },
            Name = row.SiteName,
            Address = new Address
            {
                Line = row.SiteAddress is null ? [] : [row.SiteAddress],
                City = commune?.Name,
                PostalCode = commune?.PostalCodes.FirstOrDefault(),
                Country = "FR",
            },
        };
        var role = new PractitionerRole
        {
            Id = RoleId(row.Rpps, row.SiteId),
            Meta = new Meta { Profile = FhirCodes.PractitionerRoleProfiles },
            Contained = [location],
            Practitioner = new ResourceReference($"Practitioner/{row.Rpps}"),
            Location = [new ResourceReference("#" + locationId)],
        };
        if (row.CptsFiness is not null)
            role.Organization = new ResourceReference { Identifier = FhirIdentifiers.Structure(row.CptsFiness) };
        return role;
    }

    private static HealthcareService ToHealthcareService(FhirSlotRow row) => new()
    {
        Id = CptsId(row.CptsFiness!),
        Meta = new Meta { Profile = [FhirCodes.HealthcareServiceProfile] },
        Name = row.CptsName,
        ProvidedBy = new ResourceReference($"Organization/{CptsId(row.CptsFiness!)}"),
    };

    private static Organization ToOrganization(FhirSlotRow row) => new()
    {
        Id = CptsId(row.CptsFiness!),
        Meta = new Meta { Profile = [FhirCodes.OrganizationProfile] },
        Identifier = [FhirIdentifiers.Structure(row.CptsFiness!)],
        Name = row.CptsName,
    };

    /// <summary>
    /// One PractitionerRole (and Schedule) per GP and practice site. Site ids allow characters a FHIR id
    /// does not (<c>_</c>, <c>:</c>), so the site is hashed: stable, valid, and never longer than 64.
    /// </summary>
    public static string RoleId(string rpps, string siteId) =>
        $"{rpps}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(siteId)))[..12]}";

    public static string CptsId(string finess) => $"cpts-{finess}";
}
