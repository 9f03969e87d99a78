using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using Sas.Api.Reference;
using Sas.Domain.Professions;
using Sas.Domain.Slots;

namespace Sas.Api.Fhir;

/// <summary>
/// The searchset Bundle of the guide's slot aggregation: the free Slots (search mode <c>match</c>), then
/// what was asked to be included: one Schedule per PractitionerRole, the Practitioners, the
/// PractitionerRoles (one per practice site, its Location contained), and in the CPTS flow the CPTS as
/// HealthcareService and Organization. No patient data exists at this level.
/// </summary>
public sealed class SlotBundleBuilder(FhirOptions options, Geography geography, FhirEntryCache cache)
{
    /// <summary>What the answer is for: the search, its links, the total over every page, and the warnings of the search's outcome entry.</summary>
    /// <param name="AgendaBase">Where the regulator's browser reaches the console: <see cref="Console.ConsoleOptions.AgendaBase"/>.</param>
    public sealed record Context(SlotSearchRequest Request, string SelfUrl, string BaseUrl, DateTime NowUtc, int Total, string? NextUrl = null,
        IReadOnlyList<SearchIssue>? Warnings = null, string? AgendaBase = null);

    /// <summary>
    /// Every resource is built with the Firely SDK and serialized by it, then cached as JSON under a key
    /// made of everything it is built from: a changed slot, GP or site is a new key, never a stale answer,
    /// and which slots are free is read from the database for every query. The platform asks for the same
    /// GPs again and again; building and serializing the resources each time allocated 1.4 MB per answer,
    /// and with 32 clients the collections paused the process a quarter of the time.
    /// </summary>
    public SearchsetBundle Build(IReadOnlyList<FreeSlot> slots, Context ctx) => Build(slots, ctx, cache);

    /// <summary>
    /// Builds and writes a CPTS-flow bundle of one made-up slot, caching nothing. The Firely SDK reads its
    /// whole model by reflection on first use, and every path here is compiled then: without this, the
    /// platform's first query after a start came close to the test kit's 1 s (docs/benchmarks.md).
    /// </summary>
    public void WarmUp()
    {
        var now = DateTime.UtcNow;
        var practice = new FhirPractice("10000000008", "Warm", "Up", "general_practitioner", "warm-up", "Cabinet", "1 rue de la Santé", "44109", "44000", "1440000016", "https://warm.up/{slotId}");
        var sector = new Territory.SectorRow("warm-up", "warm-up", "44", Sas.Domain.Time.Zones.Mainland, 24, "440000016");
        var slot = new FreeSlot(new FhirSlotRow(1, practice.Rpps, sector.Code, practice.SiteId, now, now.AddMinutes(20), "in_person"), practice, sector, "CPTS");
        var request = new SlotSearchRequest(now, now.AddDays(1), [practice.Rpps], true, true, true, true, SlotSearchRequest.MaxCount);
        var bundle = Build([slot], new Context(request, "http://localhost/fhir/Slot", "http://localhost", now, 1, null, [new SearchIssue("warm-up", "warm-up")]), null);
        bundle.WriteTo(new System.Buffers.ArrayBufferWriter<byte>());
    }

    /// <summary>
    /// What a slot's entry is built from; equal keys are the same JSON. Its hash is the slot's id and start only: a key is
    /// hashed for each slot of each answer, and hashing its texts (the bases, the role) was most of a lookup's time.
    /// </summary>
    private readonly record struct SlotKey(long Id, long StartTicks, long EndTicks, string Modality, string RoleId, string TimeZone, string Profession,
        string? Specialty, string? Cpts, string AgendaBase, string FhirBase)
    {
        public override int GetHashCode() => HashCode.Combine(Id, StartTicks);
    }

    /// <summary>An included resource's entry key: its type and id, then the rest of what it is built from; hashed on its id.</summary>
    private readonly record struct IncludeKey<TRest>(string Type, string Id, string FhirBase, TRest Rest)
    {
        public override int GetHashCode() => Id.GetHashCode();
    }

