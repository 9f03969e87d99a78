// Firely marks every element nullable; these tests assert presence explicitly, so the warnings add nothing here.
#nullable disable warnings
using System.Net;
using System.Net.Http.Json;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Notifications;
using Sas.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace Sas.Api.Tests;

/// <summary>The API told to send appointments to a stand-in SAS platform on loopback.</summary>
public sealed class PlatformApiFactory : SasApiFactory
{
    public FhirPlatformReceiver Platform { get; } = FhirPlatformReceiver.StartAsync().GetAwaiter().GetResult();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Fhir:SasPlatform:BaseUrl", Platform.BaseUrl),
        new("Fhir:SasPlatform:AppointmentIdentifierSystem", "urn:oid:1.2.250.1.999.1"),
        new("Webhooks:RetriesPerRun", "0"), // one attempt per job run: the tests move the clock between runs
        new("Fhir:AllowApiKeys", "true"), // the admin key stands in for the platform creating regulator accounts
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Platform.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>
/// Flow INT_R03: bookings made by SAS regulators reach the national platform as FrAppointmentSAS
/// (POST, then conditional PUTs), from the outbox with the webhooks' delivery, and never with patient data.
/// </summary>
public sealed class FhirAppointmentTests(PlatformApiFactory api) : IClassFixture<PlatformApiFactory>
{
    private readonly World world = new(api);
    private const string Operator = "810000000017";
    private const string System = "urn:oid:1.2.250.1.999.1";

    private sealed record Booked(string Id, string Rpps, HttpClient Gp, HttpClient Regulator, DateTimeOffset CreatedAt);

