// Firely marks every element nullable; these tests assert presence explicitly, so the warnings add nothing here.
#nullable disable warnings
using System.Net;
using System.Text;
using Hl7.Fhir.Model;
using Sas.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace Sas.Api.Tests;

/// <summary>
/// Flow INT_R02: the SAS platform creates and updates its regulators' accounts here (FrPractitionerRegul). Each test is
/// named after the ANS test kit's test it answers (lib/sas_test_kit/prise_de_rendez_vous, flux V1).
/// </summary>
public sealed class RegulatorAccountTests(FhirApiFactory api) : IClassFixture<FhirApiFactory>
{
    public const string Idnps = "urn:oid:1.2.250.1.71.4.2.1", SasId = "urn:oid:1.2.250.1.213.3.6";

    /// <summary>A regulator account as the kit builds it (HelperFLuxv1.build_regulateur_body).</summary>
    public static string Account(string system, string value, string email, bool active = true, string family = "Loridon", string given = "Sébastien",
        string? typeCode = null, string telecomSystem = "email") => $$"""
        {"resourceType":"Practitioner","id":"kit-resource-id",
         "meta":{"source":"urn:oid:1.2.250.1.213.3.6","profile":["https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul"]},
         "identifier":[{"type":{"coding":[{"system":"http://interopsante.org/fhir/CodeSystem/fr-v2-0203","code":"{{typeCode ?? (system == Idnps ? "IDNPS" : "INTRN")}}"}]},"system":"{{system}}","value":"{{value}}"}],
         "active":{{(active ? "true" : "false")}},
         "name":[{"family":"{{family}}","given":["{{given}}"]}],
         "telecom":[{"system":"{{telecomSystem}}","value":"{{email}}"}]}
        """;

    public static HttpRequestMessage Fhir(HttpMethod method, string url, string body) => new(method, url)
    {
        Content = new StringContent(body, Encoding.UTF8, "application/fhir+json"),
    };

    private Task<HttpResponseMessage> Post(string body) => api.Admin().SendAsync(Fhir(HttpMethod.Post, "/fhir/Practitioner", body));
    private Task<HttpResponseMessage> Put(string system, string value, string body) =>
        api.Admin().SendAsync(Fhir(HttpMethod.Put, $"/fhir/Practitioner?identifier={Uri.EscapeDataString($"{system}|{value}")}", body));

    private static string NewIdnps() => $"3456780581/{Random.Shared.Next(10_000_000, 99_999_999)}";
    private static string NewEmail() => $"{Guid.NewGuid():N}@regulation.test";

    private async Task<Practitioner> Read(string id) => await (await api.Admin().GetAsync($"/fhir/Practitioner/{id}")).ExpectFhir<Practitioner>(HttpStatusCode.OK);

    [Fact]
    public async Task Kit_creation_regulateur_idnps_test_creates_the_account_and_audits_it()
    {
        var idnps = NewIdnps();
        var response = await Post(Account(Idnps, idnps, NewEmail()));
        var created = await response.ExpectFhir<Practitioner>(HttpStatusCode.Created);
        Assert.NotEqual("kit-resource-id", created.Id); // the server names what it creates
        Assert.Equal("1", created.Meta.VersionId);
        Assert.EndsWith($"/fhir/Practitioner/{created.Id}/_history/1", response.Headers.Location!.ToString());
        Assert.Equal(idnps, Assert.Single(created.Identifier).Value);
        Assert.Equal(created.Id, (await Read(created.Id)).Id);
        var trail = await (await api.Admin().GetAsync($"/v1/audit?entity=regulator&id={created.Id}")).Expect(HttpStatusCode.OK);
        Assert.Equal("create", Assert.Single(trail.GetProperty("items").EnumerateArray()).GetProperty("action").GetString());
    }

