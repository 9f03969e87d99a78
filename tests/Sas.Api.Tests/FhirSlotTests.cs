// Firely marks every element nullable; these tests assert presence explicitly, so the warnings add nothing here.
#nullable disable warnings
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>The API as an admin key may call /fhir (a local demo): these tests are about the answers, mTLS has its own.</summary>
public sealed class FhirApiFactory : SasApiFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Fhir:AllowApiKeys", "true"),
        new("Fhir:PublicBaseUrl", "https://agenda.cpts.test"),
        new("Console:PublicBaseUrl", "https://console.sas.test/"),
    ];
}

/// <summary>
/// The slot aggregation of the ANS SAS guide (flows INT_R01 and INT_R04), checked against the ANS
/// test kit's requirement list (agg-psindiv@N, named in each test) on bundles parsed by the Firely SDK.
/// One GP practises at two sites with slots in every state; a second GP has one slot; a third has none.
/// </summary>
public sealed class FhirSlotTests(FhirApiFactory api) : IClassFixture<FhirApiFactory>, IAsyncLifetime
{
    private readonly World world = new(api);
    private string sector = "", cpts = "", gp = "", otherGp = "", idleGp = "";
    private readonly Dictionary<string, long> slots = [];
    private static readonly DateTimeOffset Now = SasApiFactory.Start;
    private static readonly Regex GuideInstant = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000[+-]\d{2}:\d{2}$");