    /// <summary>The entry of a resource built from <paramref name="state"/>, from the cache when one is given.</summary>
    private static ReadOnlyMemory<byte> Entry<TKey, TState>(FhirEntryCache? cache, TKey key, TState state, Func<TState, Resource> build, string fhirBase, string mode)
        where TKey : notnull
    {
        var render = (State: state, Build: build, Base: fhirBase, Mode: mode);
        static byte[] Write((TState State, Func<TState, Resource> Build, string Base, string Mode) r)
        {
            var resource = r.Build(r.State);
            return SearchsetBundle.Entry(r.Base, resource.TypeName, resource.Id!, FhirResult.SerializeToUtf8(resource), r.Mode);
        }
        return cache is null ? Write(render) : cache.Get(key, render, Write);
    }

    private static ReadOnlyMemory<byte> Include<TRest, TState>(FhirEntryCache? cache, string type, string id, TRest rest, TState state, Func<TState, Resource> build, string fhirBase) =>
        Entry(cache, new IncludeKey<TRest>(type, id, fhirBase, rest), state, build, fhirBase, "include");

    private SearchsetBundle Build(IReadOnlyList<FreeSlot> slots, Context ctx, FhirEntryCache? cached)
    {
        var entries = new List<ReadOnlyMemory<byte>>(slots.Count * 2);
        var fhirBase = ctx.BaseUrl + "/fhir/";

        foreach (var free in slots)
        {
            var (row, practice) = (free.Slot, free.Practice);
            var cptsOf = ctx.Request.IsCptsFlow ? free.Sector.CptsFiness : null;
            var key = new SlotKey(row.Id, row.StartUtc.Ticks, row.EndUtc.Ticks, row.Modality, practice.RoleId, free.Sector.TimeZone, practice.Profession, practice.Specialty, cptsOf,
                ctx.AgendaBase ?? ctx.BaseUrl, fhirBase);
            entries.Add(Entry(cached, key, (Builder: this, Free: free, Ctx: ctx), static s => s.Builder.ToSlot(s.Free, s.Ctx), fhirBase, "match"));
        }

        var r = ctx.Request;
        // One role per GP and site.
        var roles = slots.Select(s => s.Practice).DistinctBy(p => p.RoleId).ToList();
        if (r.IncludeSchedule)
            foreach (var p in roles)
                entries.Add(Include(cached, "Schedule", p.RoleId, 0, p, static p => ToSchedule(p), fhirBase));
        if (r.IncludeScheduleActors)
        {
            foreach (var p in roles.DistinctBy(p => p.Rpps))
                entries.Add(Include(cached, "Practitioner", p.Rpps, (p.LastName, p.FirstName), p, static p => ToPractitioner(p), fhirBase));
            foreach (var p in roles)
                entries.Add(Include(cached, "PractitionerRole", p.RoleId, (p.SiteName, p.SiteAddress, p.SiteCommune, p.SitePostalCode, p.SiteStructureId, p.Profession, p.Specialty),
                    (Builder: this, P: p), static s => s.Builder.ToPractitionerRole(s.P), fhirBase));
        }
        if (r.IsCptsFlow)
        {
            var structures = slots.Where(s => s.Sector.CptsFiness is not null).DistinctBy(s => s.Sector.CptsFiness).Select(s => (Finess: s.Sector.CptsFiness!, Name: s.CptsName)).ToList();
            foreach (var cpts in structures)
                entries.Add(Include(cached, "HealthcareService", CptsId(cpts.Finess), cpts.Name, cpts, static c => ToHealthcareService(c.Finess, c.Name), fhirBase));
            if (r.IncludeOrganization)
                foreach (var cpts in structures)
                    entries.Add(Include(cached, "Organization", CptsId(cpts.Finess), cpts.Name, cpts, static c => ToOrganization(c.Finess, c.Name), fhirBase));
        }
        if (ctx.Warnings is { Count: > 0 } warnings)
            entries.Add(SearchsetBundle.Entry(fhirBase, null, Guid.NewGuid().ToString(), FhirResult.SerializeToUtf8(FhirResult.Warnings(warnings)), "outcome"));
        return new SearchsetBundle(BundleIds.Next(), r.IsCptsFlow ? FhirCodes.CptsBundleProfile : FhirCodes.BundleProfile,
            ctx.NowUtc, ctx.Total, ctx.SelfUrl, ctx.NextUrl, entries);
    }

