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
public sealed class SlotBundleBuilder(FhirOptions options, Geography geography)
{
    public sealed record Context(SlotSearchRequest Request, string SelfUrl, string BaseUrl, DateTime NowUtc, int Total);

    public Bundle Build(IReadOnlyList<FhirSlotRow> slots, Context ctx)
    {
        var bundle = new Bundle
        {
            Id = Guid.NewGuid().ToString(),
            Meta = new Meta { LastUpdated = ctx.NowUtc },
            Type = Bundle.BundleType.Searchset,
            Total = ctx.Total,
            Link = [new Bundle.LinkComponent { Relation = "self", Url = ctx.SelfUrl }],
        };
        var fhirBase = ctx.BaseUrl + "/fhir";
        foreach (var row in slots) Add(bundle, fhirBase, ToSlot(row, ctx), Bundle.SearchEntryMode.Match);

        var r = ctx.Request;
        var roles = slots.GroupBy(s => RoleId(s.Rpps, s.SiteId)).Select(g => g.First()).ToList();
        if (r.IncludeSchedule)
            foreach (var row in roles) Add(bundle, fhirBase, ToSchedule(row), Bundle.SearchEntryMode.Include);
        if (r.IncludeScheduleActors)
        {
            foreach (var row in slots.DistinctBy(s => s.Rpps)) Add(bundle, fhirBase, ToPractitioner(row), Bundle.SearchEntryMode.Include);
            foreach (var row in roles) Add(bundle, fhirBase, ToPractitionerRole(row), Bundle.SearchEntryMode.Include);
        }
        if (r.IsCptsFlow)
        {
            var cpts = slots.Where(s => s.CptsFiness is not null).DistinctBy(s => s.CptsFiness).ToList();
            foreach (var row in cpts) Add(bundle, fhirBase, ToHealthcareService(row), Bundle.SearchEntryMode.Include);
            if (r.IncludeOrganization)
                foreach (var row in cpts) Add(bundle, fhirBase, ToOrganization(row), Bundle.SearchEntryMode.Include);
        }
        return bundle;
    }

    private static void Add(Bundle bundle, string fhirBase, Resource resource, Bundle.SearchEntryMode mode) =>
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = $"{fhirBase}/{resource.TypeName}/{resource.Id}",
            Resource = resource,
            Search = new Bundle.SearchComponent { Mode = mode },
        });

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