    public async Task InitializeAsync()
    {
        sector = await world.Sector(communes: ["44109"], horizon: 48);
        cpts = await world.Cpts(sector);
        gp = await world.Practitioner([sector], null, 0, "cab", "annexe_2:b");
        otherGp = await world.Practitioner([sector]);
        idleGp = await world.Practitioner([sector]);
        slots["free"] = await world.PublishedSlot(gp, TimeSpan.FromHours(2), sector);
        slots["home"] = await world.PublishedSlot(gp, TimeSpan.FromHours(3), sector, site: "annexe_2:b", modality: "home_visit");
        slots["tele"] = await world.PublishedSlot(gp, TimeSpan.FromHours(3.5), sector, modality: "teleconsultation");
        slots["booked"] = await world.PublishedSlot(gp, TimeSpan.FromHours(4), sector);
        slots["withdrawn"] = await world.PublishedSlot(gp, TimeSpan.FromHours(5), sector);
        slots["held"] = await world.PublishedSlot(gp, TimeSpan.FromHours(6), sector);
        slots["lapsed"] = await world.PublishedSlot(gp, TimeSpan.FromHours(7), sector);
        slots["expired"] = await world.PublishedSlot(gp, TimeSpan.FromHours(8), sector);
        slots["cutoff"] = await world.PublishedSlot(gp, TimeSpan.FromMinutes(5), sector);
        slots["beyond"] = await world.PublishedSlot(gp, TimeSpan.FromHours(50), sector);
        slots["other"] = await world.PublishedSlot(otherGp, TimeSpan.FromHours(2), sector);
        api.SetSlotState(slots["booked"], "booked");
        api.SetSlotState(slots["withdrawn"], "withdrawn");
        api.SetSlotState(slots["expired"], "expired");
        api.SetSlotState(slots["held"], "held", "someone", Now.UtcDateTime.AddMinutes(5));
        api.SetSlotState(slots["lapsed"], "held", "someone", Now.UtcDateTime.AddMinutes(-1));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly DateTimeOffset From = Now.ToOffset(TimeSpan.FromHours(1));
    private static readonly DateTimeOffset To = new(From.Date.AddDays(3).AddSeconds(-1), TimeSpan.FromHours(1)); // end of D+2, as the test kit asks

    private async Task<(Bundle Bundle, string Query)> Search(bool cpts = false, params string[] rpps)
    {
        var query = FhirBundles.GuideQuery(From, To, cpts, rpps.Length == 0 ? [gp] : rpps);
        var bundle = await (await api.Admin().GetAsync("/fhir/Slot?" + query)).ExpectFhir<Bundle>(HttpStatusCode.OK);
        return (bundle, query);
    }

    private List<long> SlotIds(Bundle b) => b.All<Slot>().Select(s => long.Parse(s.Id)).ToList();

    [Fact]
    public async Task Req4_13_14_26_to_30_the_guide_query_answers_a_searchset_bundle_whose_total_counts_its_slots()
    {
        var (bundle, query) = await Search();
        Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
        Assert.Equal(bundle.All<Slot>().Count(), bundle.Total);
        Assert.All(bundle.Entry.Where(e => e.Resource is Slot), e => Assert.Equal(Bundle.SearchEntryMode.Match, e.Search.Mode));
        Assert.All(bundle.Entry.Where(e => e.Resource is not Slot), e => Assert.Equal(Bundle.SearchEntryMode.Include, e.Search.Mode));
        Assert.All(bundle.Entry, e => Assert.Equal($"https://agenda.cpts.test/fhir/{e.Resource.TypeName}/{e.Resource.Id}", e.FullUrl));
        // The self link is the request (the kit compares their query strings).
        var self = Assert.Single(bundle.Link, l => l.Relation == "self");
        Assert.Equal("https://agenda.cpts.test/fhir/Slot?" + query, self.Url);
    }

    [Fact]
    public async Task A_second_answer_has_the_same_entries_from_the_cache()
    {
        var query = FhirBundles.GuideQuery(From, To, false, [gp]);
        async Task<string> Entries() =>
            System.Text.Json.Nodes.JsonNode.Parse(await (await api.Admin().GetAsync("/fhir/Slot?" + query)).Content.ReadAsStringAsync())!["entry"]!.ToJsonString();
        var first = await Entries();  // written
        Assert.Contains("\"mode\":\"match\"", first, StringComparison.Ordinal);
        Assert.Equal(first, await Entries()); // kept
    }

    [Fact]
    public async Task Req5_6_7_slots_start_in_the_window_and_never_in_the_past()
    {
        var (bundle, _) = await Search();
        Assert.NotEmpty(bundle.All<Slot>());
        Assert.All(bundle.All<Slot>(), s => Assert.InRange(DateTimeOffset.Parse(s.StartElement.JsonValue!.ToString()!), Now, To));

        // A narrower window filters: only the slot starting between +1h30 and +2h30.
        var narrow = $"start=ge{Uri.EscapeDataString(Now.AddHours(1.5).ToString("yyyy-MM-dd'T'HH:mm:ss'.000'zzz"))}&start=le{Uri.EscapeDataString(Now.AddHours(2.5).ToString("yyyy-MM-dd'T'HH:mm:ss'.000'zzz"))}"
            + $"&schedule.actor:Practitioner.identifier={FhirBundles.Identifiers(gp)}";
        var b = await (await api.Admin().GetAsync("/fhir/Slot?" + narrow)).ExpectFhir<Bundle>(HttpStatusCode.OK);
        Assert.Equal([slots["free"]], SlotIds(b));
    }

    [Fact]
    public async Task Req8_a_gp_without_free_slots_gets_an_empty_bundle()
    {
        var (bundle, _) = await Search(false, idleGp);
        Assert.Equal(0, bundle.Total);
        Assert.Empty(bundle.Entry);
    }

    [Fact]
    public async Task Req9_10_11_12_47_only_free_slots_are_sent_each_with_start_end_and_its_schedule()
    {
        var (bundle, _) = await Search();
        // Booked, withdrawn, held, expired, inside the cut-off or beyond the sector's horizon: never sent. A lapsed hold is free again.
        Assert.Equal(new[] { slots["free"], slots["home"], slots["tele"], slots["lapsed"] }, SlotIds(bundle));
        foreach (var slot in bundle.All<Slot>())
        {
            Assert.Equal(Slot.SlotStatus.Free, slot.Status);
            Assert.Equal(["http://sas.fr/fhir/StructureDefinition/FrSlotAgregateur"], slot.Meta.Profile); // one profile: the kit compares it to one URL
            Assert.True(DateTimeOffset.Parse(slot.StartElement.JsonValue!.ToString()!) < DateTimeOffset.Parse(slot.EndElement.JsonValue!.ToString()!));
            bundle.Resolve<Schedule>(slot.Schedule);
        }
    }

    [Fact]
    public async Task Req15_16_17_18_32_33_36_one_practitioner_per_gp_by_idnps_with_name_and_no_telecom()
    {
        var (bundle, _) = await Search(false, gp, otherGp);
        var practitioners = bundle.All<Practitioner>().ToList();
        Assert.Equal(2, practitioners.Count);
        foreach (var p in practitioners)
        {
            Assert.Contains("http://sas.fr/fhir/StructureDefinition/FrPractitionerAgregateur", p.Meta.Profile);
            var id = Assert.Single(p.Identifier);
            Assert.Equal(FhirBundles.IdnpsSystem, id.System);
            Assert.Equal("IDNPS", Assert.Single(id.Type.Coding).Code);
            Assert.Matches("^8[0-9]{11}$", id.Value);
            Assert.StartsWith("Docteur", Assert.Single(p.Name).Family);
            Assert.Equal("Jeanne", Assert.Single(Assert.Single(p.Name).Given));
            Assert.Empty(p.Telecom);
        }
        Assert.Equal(new[] { "8" + gp, "8" + otherGp }.Order(), practitioners.Select(p => p.Identifier[0].Value).Order());
    }

    [Fact]
    public async Task Req19_20_21_22_31_37_to_40_a_role_per_site_with_its_structure_and_contained_address()
    {
        var (bundle, _) = await Search();
        var roles = bundle.All<PractitionerRole>().ToList();
        Assert.Equal(2, roles.Count); // two practice sites
        foreach (var role in roles)
        {
            Assert.Contains("http://sas.fr/fhir/StructureDefinition/FrPractitionerRoleExerciceAgregateur", role.Meta.Profile);
            Assert.Equal("8" + gp, bundle.Resolve<Practitioner>(role.Practitioner).Identifier[0].Value);
            Assert.Equal("urn:oid:1.2.250.1.71.4.2.2", role.Organization.Identifier.System);
            Assert.Equal("IDNST", role.Organization.Identifier.Type.Coding[0].Code);
            Assert.Equal("3" + World.Siret, role.Organization.Identifier.Value); // the GP's own practice, not the CPTS
            var location = Assert.IsType<Location>(Assert.Single(role.Contained));
            Assert.Equal("#" + location.Id, Assert.Single(role.Location).Reference);
            Assert.Equal("1 rue de la Santé", Assert.Single(location.Address.Line));
            Assert.Equal("Nantes", location.Address.City);
            Assert.Equal("44000", location.Address.PostalCode); // the site's own, given with it
            var identifier = Assert.Single(location.Identifier);
            Assert.Equal(("INTRN", "urn:sas-booking-api:site"), (identifier.Type.Coding[0].Code, identifier.System));
        }
    }

    [Fact]
    public async Task Each_slot_is_held_to_its_own_sectors_horizon_in_one_answer()
    {
        // The database is asked up to the longest horizon of any sector; each slot then to its own sector's.
        var daySector = await world.Sector(communes: ["44109"], horizon: 24);
        var both = await world.Practitioner([sector, daySector]);
        var inLongSector = await world.PublishedSlot(both, TimeSpan.FromHours(30), sector);
        await world.PublishedSlot(both, TimeSpan.FromHours(31), daySector);
        var inDaySector = await world.PublishedSlot(both, TimeSpan.FromHours(20), daySector);
        var (bundle, _) = await Search(false, both);
        Assert.Equal(new[] { inDaySector, inLongSector }, SlotIds(bundle));
        Assert.Equal(2, bundle.Total);
    }

    [Fact]
    public async Task Req23_46_slots_are_typed_snp_reserved_to_regulators()
    {
        var (bundle, _) = await Search();
        Assert.All(bundle.All<Slot>(), s => Assert.Equal("SNP", s.SlotType()));
    }

    [Fact]
    public async Task Req24_48_the_consultation_type_follows_the_modality()
    {
        var (bundle, _) = await Search();
        string TypeOf(long id) => Assert.Single(bundle.All<Slot>().Single(s => s.Id == id.ToString()).ServiceType[0].Coding).Code;
        Assert.Equal("AMB", TypeOf(slots["free"]));
        Assert.Equal("HH", TypeOf(slots["home"]));
        Assert.Equal("VR", TypeOf(slots["tele"]));
        Assert.All(bundle.All<Slot>(), s => Assert.Equal("http://terminology.hl7.org/CodeSystem/v3-ActCode", s.ServiceType[0].Coding[0].System));
    }

    [Fact]
    public async Task Req25_41_49_each_slot_carries_its_booking_link_general_medicine_and_routine()
    {
        var (bundle, _) = await Search();
        foreach (var slot in bundle.All<Slot>())
        {
            // The GP's agenda in the console, at the console's public address, the slot preselected, a query string ready
            // for the platform's "&origin=sas".
            // The search asks for one GP's slots.
            Assert.Equal($"https://console.sas.test/console/agenda/{gp}?creneau={slot.Id}", slot.Comment);
            Assert.Equal("SM54", Assert.Single(Assert.Single(slot.Specialty).Coding).Code);
            Assert.Equal("ROUTINE", Assert.Single(slot.AppointmentType.Coding).Code);
        }
    }

    [Fact]
    public async Task Req42_43_a_gp_at_two_sites_has_one_schedule_per_role_each_naming_the_gp_and_its_role()
    {
        var (bundle, _) = await Search();
        Assert.Single(bundle.All<Practitioner>());
        var schedules = bundle.All<Schedule>().ToList();
        Assert.Equal(2, schedules.Count);
        foreach (var schedule in schedules)
        {
            Assert.Contains("http://sas.fr/fhir/StructureDefinition/FrScheduleAgregateur", schedule.Meta.Profile);
            Assert.Equal(2, schedule.Actor.Count);
            bundle.Resolve<Practitioner>(schedule.Actor.Single(a => a.Reference.StartsWith("Practitioner/")));
            bundle.Resolve<PractitionerRole>(schedule.Actor.Single(a => a.Reference.StartsWith("PractitionerRole/")));
        }
        // The home visit is at the annexe, the others at the main practice: two schedules, each used.
        var bySchedule = bundle.All<Slot>().GroupBy(s => s.Schedule.Reference).ToDictionary(g => g.Key, g => g.Select(s => long.Parse(s.Id)).ToList());
        Assert.Equal(2, bySchedule.Count);
        Assert.Contains(bySchedule.Values, ids => ids.SequenceEqual([slots["home"]]));
    }

    [Fact]
    public async Task Req44_several_gps_in_one_search_keep_their_resources_apart()
    {
        var (bundle, _) = await Search(false, gp, otherGp, idleGp);
        Assert.Equal(2, bundle.All<Practitioner>().Count());
        Assert.Equal(3, bundle.All<PractitionerRole>().Count());
        Assert.Equal(3, bundle.All<Schedule>().Count());
        var other = bundle.All<Slot>().Single(s => s.Id == slots["other"].ToString());
        var role = bundle.Resolve<PractitionerRole>(bundle.Resolve<Schedule>(other.Schedule).Actor.Single(a => a.Reference.StartsWith("PractitionerRole/")));
        Assert.Equal("8" + otherGp, bundle.Resolve<Practitioner>(role.Practitioner).Identifier[0].Value);
    }

    [Fact]
    public async Task Req45_instants_are_written_with_milliseconds_and_the_sector_offset()
    {
        var (bundle, _) = await Search();
        var free = bundle.All<Slot>().Single(s => s.Id == slots["free"].ToString());
        Assert.Equal(Now.AddHours(2).ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:ss'.000+01:00'"), free.StartElement.JsonValue);
        Assert.All(bundle.All<Slot>(), s =>
        {
            Assert.Matches(GuideInstant, s.StartElement.JsonValue!.ToString()!);
            Assert.Matches(GuideInstant, s.EndElement.JsonValue!.ToString()!);
        });
    }

    [Fact]
    public async Task Req45_the_answer_text_itself_carries_the_offset_and_the_self_link_unescaped()
    {
        // A platform may check an instant's text without a JSON parser: "+01:00", never "\u002B01:00".
        var query = FhirBundles.GuideQuery(From, To, false, gp);
        var body = await (await api.Admin().GetAsync("/fhir/Slot?" + query)).Content.ReadAsStringAsync();
        var free = Now.AddHours(2).ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:ss'.000+01:00'");
        Assert.Contains($"\"start\":\"{free}\"", body);
        Assert.Contains($"\"url\":\"https://agenda.cpts.test/fhir/Slot?{query}\"", body);
        Assert.DoesNotContain("\\u00", body);
    }

    [Fact]
    public async Task Cpts_flow_ties_each_slot_to_its_cpts_as_healthcare_service_and_organization()
    {
        var (bundle, _) = await Search(cpts: true);
        var services = bundle.All<HealthcareService>().ToList();
        var organizations = bundle.All<Organization>().ToList();
        Assert.Single(services);
        Assert.Equal(services.Count, organizations.Count);
        Assert.Equal(["https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-healthcareservice-aggregator"], services[0].Meta.Profile);
        Assert.Equal(["https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-organization-aggregator"], organizations[0].Meta.Profile);
        Assert.Equal("http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type", organizations[0].Identifier[0].Type.Coding[0].System); // as the 1.1.0 package requires
        var org = bundle.Resolve<Organization>(services[0].ProvidedBy);
        Assert.Matches("^1[0-9]{9}$", Assert.Single(org.Identifier).Value);
        Assert.Equal("1" + cpts, org.Identifier[0].Value);
        foreach (var slot in bundle.All<Slot>())
        {
            Assert.Equal(["https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-slot-aggregator"], slot.Meta.Profile);
            Assert.Equal("CPTS", slot.SlotType());
            var cptsType = Assert.Single(slot.ServiceType, t => t.Coding.Any(c => c.Code == "604"));
            var ext = Assert.Single(cptsType.Extension);
            Assert.Equal("http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType", ext.Url);
            bundle.Resolve<HealthcareService>(Assert.IsType<ResourceReference>(ext.Value));
        }
    }

    [Theory]
    [InlineData("&status=busy", "status")]
    [InlineData("&start=ge23-11-2026", "start")]
    [InlineData("&_format=xml", "_format")]
    [InlineData("&_count=0", "_count")]
    public async Task Malformed_or_unservable_parameters_answer_400_operation_outcome_naming_them(string extra, string parameter)
    {
        var query = FhirBundles.GuideQuery(From, To, false, gp) + extra;
        var outcome = await (await api.Admin().GetAsync("/fhir/Slot?" + query)).ExpectFhir<OperationOutcome>(HttpStatusCode.BadRequest);
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Expression.Contains(parameter));
    }

    [Theory]
    [InlineData("_sort=start")]
    [InlineData("_total=accurate")]
    [InlineData("_include=Schedule:actor")]
    [InlineData("_include=Slot:practitioner")]
    public async Task Unsupported_parameters_are_ignored_and_left_out_of_the_self_link_unless_strict_handling_is_asked(string extra)
    {
        var query = FhirBundles.GuideQuery(From, To, false, gp);
        var (plain, _) = await Search();
        var response = await api.Admin().GetAsync($"/fhir/Slot?{query}&{extra}&_elements=id");
        var bundle = await response.ExpectFhir<Bundle>(HttpStatusCode.OK);
        Assert.Equal(SlotIds(plain), SlotIds(bundle));
        var self = Assert.Single(bundle.Link, l => l.Relation == "self").Url;
        Assert.EndsWith("/fhir/Slot?" + query, self); // as sent, less what was ignored
        var outcome = Assert.IsType<OperationOutcome>(Assert.Single(bundle.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Outcome).Resource);
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Warning && i.Expression.Contains(extra.Split('=')[0]));
        Assert.Contains(outcome.Issue, i => i.Expression.Contains("_elements"));

        var strict = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Slot?{query}&{extra}");
        strict.Headers.Add("Prefer", "handling=strict");
        var refused = await (await api.Admin().SendAsync(strict)).ExpectFhir<OperationOutcome>(HttpStatusCode.BadRequest);
        Assert.Contains(refused.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Expression.Contains(extra.Split('=')[0]));
    }