    private Slot ToSlot(FreeSlot free, Context ctx)
    {
        var (row, finess) = (free.Slot, free.Sector.CptsFiness);
        var zone = Sas.Domain.Time.Zones.Find(free.Sector.TimeZone);
        var cpts = ctx.Request.IsCptsFlow && finess is not null;
        var slot = new Slot
        {
            Id = row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Meta = new Meta
            {
                Profile = [cpts ? FhirCodes.CptsSlotProfile : FhirCodes.SlotProfile],
                // Every slot here is offered to SAS regulation only: SNP, or CPTS when it is the CPTS's slot.
                Security = [new Coding(FhirCodes.SlotTypeSystem, cpts ? FhirCodes.SlotTypeCpts : FhirCodes.SlotTypeSnp)],
            },
            ServiceType = [ConsultationType(row.Modality)],
            Specialty = Specialties(free.Practice),
            AppointmentType = Coded(FhirCodes.AppointmentTypeSystem, "ROUTINE"),
            Schedule = new ResourceReference($"Schedule/{free.Practice.RoleId}"),
            Status = Slot.SlotStatus.Free,
            StartElement = new Instant { JsonValue = FhirInstants.Format(row.StartUtc, zone) },
            EndElement = new Instant { JsonValue = FhirInstants.Format(row.EndUtc, zone) },
            // The GP's agenda in the console, this slot first: where the platform sends the regulator who picked it.
            Comment = Console.AgendaLink.For(ctx.AgendaBase ?? ctx.BaseUrl, free.Practice.Rpps, row.Id),
        };
        if (cpts)
        {
            var serviceType = Coded(FhirCodes.EstablishmentCategorySystem, FhirCodes.CptsCategory);
            serviceType.Extension.Add(new Extension(FhirCodes.ServiceTypeReferenceExtension, new ResourceReference($"HealthcareService/{CptsId(finess!)}")));
            slot.ServiceType.Add(serviceType);
        }
        return slot;
    }

    /// <summary>
    /// A code without text: the platform reads <c>serviceType.text</c> as the consultation's reason (the
    /// guide's "Visite de contrôle"), so words like "ambulatory" there would be shown as one.
    /// </summary>
    private static CodeableConcept Coded(string system, string code) => new() { Coding = [new Coding(system, code)] };

    /// <summary>The guide's TypeConsultation codes (v3-ActCode): at the practice, at home, by video.</summary>
    private static CodeableConcept ConsultationType(string modality) => SlotText.ParseModality(modality) switch
    {
        Modality.HomeVisit => Coded(FhirCodes.ActCodeSystem, "HH"),
        Modality.Teleconsultation => Coded(FhirCodes.ActCodeSystem, "VR"),
        _ => Coded(FhirCodes.ActCodeSystem, "AMB"),
    };

    /// <summary>TRE_R38: general medicine for a GP, a physician's own specialty; none for the other professions.</summary>
    private static List<CodeableConcept> Specialties(FhirPractice p) =>
        Professions.SlotSpecialty(p.Profession, p.Specialty) is { } code ? [Coded(FhirCodes.SpecialtySystem, code)] : [];

    /// <summary>TRE_G15: the professional's profession (médecin, infirmier…), which tells a nurse's slot from a GP's.</summary>
    private static List<CodeableConcept> ProfessionCodes(FhirPractice p) =>
        Professions.Find(p.Profession) is { } profession ? [Coded(FhirCodes.ProfessionSystem, profession.Code)] : [];

    private static Schedule ToSchedule(FhirPractice p) => new()
    {
        Id = p.RoleId,
        Meta = new Meta { Profile = [FhirCodes.ScheduleProfile] },
        Active = true,
        Actor = [new ResourceReference($"Practitioner/{p.Rpps}"), new ResourceReference($"PractitionerRole/{p.RoleId}")],
    };