    private async Task<Booked> Book(string origin = "sas")
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var regulator = await world.RegulatorNaming([], [Operator], "44");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/bookings")
        {
            Content = JsonContent.Create(new
            {
                slotId = slot, patient = BookingRequests.Patient(), reason = BookingRequests.Reason, regularDoctor = "has",
                regularDoctorContacted = true, origin, requestedAt = "2026-11-23T07:45:00+01:00", @operator = Operator,
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var booking = await (await regulator.SendAsync(request)).Expect(HttpStatusCode.Created);
        Assert.Equal(Operator, booking.GetProperty("operator").GetString());
        return new Booked(booking.GetProperty("id").GetString()!, rpps, await world.ClientFor("practitioner", rpps), regulator,
            DateTimeOffset.Parse(booking.GetProperty("createdAt").GetString()!, global::System.Globalization.CultureInfo.InvariantCulture));
    }

    private List<(FhirPlatformReceiver.Request Request, Appointment Appointment)> SentFor(string bookingId) =>
        api.Platform.Accepted
            .Select(r => (r, FhirBundles.Parse<Appointment>(r.Body)))
            .Where(x => x.Item2.Identifier.Any(i => i.Value == bookingId))
            .ToList();

    [Fact]
    public async Task A_sas_booking_is_created_on_the_platform_as_the_guide_appointment_without_patient_data()
    {
        var b = await Book();
        await api.DispatchAll();
        var (request, appointment) = Assert.Single(SentFor(b.Id));
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/fhir+json", request.ContentType);

        Assert.Equal(["http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS"], appointment.Meta.Profile);
        Assert.Equal(b.CreatedAt, appointment.CreatedElement.ToDateTimeOffset(TimeSpan.Zero)); // when the regulator booked
        var identifier = Assert.Single(appointment.Identifier);
        Assert.Equal(System, identifier.System);
        Assert.Equal(Appointment.AppointmentStatus.Booked, appointment.Status);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+01:00$", appointment.StartElement.JsonValue!.ToString()!);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+01:00$", appointment.EndElement.JsonValue!.ToString()!);

        // The GP by IDNPS, accepted; nobody else: the patient is not a participant.
        var participant = Assert.Single(appointment.Participant);
        Assert.Equal(ParticipationStatus.Accepted, participant.Status);
        Assert.Equal("urn:oid:1.2.250.1.71.4.2.1", participant.Actor.Identifier.System);
        Assert.Equal("IDNPS", Assert.Single(participant.Actor.Identifier.Type.Coding).Code);
        Assert.Equal("8" + b.Rpps, participant.Actor.Identifier.Value);

        // The regulator in the operator extension, by national identifier.
        var ext = Assert.Single(appointment.Extension, e => e.Url == "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator");
        var op = Assert.IsType<ResourceReference>(ext.Value).Identifier;
        Assert.Equal(Operator, op.Value);
        Assert.Equal("IDNPS", op.Type.Coding[0].Code);
        Assert.Equal("http://interopsante.org/fhir/CodeSystem/fr-v2-0203", op.Type.Coding[0].System);

        foreach (var secret in new[] { BookingRequests.PatientLastName, BookingRequests.PatientFirstName, BookingRequests.PatientBirthDate, "698765432", BookingRequests.PatientIns, "zx-reason" })
            Assert.DoesNotContain(secret, request.Body);
    }

    [Fact]
    public async Task A_regulator_without_an_idnps_is_sent_as_the_platforms_technical_id_of_the_account()
    {
        var account = Guid.NewGuid().ToString();
        var body = RegulatorAccountTests.Account(RegulatorAccountTests.SasId, account, $"{Guid.NewGuid():N}@regulation.test");
        await (await api.Admin().SendAsync(RegulatorAccountTests.Fhir(HttpMethod.Post, "/fhir/Practitioner", body))).ExpectFhir<Practitioner>(HttpStatusCode.Created);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var regulator = await world.RegulatorNaming([account], [], "44");
        var booking = await (await regulator.Book(BookingRequests.Body(slot, operatorAccount: account))).Expect(HttpStatusCode.Created);
        await api.DispatchAll();

        var (_, appointment) = Assert.Single(SentFor(booking.GetProperty("id").GetString()!));
        var ext = Assert.Single(appointment.Extension, e => e.Url == "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator");
        var op = Assert.IsType<ResourceReference>(ext.Value).Identifier;
        Assert.Equal(("INTRN", "urn:oid:1.2.250.1.213.3.6", account), (op.Type.Coding[0].Code, op.System, op.Value));
    }

    [Fact]
    public async Task Cancellation_and_outcomes_follow_as_conditional_updates_in_order()
    {
        var cancelled = await Book();
        var honoured = await Book();
        var missed = await Book();
        await (await cancelled.Regulator.PostJson($"/v1/bookings/{cancelled.Id}/cancellation", new { by = "patient", reason = "feels better" })).Expect(HttpStatusCode.OK);
        api.Clock.Advance(TimeSpan.FromHours(2)); // after the consultations' start
        await (await honoured.Gp.PutJson($"/v1/bookings/{honoured.Id}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);
        await (await missed.Gp.PutJson($"/v1/bookings/{missed.Id}/outcome", new { outcome = "no_show" })).Expect(HttpStatusCode.OK);
        await api.DispatchAll();

        void Check(Booked b, Appointment.AppointmentStatus status)
        {
            var sent = SentFor(b.Id);
            Assert.Equal(["POST", "PUT"], sent.Select(s => s.Request.Method));
            Assert.Equal($"?identifier={System}|{b.Id}", sent[1].Request.Query);
            Assert.Equal([Appointment.AppointmentStatus.Booked, status], sent.Select(s => s.Appointment.Status!.Value));
        }
        Check(cancelled, Appointment.AppointmentStatus.Cancelled);
        Check(honoured, Appointment.AppointmentStatus.Fulfilled);
        Check(missed, Appointment.AppointmentStatus.Noshow);
    }

    /// <summary>A booking moved to another slot is the same appointment at new times: an update, still booked.</summary>
    [Fact]
    public async Task A_moved_booking_follows_as_an_update_with_its_new_times()
    {
        var b = await Book();
        var sector = (await (await api.Admin().GetAsync($"/v1/bookings/{b.Id}")).Expect(HttpStatusCode.OK)).GetProperty("sector").GetString()!;
        var later = await world.PublishedSlot(b.Rpps, TimeSpan.FromHours(4), sector);
        var moved = await (await b.Regulator.Move(b.Id, later)).Expect(HttpStatusCode.OK);
        await api.DispatchAll();

        var sent = SentFor(b.Id);
        Assert.Equal(["POST", "PUT"], sent.Select(s => s.Request.Method));
        Assert.Equal($"?identifier={System}|{b.Id}", sent[1].Request.Query);
        Assert.Equal(Appointment.AppointmentStatus.Booked, sent[1].Appointment.Status);
        Assert.NotEqual(sent[0].Appointment.Start, sent[1].Appointment.Start);
        Assert.Equal(DateTimeOffset.Parse(moved.GetProperty("start").GetString()!, global::System.Globalization.CultureInfo.InvariantCulture), sent[1].Appointment.Start);
    }

    [Fact]
    public async Task Bookings_not_made_by_sas_regulators_stay_off_the_platform()
    {
        var b = await Book(origin: "cpts_line");
        await api.DispatchAll();
        Assert.Empty(SentFor(b.Id));
    }

    [Fact]
    public async Task A_platform_that_refuses_for_a_while_gets_the_appointment_later_and_the_update_after_it()
    {
        var b = await Book();
        await (await b.Regulator.PostJson($"/v1/bookings/{b.Id}/cancellation", new { by = "regulator", reason = "wrong patient" })).Expect(HttpStatusCode.OK);
        api.Platform.FailNext(1);
        await api.DispatchAll();
        Assert.Empty(SentFor(b.Id)); // the create failed, so the update waited behind it
        api.Clock.Advance(TimeSpan.FromMinutes(5));
        await api.DispatchAll();
        Assert.Equal(["POST", "PUT"], SentFor(b.Id).Select(s => s.Request.Method));
        var deliveries = await (await api.Admin().GetAsync($"/v1/webhooks/deliveries?client={WebhookStore.SasPlatformRecipient}")).Expect(HttpStatusCode.OK);
        Assert.Contains(deliveries.GetProperty("items").EnumerateArray(), d => d.GetProperty("status").GetString() == "delivered" && d.GetProperty("attempts").GetInt32() == 2);
    }
}