    [Fact]
    public async Task Req4_the_kits_valid_certificate_query_self_link_echoes_the_request()
    {
        var (bundle, query) = await Search();
        Assert.Equal($"https://agenda.cpts.test/fhir/Slot?{query}", Assert.Single(bundle.Link, l => l.Relation == "self").Url);
        Assert.DoesNotContain(bundle.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Outcome);
    }

    [Theory]
    [InlineData("urn:oid:1.2.250.1.71.4.2.1|0441234567", "ADELI")]           // an ADELI IDNPS: a form the guide allows
    [InlineData("urn:oid:1.2.250.1.71.4.2.1|810000000001", "check digit")]   // an RPPS with a bad key
    [InlineData("urn:oid:1.2.250.1.71.4.2.2|810000000009", "system")]        // a structure's OID
    [InlineData(" urn:oid:1.2.250.1.71.4.2.1|0441234567", "ADELI")]          // a space after the comma
    public async Task An_unusable_identifier_is_reported_in_an_outcome_entry_and_the_other_gps_slots_are_answered(string bad, string why)
    {
        var (plain, _) = await Search(false, gp, otherGp);
        var identifiers = FhirBundles.Identifiers(gp, otherGp) + Uri.EscapeDataString("," + bad);
        var query = FhirBundles.GuideQuery(From, To, false, gp).Replace(FhirBundles.Identifiers(gp), identifiers, StringComparison.Ordinal);
        var bundle = await (await api.Admin().GetAsync("/fhir/Slot?" + query)).ExpectFhir<Bundle>(HttpStatusCode.OK);
        Assert.Equal(SlotIds(plain), SlotIds(bundle));
        Assert.Equal(plain.Total, bundle.Total);
        var outcome = Assert.IsType<OperationOutcome>(Assert.Single(bundle.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Outcome).Resource);
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(OperationOutcome.IssueSeverity.Warning, issue.Severity);
        Assert.Contains(why, issue.Diagnostics);
    }