    private static Practitioner ToPractitioner(FhirPractice p) => new()
    {
        Id = p.Rpps,
        Meta = new Meta { Profile = [FhirCodes.PractitionerProfile] },
        Identifier = [FhirIdentifiers.Practitioner(p.Rpps)],
        Name = [new HumanName { Family = p.LastName, Given = [p.FirstName] }],
    };

    /// <summary>
    /// The GP at one practice site: the site as a contained Location (its internal identifier under the editor's
    /// system, its own postal code) and the practice's structure as the organization, by its IDNST.
    /// </summary>
    private PractitionerRole ToPractitionerRole(FhirPractice p)
    {
        const string locationId = "location";
        var commune = geography.FindCommune(p.SiteCommune);
        var location = new Location
        {
            Id = locationId,
            Meta = new Meta { Profile = [FhirCodes.LocationProfile] },
            Identifier = [FhirIdentifiers.Typed(FhirCodes.LocationIdentifierTypeSystem, FhirCodes.Intrn, options.SiteIdentifierSystem, $"{p.Rpps}/{p.SiteId}")],
            Name = p.SiteName,
            Address = new Address
            {
                Line = p.SiteAddress is null ? [] : [p.SiteAddress],
                City = commune?.Name,
                // A site written before sites had a postal code: its commune's, the first when it has several.
                PostalCode = p.SitePostalCode ?? commune?.PostalCodes.FirstOrDefault(),
                Country = "FR",
            },
        };
        var role = new PractitionerRole
        {
            Id = p.RoleId,
            Meta = new Meta { Profile = [FhirCodes.PractitionerRoleProfile] },
            Contained = [location],
            Practitioner = new ResourceReference($"Practitioner/{p.Rpps}"),
            Code = ProfessionCodes(p),
            Specialty = Specialties(p),
            Location = [new ResourceReference("#" + locationId)],
        };
        if (p.SiteStructureId is { } idnst)
            role.Organization = new ResourceReference { Identifier = FhirIdentifiers.Typed(FhirCodes.Idnst, FhirCodes.IdnstSystem, idnst) };
        return role;
    }

    private static HealthcareService ToHealthcareService(string finess, string? name) => new()
    {
        Id = CptsId(finess),
        Meta = new Meta { Profile = [FhirCodes.HealthcareServiceProfile] },
        Name = name,
        ProvidedBy = new ResourceReference($"Organization/{CptsId(finess)}"),
    };

    private static Organization ToOrganization(string finess, string? name) => new()
    {
        Id = CptsId(finess),
        Meta = new Meta { Profile = [FhirCodes.OrganizationProfile] },
        Identifier = [FhirIdentifiers.Typed(FhirCodes.LocationIdentifierTypeSystem, FhirCodes.Idnst, FhirCodes.IdnstSystem, "1" + finess)],
        Name = name,
    };

    /// <summary>
    /// One PractitionerRole (and Schedule) per GP and practice site. Site ids allow characters a FHIR id
    /// does not (<c>_</c>, <c>:</c>), so the site is hashed: stable, valid, and never longer than 64.
    /// </summary>
    public static string RoleId(string rpps, string siteId) => RoleIds.GetOrAdd((rpps, siteId), static k =>
        $"{k.Rpps}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(k.SiteId)))[..12]}");

    /// <summary>Role ids already computed (a hash per GP and site, asked for on every answer); bounded by the GPs' sites.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Rpps, string SiteId), string> RoleIds = new();

    public static string CptsId(string finess) => $"cpts-{finess}";

    /// <summary>
    /// A searchset's id: unique, never meaningful. This process's random prefix and a counter: a new random id per answer
    /// asked the kernel for random bytes every time (2 % of the platform's query).
    /// </summary>
    private static class BundleIds
    {
        private static readonly string Prefix = Guid.NewGuid().ToString("N")[..20];
        private static long counter;

        public static string Next() => $"{Prefix}-{Interlocked.Increment(ref counter):x}";
    }
}
