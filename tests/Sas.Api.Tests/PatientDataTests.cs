using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class PatientDataTests(PatientDataTests.LoggedApi api) : IClassFixture<PatientDataTests.LoggedApi>
{
    /// <summary>The API with every log line, at every level, kept in memory.</summary>
    public sealed class LoggedApi : SasApiFactory
    {
        private readonly LogCapture capture = new();

        public IEnumerable<string> Lines => capture.Lines;

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [KeyValuePair.Create<string, string?>("Logging:LogLevel:Default", "Trace")];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(capture)));
        }
    }

    private readonly World world = new(api);

    [Theory]
    [InlineData("06 12 34 56 78", "+33612345678")]
    [InlineData("06.12.34.56.78", "+33612345678")]
    [InlineData("+33 6 12 34 56 78", "+33612345678")]
    [InlineData("0033612345678", "+33612345678")]
    [InlineData("0692 12 34 56", "+262692123456")]
    [InlineData("+32 470 12 34 56", "+32470123456")]
    public async Task Phones_are_stored_in_e164(string phone, string stored)
    {
        var (slot, regulator) = await Slot();
        var booking = await (await regulator.Book(BookingRequests.Body(slot, patient: BookingRequests.Patient(phone: phone)))).Expect(HttpStatusCode.Created);
        Assert.Equal(stored, booking.GetProperty("patient").GetProperty("phone").GetString());
        Assert.Equal(stored, (string)api.Rows("SELECT patient_phone FROM bookings WHERE id = @id", new { id = booking.GetProperty("id").GetString() }).Single().patient_phone);
    }

    public static TheoryData<string, string> InvalidPatients => new()
    {
        { "birthDate:2026-11-24", "patient.birthDate" },     // tomorrow
        { "birthDate:1906-11-22", "patient.birthDate" },     // 120 years and a day
        { "birthDate:23/11/1990", "patient.birthDate" },
        { "phone:12345", "patient.phone" },
        { "phone:+33 6 12 34 56", "patient.phone" },
        { "phone:+0612345678", "patient.phone" },
        { "commune:20004", "patient.commune" },
        { "ins:287037512345600", "patient.ins" },
        { "ins:2870375123456", "patient.ins" },
        { "reason:", "reason" },
        { "reason:long", "reason" },
        { "rpps:12345678901", "patient.regularDoctorRpps" },
        { "requestedAt:2026-11-23T09:00:00", "requestedAt" },
        { "requestedAt:2026-11-24T09:00:00+01:00", "requestedAt" },
    };

    [Theory]
    [MemberData(nameof(InvalidPatients))]
    public async Task Patient_data_is_validated_and_a_refused_booking_stores_nothing(string change, string field)
    {
        var (slot, regulator) = await Slot();
        var (what, value) = (change.Split(':', 2)[0], change.Split(':', 2)[1]);
        object body = what switch
        {
            "birthDate" => BookingRequests.Body(slot, patient: BookingRequests.Patient(birthDate: value)),
            "phone" => BookingRequests.Body(slot, patient: BookingRequests.Patient(phone: value)),
            "commune" => BookingRequests.Body(slot, patient: BookingRequests.Patient(commune: value)),
            "ins" => BookingRequests.Body(slot, patient: BookingRequests.Patient(ins: value)),
            "reason" => BookingRequests.Body(slot, reason: value == "long" ? new string('x', 501) : value),
            "rpps" => BookingRequests.Body(slot, patient: new { lastName = "A", firstName = "B", birthDate = "1990-01-01", phone = "0612345678", commune = "44109", regularDoctorRpps = value }),
            _ => BookingRequests.Body(slot, requestedAt: value),
        };
        await (await regulator.Book(body)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @slot", new { slot }));
        Assert.Equal("available", (await (await api.Admin().GetAsync($"/v1/slots/{slot}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_corsican_ins_and_a_500_character_reason_are_accepted()
    {
        var (slot, regulator) = await Slot();
        var corsican = "18503" + "2A" + "004123"; // born in Corse-du-Sud
        var ins = corsican + Sas.Domain.Patients.Ins.Key(corsican);
        await (await regulator.Book(BookingRequests.Body(slot, patient: BookingRequests.Patient(ins: ins), reason: new string('r', 500)))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task No_patient_field_reaches_a_log_line_or_a_url()
    {
        // A host of its own: the clock moves three months here, and the other tests share the class's host.
        using var own = new LoggedApi();
        var world = new World(own);
        var (slot, regulator) = await Slot(world);
        var rpps = (string)own.Rows("SELECT rpps FROM slots WHERE id = @slot", new { slot }).Single().rpps;
        var gp = await world.ClientFor("practitioner", rpps);
        var created = await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        await (await regulator.GetAsync($"/v1/bookings/{id}")).Expect(HttpStatusCode.OK);
        var now = own.Clock.GetUtcNow();
        await (await gp.GetAsync($"/v1/practitioners/{rpps}/bookings?from={World.Instant(now)}&to={World.Instant(now.AddDays(1))}")).Expect(HttpStatusCode.OK);
        await (await regulator.Book(BookingRequests.Body(slot, patient: BookingRequests.Patient(phone: "not a phone 0698765432")))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var second = await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(1), (string)own.Rows("SELECT sector_code FROM slots WHERE id = @slot", new { slot }).Single().sector_code)))).Expect(HttpStatusCode.Created);
        await (await regulator.PostJson($"/v1/bookings/{id}/cancellation", new { by = "patient", reason = "r" })).Expect(HttpStatusCode.OK);
        own.Clock.Advance(TimeSpan.FromHours(2));
        await (await gp.PutJson($"/v1/bookings/{second.GetProperty("id").GetString()}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);
        await (await own.Admin().GetAsync($"/v1/audit?entity=booking&id={id}")).Expect(HttpStatusCode.OK);
        own.Clock.Advance(TimeSpan.FromDays(91));
        await own.Services.GetRequiredService<Sas.Api.Privacy.PatientPurgeJob>().RunAsync(default);

        var log = string.Join("\n", own.Lines);
        Assert.Contains("/v1/bookings", log); // the capture works: requests are logged
        foreach (var secret in new[] { BookingRequests.PatientLastName, BookingRequests.PatientFirstName, BookingRequests.PatientBirthDate,
                     "98765432", "98 76 54 32", BookingRequests.PatientIns, "zx-reason" })
            Assert.DoesNotContain(secret, log);
    }

    private Task<(long Slot, HttpClient Regulator)> Slot() => Slot(world);

    private static async Task<(long Slot, HttpClient Regulator)> Slot(World world)
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        return (await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector), await world.ClientFor("regulator", sector));
    }
}