    [Fact]
    public async Task The_kits_cpts_valid_certificate_query_is_answered_200_with_its_two_identifiers_reported()
    {
        // The kit's query as it sends it (mtls_group.rb): two RPPS GPs no practice here registered.
        var query = "_include=Slot:schedule,Slot:service-type-reference&_include:iterate=Schedule:actor,HealthcareService:organization&status=free"
            + $"&start=ge{Uri.EscapeDataString(From.ToString("yyyy-MM-dd'T'HH:mm:ss'.000'"))}&start=le{Uri.EscapeDataString(To.ToString("yyyy-MM-dd'T'HH:mm:ss'.000'"))}"
            + "&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1%7C810002909371,urn:oid:1.2.250.1.71.4.2.1%7C810001288385";
        var bundle = await (await api.Admin().GetAsync("/fhir/Slot?" + query)).ExpectFhir<Bundle>(HttpStatusCode.OK);
        Assert.Equal(0, bundle.Total);
        Assert.Empty(bundle.All<Slot>());
    }

    [Fact]
    public async Task Twenty_six_identifiers_are_refused()
    {
        var many = string.Join(',', Enumerable.Range(0, 26).Select(_ => $"{FhirBundles.IdnpsSystem}|8{gp}"));
        var query = $"start=ge2026-11-23&start=le2026-11-24&schedule.actor:Practitioner.identifier={Uri.EscapeDataString(many)}";
        var outcome = await (await api.Admin().GetAsync("/fhir/Slot?" + query)).ExpectFhir<OperationOutcome>(HttpStatusCode.BadRequest);
        Assert.Contains(outcome.Issue, i => i.Diagnostics.Contains("25"));
    }