    [Fact]
    public async Task Kit_creation_regulateur_uuid_test_creates_an_account_known_by_the_platforms_id()
    {
        var uuid = Guid.NewGuid().ToString();
        var created = await (await Post(Account(SasId, uuid, NewEmail()))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var identifier = Assert.Single(created.Identifier);
        Assert.Equal((SasId, uuid, "INTRN"), (identifier.System, identifier.Value, identifier.Type.Coding[0].Code));
    }

    [Fact]
    public async Task Kit_creation_double_regulateur_uuid_test_refuses_a_second_active_account_for_the_same_identifier_or_email()
    {
        var uuid = Guid.NewGuid().ToString();
        var email = NewEmail();
        await (await Post(Account(SasId, uuid, email))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var twice = await (await Post(Account(SasId, uuid, email))).ExpectFhir<OperationOutcome>(HttpStatusCode.Conflict);
        Assert.Equal(OperationOutcome.IssueType.Duplicate, twice.Issue[0].Code);
        await (await Post(Account(SasId, Guid.NewGuid().ToString(), email.ToUpperInvariant()))).ExpectFhir<OperationOutcome>(HttpStatusCode.Conflict);
        await (await Post(Account(SasId, uuid, NewEmail()))).ExpectFhir<OperationOutcome>(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Two_platform_nodes_creating_the_same_account_at_once_make_one_account()
    {
        var uuid = Guid.NewGuid().ToString();
        var email = NewEmail();
        var answers = await Races.AllAtOnce(8, _ => Post(Account(SasId, uuid, email)));
        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.Status));
        Assert.Equal(1, api.Count($"SELECT COUNT(*) FROM regulators WHERE sas_id = '{uuid}'"));
    }

    public static TheoryData<string, string> MissingFields => new()
    {
        { """{"resourceType":"Practitioner","active":true,"name":[{"family":"A","given":["B"]}],"telecom":[{"system":"email","value":"a@b.fr"}]}""", "Practitioner.identifier" },
        { $$"""{"resourceType":"Practitioner","identifier":[{"type":{"coding":[{"system":"http://interopsante.org/fhir/CodeSystem/fr-v2-0203","code":"INTRN"}]},"system":"{{SasId}}","value":"x1"}],"active":true,"telecom":[{"system":"email","value":"a@b.fr"}]}""", "Practitioner.name.family" },
        { $$"""{"resourceType":"Practitioner","identifier":[{"type":{"coding":[{"system":"http://interopsante.org/fhir/CodeSystem/fr-v2-0203","code":"INTRN"}]},"system":"{{SasId}}","value":"x2"}],"active":true,"name":[{"family":"A","given":["B"]}]}""", "Practitioner.telecom" },
        { $$"""{"resourceType":"Practitioner","identifier":[{"type":{"coding":[{"system":"http://interopsante.org/fhir/CodeSystem/fr-v2-0203","code":"INTRN"}]},"system":"{{SasId}}","value":"x3"}],"name":[{"family":"A","given":["B"]}],"telecom":[{"system":"email","value":"a@b.fr"}]}""", "Practitioner.active" },
    };

    [Theory]
    [MemberData(nameof(MissingFields))]
    public async Task Kit_creation_regulateur_champs_manquants_test_refuses_an_account_without_a_required_element(string body, string element)
    {
        var outcome = await (await Post(body)).ExpectFhir<OperationOutcome>(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(outcome.Issue, i => i.Expression.Contains(element));
    }

    public static TheoryData<string, string> InvalidValues => new()
    {
        { Account(SasId, Guid.NewGuid().ToString(), NewEmail(), family: ""), "Practitioner.name.family" },                      // EMPTY_NAME
        { Account(SasId, Guid.NewGuid().ToString(), ""), "Practitioner.telecom" },                                                 // EMPTY_MAIL
        { Account(Idnps, NewIdnps(), NewEmail(), telecomSystem: "phone"), "Practitioner.telecom.system" },                       // WRONG_TELECOM_SYSTEM
        { Account(Idnps, "1223432432", NewEmail(), typeCode: "INTRN"), "Practitioner.identifier[0]" },                          // WRONG_CODE_FOR_IDNPS_SYSTEM
        { Account(SasId, Guid.NewGuid().ToString(), NewEmail(), typeCode: "IDNPS"), "Practitioner.identifier[0]" },              // WRONG_CODE_FOR_INTRN_SYSTEM
        { Account("urn:oid:1.2.3", "x", NewEmail(), typeCode: "INTRN"), "Practitioner.identifier[0]" },
        { Account(SasId, "a b", NewEmail()), "Practitioner.identifier[0].value" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task Kit_creation_regulateur_valeurs_invalides_refuses_invalid_values_naming_them(string body, string element)
    {
        var outcome = await (await Post(body)).ExpectFhir<OperationOutcome>(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(outcome.Issue, i => i.Expression.Contains(element));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"X"}]}""")]
    public async Task A_body_that_is_not_a_practitioner_is_a_bad_request(string body) =>
        await (await Post(body)).ExpectFhir<OperationOutcome>(HttpStatusCode.BadRequest);

    [Fact]
    public async Task Kit_modification_email_nom_prenom_regulateur_tests_update_the_account_found_by_its_identifier()
    {
        var idnps = NewIdnps();
        var created = await (await Post(Account(Idnps, idnps, NewEmail()))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var email = NewEmail();
        var updated = await (await Put(Idnps, idnps, Account(Idnps, idnps, email, family: "Loridon-modif", given: "Sébastien-modif"))).ExpectFhir<Practitioner>(HttpStatusCode.OK);
        Assert.Equal(created.Id, updated.Id);
        Assert.Equal("2", updated.Meta.VersionId);
        var read = await Read(created.Id);
        Assert.Equal(("Loridon-modif", "Sébastien-modif", email), (read.Name[0].Family, read.Name[0].Given.Single(), read.Telecom[0].Value));
        var trail = await (await api.Admin().GetAsync($"/v1/audit?entity=regulator&id={created.Id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(["create", "replace"], trail.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Kit_modification_id_and_typeid_regulateur_tests_reidentify_the_account()
    {
        var uuid = Guid.NewGuid().ToString();
        var email = NewEmail();
        var created = await (await Post(Account(SasId, uuid, email))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var idnps = NewIdnps();
        var moved = await (await Put(SasId, uuid, Account(Idnps, idnps, email))).ExpectFhir<Practitioner>(HttpStatusCode.OK);
        Assert.Equal(created.Id, moved.Id);
        Assert.Equal((Idnps, idnps), (moved.Identifier.Single().System, moved.Identifier.Single().Value));
        var renumbered = NewIdnps();
        await (await Put(Idnps, idnps, Account(Idnps, renumbered, email))).ExpectFhir<Practitioner>(HttpStatusCode.OK);
        Assert.Equal(renumbered, (await Read(created.Id)).Identifier.Single().Value);
    }

    [Fact]
    public async Task Kit_put_as_create_creates_the_account_no_identifier_names_yet()
    {
        var uuid = Guid.NewGuid().ToString();
        var created = await (await Put(SasId, uuid, Account(SasId, uuid, NewEmail()))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        Assert.Equal(uuid, created.Identifier.Single().Value);
    }

    [Fact]
    public async Task Kit_put_as_create_missing_fields_is_refused_and_creates_nothing()
    {
        var uuid = Guid.NewGuid().ToString();
        await (await Put(SasId, uuid, Account(SasId, uuid, ""))).ExpectFhir<OperationOutcome>(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, api.Count($"SELECT COUNT(*) FROM regulators WHERE sas_id = '{uuid}'"));
    }

    [Fact]
    public async Task Kit_modification_deshabilitation_habilitation_and_idnps_reattribution()
    {
        var idnps = NewIdnps();
        var email = NewEmail();
        var first = await (await Post(Account(Idnps, idnps, email))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var disabled = await (await Put(Idnps, idnps, Account(Idnps, idnps, email, active: false))).ExpectFhir<Practitioner>(HttpStatusCode.OK);
        Assert.False(disabled.Active);

        // The IDNPS is free again: a new account (the platform's uuid) takes it over.
        var uuid = Guid.NewGuid().ToString();
        var second = await (await Post(Account(SasId, uuid, "other." + email))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var taken = await (await Put(SasId, uuid, Account(Idnps, idnps, "other." + email))).ExpectFhir<Practitioner>(HttpStatusCode.OK);
        Assert.Equal(second.Id, taken.Id);

        // The IDNPS now names the active account; enabling the old one again would make two: refused.
        Assert.Equal(second.Id, (await (await Put(Idnps, idnps, Account(Idnps, idnps, "other." + email))).ExpectFhir<Practitioner>(HttpStatusCode.OK)).Id);
        await (await api.Admin().SendAsync(Fhir(HttpMethod.Put, $"/fhir/Practitioner/{first.Id}", Account(Idnps, idnps, email))))
            .ExpectFhir<OperationOutcome>(HttpStatusCode.Conflict);
        Assert.False((await Read(first.Id)).Active);
    }

    [Fact]
    public async Task An_unknown_account_id_or_a_conditional_update_without_an_identifier_is_refused()
    {
        await (await api.Admin().GetAsync("/fhir/Practitioner/nobody")).ExpectFhir<OperationOutcome>(HttpStatusCode.NotFound);
        await (await api.Admin().SendAsync(Fhir(HttpMethod.Put, "/fhir/Practitioner/nobody", Account(SasId, "x", NewEmail())))).ExpectFhir<OperationOutcome>(HttpStatusCode.NotFound);
        await (await api.Admin().SendAsync(Fhir(HttpMethod.Put, "/fhir/Practitioner", Account(SasId, "x", NewEmail())))).ExpectFhir<OperationOutcome>(HttpStatusCode.BadRequest);
        await (await api.Admin().SendAsync(Fhir(HttpMethod.Put, "/fhir/Practitioner?identifier=urn:oid:1.2.3|x", Account(SasId, "x", NewEmail())))).ExpectFhir<OperationOutcome>(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Only_the_platform_manages_regulator_accounts()
    {
        var regulator = await new World(api).ClientFor("regulator", "44");
        await (await regulator.SendAsync(Fhir(HttpMethod.Post, "/fhir/Practitioner", Account(SasId, Guid.NewGuid().ToString(), NewEmail()))))
            .ExpectFhir<OperationOutcome>(HttpStatusCode.Forbidden);
        await (await api.Anonymous().SendAsync(Fhir(HttpMethod.Post, "/fhir/Practitioner", Account(SasId, Guid.NewGuid().ToString(), NewEmail()))))
            .ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_booking_names_an_active_regulator_account_as_its_operator_and_no_other()
    {
        var world = new World(api);
        var uuid = Guid.NewGuid().ToString();
        var email = NewEmail();
        await (await Post(Account(SasId, uuid, email))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var sector = await world.Sector();
        var gp = await world.Practitioner([sector]);
        var regulator = await world.RegulatorNaming([uuid, "unknown-account"], [], "44");

        var slot = await world.PublishedSlot(gp, TimeSpan.FromHours(1), sector);
        var booking = await (await regulator.Book(BookingRequests.Body(slot, operatorAccount: uuid))).Expect(HttpStatusCode.Created);
        Assert.Equal(uuid, booking.GetProperty("operatorAccount").GetString());

        await (await Put(SasId, uuid, Account(SasId, uuid, email, active: false))).ExpectFhir<Practitioner>(HttpStatusCode.OK);
        var other = await world.PublishedSlot(gp, TimeSpan.FromHours(2), sector);
        await (await regulator.Book(BookingRequests.Body(other, operatorAccount: uuid)))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "operatorAccount");
        await (await regulator.Book(BookingRequests.Body(other, operatorAccount: "unknown-account")))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "operatorAccount");
    }

    /// <summary>
    /// Who booked is sent to the platform: a regulator client names only the accounts and national ids an admin granted it,
    /// or any other regulator software could book in someone else's name.
    /// </summary>
    [Fact]
    public async Task A_client_names_only_the_regulators_an_admin_granted_it()
    {
        var world = new World(api);
        var mine = Guid.NewGuid().ToString();
        var theirs = Guid.NewGuid().ToString();
        await (await Post(Account(SasId, mine, NewEmail()))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        await (await Post(Account(SasId, theirs, NewEmail()))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var sector = await world.Sector();
        var gp = await world.Practitioner([sector]);
        var granted = await world.RegulatorNaming([mine], ["810000000017"], "44");
        var other = await world.ClientFor("regulator", "44");
        var slot = await world.PublishedSlot(gp, TimeSpan.FromHours(1), sector);

        await (await other.Book(BookingRequests.Body(slot, operatorAccount: mine))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "operatorAccount");
        await (await granted.Book(BookingRequests.Body(slot, operatorAccount: theirs))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "operatorAccount");
        var named = new { slotId = slot, patient = BookingRequests.Patient(), reason = BookingRequests.Reason, regularDoctor = "has", regularDoctorContacted = true,
            origin = "sas", requestedAt = "2026-11-23T07:45:00+01:00", @operator = "810000000099" };
        await (await granted.Book(named)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "operator");
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @slot", new { slot }));

        await (await granted.Book(BookingRequests.Body(slot, operatorAccount: mine))).Expect(HttpStatusCode.Created);
    }

    /// <summary>A conditional update names the account it changes: a body that is someone else is not that account.</summary>
    [Fact]
    public async Task A_conditional_update_whose_body_carries_another_identity_is_refused()
    {
        var a = Guid.NewGuid().ToString();
        var email = NewEmail();
        await (await Post(Account(SasId, a, email))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var b = Guid.NewGuid().ToString();

        // Someone else: another identifier and another email.
        var refused = await (await Put(SasId, a, Account(SasId, b, NewEmail(), family: "Autre"))).ExpectFhir<OperationOutcome>(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("identifier", refused.Issue[0].Expression);
        await (await Put(SasId, a, Account(Idnps, NewIdnps(), NewEmail()))).ExpectFhir<OperationOutcome>(HttpStatusCode.UnprocessableEntity);
        // Creating under one identifier an account that carries another.
        await (await Put(SasId, Guid.NewGuid().ToString(), Account(SasId, b, NewEmail()))).ExpectFhir<OperationOutcome>(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM regulators WHERE sas_id = @b", new { b }));
        Assert.Equal("Loridon", (string)api.Rows("SELECT family FROM regulators WHERE sas_id = @a", new { a }).Single().family);
    }
}
