using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

/// <summary>
/// Well-formed instants from the whole <see cref="DateTime"/> range, sent to every parameter that takes one
/// (query, body, cursor, FHIR search): never a 5xx, and outside the API's range a 4xx naming the parameter.
/// </summary>
public class ExtremeInstantTests(FhirApiFactory api) : IClassFixture<FhirApiFactory>, IAsyncLifetime
{
    private readonly World world = new(api);
    private string sector = "", cpts = "", rpps = "";
    private HttpClient gp = null!, regulator = null!, staff = null!;
    private long slot;

    public async Task InitializeAsync()
    {
        sector = await world.Sector(horizon: 48);
        cpts = await world.Cpts(sector);
        rpps = await world.Practitioner([sector], overflowPerDay: 5);
        gp = await world.ClientFor("practitioner", rpps);
        regulator = await world.ClientFor("regulator", sector);
        staff = await world.ClientFor("cpts", cpts);
        slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The edges of the type, the API's own edges, and instants drawn across the whole range, with extreme offsets.</summary>
    public static TheoryData<string> Instants()
    {
        var data = new TheoryData<string>
        {
            "0001-01-01T00:00:00Z", "0001-01-01T00:00:00-12:00", "9999-12-31T23:59:59Z", "9999-12-31T20:00:00Z", "9999-12-31T23:59:59+14:00",
            "1999-12-31T23:59:59Z", "2000-01-01T00:00:00Z", "2099-12-31T23:59:59Z", "2100-01-01T00:00:00Z",
        };
        var random = new Random(20261202);
        for (var i = 0; i < 12; i++)
        {
            var instant = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            var offset = TimeSpan.FromMinutes(random.Next(-12 * 60, 14 * 60 + 1) / 15 * 15);
            data.Add(instant.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture));
        }
        return data;
    }

    private static bool InRange(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var v)
        && v.UtcDateTime >= new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc) && v.UtcDateTime < new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [MemberData(nameof(Instants))]
    public async Task No_instant_anywhere_gives_a_5xx_and_one_outside_the_range_is_refused_naming_its_field(string text)
    {
        var q = Uri.EscapeDataString(text);
        var now = World.Instant(api.Clock.GetUtcNow());
        var later = World.Instant(api.Clock.GetUtcNow().AddDays(1));
        var slotBody = world.Slot(TimeSpan.FromHours(30), sector);
        var calls = new List<(string Field, Func<Task<HttpResponseMessage>> Send)>
        {
            ("from", () => regulator.GetAsync($"/v1/slots?sector={sector}&from={q}")),
            ("to", () => regulator.GetAsync($"/v1/slots?sector={sector}&to={q}")),
            ("from", () => gp.PutAsync($"/v1/practitioners/{rpps}/slots?from={q}&to={later}", JsonContent.Create(new { slots = Array.Empty<object>() }))),
            ("to", () => gp.PutAsync($"/v1/practitioners/{rpps}/slots?from={now}&to={q}", JsonContent.Create(new { slots = Array.Empty<object>() }))),
            ("start", () => gp.PostJson($"/v1/practitioners/{rpps}/slots", new { start = text, end = text, sector, site = "cab", modality = "in_person" })),
            ("end", () => gp.PostJson($"/v1/practitioners/{rpps}/slots", new { start = "2026-11-24T09:00:00+01:00", end = text, sector, site = "cab", modality = "in_person" })),
            ("from", () => gp.GetAsync($"/v1/practitioners/{rpps}/bookings?from={q}&to={later}")),
            ("to", () => gp.GetAsync($"/v1/practitioners/{rpps}/bookings?from={now}&to={q}")),
            ("requestedAt", () => regulator.Book(BookingRequests.Body(slot, requestedAt: text))),
            ("requestedAt", () => regulator.Book(BookingRequests.Body(null, practitionerRpps: rpps, overflow: true, requestedAt: text))),
        };
        foreach (var report in new[] { "fill-rate", "indicators", "majorations", "participation" })
        {
            calls.Add(("from", () => staff.GetAsync($"/v1/reports/{report}?cpts={cpts}&from={q}&to={later}")));
            calls.Add(("to", () => staff.GetAsync($"/v1/reports/{report}?cpts={cpts}&from={now}&to={q}")));
        }
        // Cursors carry instants too: a forged one must be refused like any other bad cursor.
        var ticks = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed.UtcTicks : 0;
        var cursor = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ticks}:1")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var bookingCursor = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ticks}|x")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        calls.Add(("after", () => regulator.GetAsync($"/v1/slots?sector={sector}&after={cursor}")));
        calls.Add(("after", () => gp.GetAsync($"/v1/practitioners/{rpps}/bookings?from={now}&to={later}&after={bookingCursor}")));

        foreach (var (field, send) in calls)
        {
            var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{field}={text}: {(int)response.StatusCode} {body}");
            if (!InRange(text) && field != "after")
                await response.ExpectProblem(response.StatusCode == HttpStatusCode.BadRequest ? HttpStatusCode.BadRequest : HttpStatusCode.UnprocessableEntity,
                    response.StatusCode == HttpStatusCode.BadRequest ? "malformed_request" : "validation_failed", field);
        }

        foreach (var prefix in new[] { "ge", "le", "gt", "lt", "" })
        {
            var fhir = await api.Admin().GetAsync($"/fhir/Slot?status=free&start={prefix}{q}&schedule.actor:Practitioner.identifier={FhirBundles.Identifiers(rpps)}");
            Assert.True((int)fhir.StatusCode < 500, $"FHIR start={prefix}{text}: {(int)fhir.StatusCode} {await fhir.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_call_that_began_long_before_the_booking_is_refused_so_the_delay_indicators_stay_true()
    {
        var old = api.Clock.GetUtcNow().AddDays(-30).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        await (await regulator.Book(BookingRequests.Body(slot, requestedAt: old))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "requestedAt");
    }
}