    [Fact]
    public async Task Count_pages_the_answer_and_the_next_links_bring_every_slot_once()
    {
        var (all, query) = await Search(false, gp, otherGp);
        var seen = new List<long>();
        var url = "/fhir/Slot?" + query.Replace("_count=1000", "_count=2", StringComparison.Ordinal);
        for (var page = 0; url is not null && page < 10; page++)
        {
            var bundle = await (await api.Admin().GetAsync(url)).ExpectFhir<Bundle>(HttpStatusCode.OK);
            Assert.True(bundle.All<Slot>().Count() <= 2);
            Assert.Equal(all.Total, bundle.Total); // the total of the whole search, on every page
            seen.AddRange(SlotIds(bundle));
            // Each page includes what its own slots refer to.
            foreach (var slot in bundle.All<Slot>()) bundle.Resolve<Schedule>(slot.Schedule);
            url = bundle.Link.SingleOrDefault(l => l.Relation == "next")?.Url is { } next ? new Uri(next).PathAndQuery : null;
        }
        Assert.Null(url);
        Assert.Equal(SlotIds(all), seen);
        Assert.True(seen.Count > 2);
    }

    [Fact]
    public async Task Unknown_fhir_routes_and_methods_answer_an_operation_outcome()
    {
        var missing = await (await api.Admin().GetAsync("/fhir/Nothing")).ExpectFhir<OperationOutcome>(HttpStatusCode.NotFound);
        Assert.Equal(OperationOutcome.IssueType.NotFound, missing.Issue[0].Code);
        await (await api.Admin().DeleteAsync("/fhir/Slot")).ExpectFhir<OperationOutcome>(HttpStatusCode.MethodNotAllowed);
        await (await api.Admin().GetAsync("/v1/nothing")).ExpectProblem(HttpStatusCode.NotFound, "not_found"); // elsewhere, problem+json
    }

    [Fact]
    public async Task Without_credentials_or_with_a_regulator_key_fhir_is_closed_with_an_operation_outcome()
    {
        var query = FhirBundles.GuideQuery(From, To, false, gp);
        var anonymous = await (await api.Anonymous().GetAsync("/fhir/Slot?" + query)).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
        Assert.Equal(OperationOutcome.IssueType.Login, anonymous.Issue[0].Code);
        var regulator = await world.ClientFor("regulator", "44");
        await (await regulator.GetAsync("/fhir/Slot?" + query)).ExpectFhir<OperationOutcome>(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_gp_or_site_changed_in_the_api_shows_in_the_next_bundle_not_a_cached_copy()
    {
        var renamed = await world.Practitioner([sector]);
        await world.PublishedSlot(renamed, TimeSpan.FromHours(2), sector);
        var before = (await Search(false, renamed)).Bundle;
        Assert.StartsWith("Docteur", Assert.Single(Assert.Single(before.All<Practitioner>()).Name).Family);

        await (await api.Admin().PutJson($"/v1/practitioners/{renamed}", new
        {
            firstName = "Jeanne", lastName = "Mariée", sectors = new[] { sector },
            sites = new[] { new { id = "cab", name = "Cabinet déménagé", address = "2 place Royale", commune = "44109", postalCode = "44000" } },
        })).Expect(HttpStatusCode.OK);

        var after = (await Search(false, renamed)).Bundle;
        Assert.Equal("Mariée", Assert.Single(Assert.Single(after.All<Practitioner>()).Name).Family);
        var location = Assert.IsType<Location>(Assert.Single(Assert.Single(after.All<PractitionerRole>()).Contained));
        Assert.Equal("2 place Royale", Assert.Single(location.Address.Line));
        Assert.Equal("Cabinet déménagé", location.Name);
    }

    [Fact]
    public async Task The_start_up_warm_up_builds_a_whole_bundle_but_caches_nothing()
    {
        var cache = api.Services.GetRequiredService<Sas.Api.Fhir.FhirEntryCache>();
        var (first, _) = await Search();
        var cached = cache.Count;
        Assert.True(cached > 0);
        api.Services.GetRequiredService<Sas.Api.Fhir.SlotBundleBuilder>().WarmUp();
        Assert.Equal(cached, cache.Count); // its made-up slot and GP never reach an answer
        Assert.Contains(api.Services.GetServices<IHostedService>(), s => s is Sas.Api.Fhir.FhirWarmUp);
        Assert.Equal(SlotIds(first), SlotIds((await Search()).Bundle));
    }

    [Fact]
    public async Task The_capability_statement_describes_the_slot_search_and_the_regulator_accounts()
    {
        var statement = await (await api.Anonymous().GetAsync("/fhir/metadata")).ExpectFhir<CapabilityStatement>(HttpStatusCode.OK);
        Assert.Equal(["https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-PsIndiv"], statement.Instantiates);
        var resources = Assert.Single(statement.Rest).Resource;
        var slot = Assert.Single(resources, r => r.Type == "Slot");
        Assert.Equal("http://sas.fr/fhir/StructureDefinition/FrSlotAgregateur", slot.Profile);
        Assert.Equal(["start", "status", "schedule.actor:Practitioner.identifier", "_count"], slot.SearchParam.Select(p => p.Name));
        Assert.Equal(["Slot:schedule", "Slot:service-type-reference"], slot.SearchInclude);
        var accounts = Assert.Single(resources, r => r.Type == "Practitioner");
        Assert.True(accounts.ConditionalUpdate);
        Assert.Equal([CapabilityStatement.TypeRestfulInteraction.Create, CapabilityStatement.TypeRestfulInteraction.Update, CapabilityStatement.TypeRestfulInteraction.Read],
            accounts.Interaction.Select(i => i.Code));
    }
}
