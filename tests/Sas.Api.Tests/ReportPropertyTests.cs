using Dapper;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Reports;
using Sas.Api.Tests.Support;
using Sas.Domain.Reports;

namespace Sas.Api.Tests;

/// <summary>
/// Random slots, bookings, cancellations and outcomes over weeks in three sectors (two time zones):
/// every report built on the aggregates must equal the same figures computed straight from the rows.
/// </summary>
public class ReportPropertyTests
{
    private sealed record Slot(string Rpps, string Sector, DateTime Start, int Minutes, string Status);

    private sealed record Booking(string Rpps, string Sector, DateTime? Start, DateTime Created, DateTime Requested, string Status, string? Outcome,
        string Origin, string RegularDoctor, bool GpIsRd, bool Overflow);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Aggregated_reports_equal_the_figures_from_the_raw_rows(int seed)
    {
        using var api = new SasApiFactory();
        var world = new World(api);
        var random = new Random(seed);
        var paris1 = await world.Sector();
        var paris2 = await world.Sector();
        var reunion = await world.Sector(communes: ["97411"], department: "974");
        var cpts = await world.Cpts(paris1, paris2, reunion);
        var sectors = new[] { paris1, paris2, reunion };
        var zones = new Dictionary<string, TimeZoneInfo>
        {
            [paris1] = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"), [paris2] = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"),
            [reunion] = TimeZoneInfo.FindSystemTimeZoneById("Indian/Reunion"),
        };
        var gps = new List<(string Rpps, string Sector)>();
        foreach (var sector in sectors)
            for (var i = 0; i < 3; i++) gps.Add((await world.Practitioner([sector]), sector));

        var now = api.Clock.GetUtcNow().UtcDateTime;           // Monday 23 November 2026, 07:00 UTC
        var start = now.Date.AddDays(-42);
        var slots = new List<Slot>();
        var bookings = new List<Booking>();
        foreach (var (rpps, sector) in gps)
        {
            for (var k = 0; k < 60; k++)
            {
                var at = start.AddMinutes(random.Next(0, 43 * 24 * 4) * 15);      // up to a day after now
                var minutes = random.Next(1, 5) * 10;
                var past = at < now;
                var roll = random.NextDouble();
                var status = !past ? "available" : roll < 0.45 ? "booked" : roll < 0.75 ? "expired" : roll < 0.85 ? "available" : roll < 0.92 ? "held" : "withdrawn";
                if (slots.Any(s => s.Rpps == rpps && s.Start < at.AddMinutes(minutes) && at < s.Start.AddMinutes(s.Minutes))) continue;
                var slotId = api.InsertSlot(rpps, sector, at, minutes, status);
                slots.Add(new Slot(rpps, sector, at, minutes, status));
                var requested = at.AddMinutes(-random.Next(30, 60 * 60));
                if (status == "booked")
                {
                    var lateCancel = random.NextDouble() < 0.1;
                    var b = new Booking(rpps, sector, at, requested.AddMinutes(5), requested, lateCancel ? "cancelled" : "booked",
                        lateCancel ? null : new[] { null, "honoured", "no_show" }[random.Next(3)],
                        new[] { "sas", "sas", "cpts_line", "pharmacy" }[random.Next(4)], new[] { "has", "none", "unavailable" }[random.Next(3)],
                        random.NextDouble() < 0.1, false);
                    bookings.Add(b);
                    Insert(api, b, slotId);
                }
                if (status is "expired" or "available" && random.NextDouble() < 0.2) // cancelled before the cut-off, offered again
                {
                    var b = new Booking(rpps, sector, at, requested.AddMinutes(5), requested, "cancelled", null, "sas", "has", false, false);
                    bookings.Add(b);
                    Insert(api, b, slotId);
                }
            }
            for (var k = 0; k < 4; k++)
            {
                var created = start.AddMinutes(random.Next(0, 42 * 24 * 4) * 15);
                var b = new Booking(rpps, sector, null, created, created.AddMinutes(-random.Next(10, 600)), random.NextDouble() < 0.25 ? "cancelled" : "booked",
                    null, "sas", "none", false, true);
                bookings.Add(b);
                Insert(api, b, null);
            }
        }

        await api.Services.GetRequiredService<StatsJob>().RecomputeAsync(start.AddDays(-1), now.AddDays(2), default);

        var from = start.AddDays(3).AddHours(5);
        var to = now.AddHours(-2);
        var admin = api.Admin();
        string Url(string report, string extra = "") => $"/v1/reports/{report}?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}{extra}";

        // Reference: straight from the generated rows.
        var counted = slots.Where(s => s.Start >= from && s.Start < to && s.Status != "withdrawn").ToList();
        var slotBookings = bookings.Where(b => !b.Overflow && b.Start >= from && b.Start < to).ToList();
        var live = bookings.Where(b => b.Status == "booked" && Consultation(b) >= from && Consultation(b) < to).ToList();
        DateTime Local(string sector, DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, zones[sector]);

        foreach (var (groupBy, key) in new (string, Func<string, string, DateTime, string>)[]
                 {
                     ("day", (_, sector, at) => Buckets.Day(Local(sector, at))),
                     ("week", (_, sector, at) => Buckets.Week(Local(sector, at))),
                     ("month", (_, sector, at) => Buckets.Month(Local(sector, at))),
                     ("practitioner", (rpps, _, _) => rpps),
                     ("sector", (_, sector, _) => sector),
                     ("weekday_hour", (_, sector, at) => $"{Buckets.IsoWeekday(Local(sector, at))}-{Local(sector, at).Hour:D2}"),
                 })
        {
            var report = await (await admin.GetAsync(Url("fill-rate", $"&groupBy={groupBy}"))).Expect(HttpStatusCode.OK);
            var expected = counted.GroupBy(s => key(s.Rpps, s.Sector, s.Start))
                .ToDictionary(g => g.Key, g => (Offered: g.Count(), Booked: g.Count(s => s.Status == "booked")));
            var expectedOutcomes = slotBookings.GroupBy(b => key(b.Rpps, b.Sector, b.Start!.Value))
                .ToDictionary(g => g.Key, g => (Honoured: g.Count(b => b.Status == "booked" && b.Outcome == "honoured"),
                    NoShow: g.Count(b => b.Status == "booked" && b.Outcome == "no_show"), Cancelled: g.Count(b => b.Status == "cancelled")));
            var rows = report.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
            Assert.Equal(expected.Keys.Union(expectedOutcomes.Keys).Order(), rows.Keys.Order());
            foreach (var (k, e) in expected)
            {
                Assert.Equal(e.Offered, rows[k].GetProperty("offered").GetInt32());
                Assert.Equal(e.Booked, rows[k].GetProperty("booked").GetInt32());
                Assert.Equal(e.Offered - e.Booked, rows[k].GetProperty("expired").GetInt32());
                Assert.Equal(Math.Round((double)e.Booked / e.Offered, 4), rows[k].GetProperty("fillRate").GetDouble(), 4);
            }
            foreach (var (k, e) in expectedOutcomes)
            {
                Assert.Equal(e.Honoured, rows[k].GetProperty("honoured").GetInt32());
                Assert.Equal(e.NoShow, rows[k].GetProperty("noShow").GetInt32());
                Assert.Equal(e.Cancelled, rows[k].GetProperty("cancelled").GetInt32());
            }
            Assert.Equal(counted.Count, report.GetProperty("totals").GetProperty("offered").GetInt32());
        }

        var indicators = await (await admin.GetAsync(Url("indicators"))).Expect(HttpStatusCode.OK);
        var participating = counted.Select(s => s.Rpps).Concat(live.Where(b => b.Overflow).Select(b => b.Rpps)).Distinct().Count();
        Assert.Equal(participating, indicators.GetProperty("practitionersParticipating").GetInt32());
        Assert.Equal(live.Count(b => b.Origin == "sas"), indicators.GetProperty("sasRequestsWithAppointment").GetInt32());
        Assert.Equal(live.Count(b => b.RegularDoctor == "none"), indicators.GetProperty("patientsWithoutRegularDoctor").GetInt32());
        Assert.Equal(live.Count(b => b.RegularDoctor == "unavailable"), indicators.GetProperty("patientsRegularDoctorUnavailable").GetInt32());
        Assert.Equal(live.Count(b => b.Overflow), indicators.GetProperty("overflowBookings").GetInt32());
        var delays = live.Select(b => (long)Math.Floor((Consultation(b) - b.Requested).TotalMinutes)).Order().ToList();
        var delay = indicators.GetProperty("delay");
        Assert.Equal(delays.Count, delay.GetProperty("bookings").GetInt32());
        Assert.Equal(delays[(int)Math.Ceiling(0.5 * delays.Count) - 1], delay.GetProperty("median").GetInt64());
        Assert.Equal(delays[(int)Math.Ceiling(0.9 * delays.Count) - 1], delay.GetProperty("p90").GetInt64());
        Assert.Equal(Math.Round((double)delays.Count(d => d <= 24 * 60) / delays.Count, 4), delay.GetProperty("within24h").GetDouble(), 4);
        Assert.Equal(Math.Round((double)delays.Count(d => d <= 48 * 60) / delays.Count, 4), delay.GetProperty("within48h").GetDouble(), 4);

        var policy = new MajorationPolicy();
        var majorations = await (await admin.GetAsync(Url("majorations"))).Expect(HttpStatusCode.OK);
        var expectedActs = live
            .Where(b => policy.IsEligible(b.Origin, false, b.Outcome, b.Requested, Consultation(b), Local(b.Sector, Consultation(b)), b.GpIsRd))
            .GroupBy(b => $"{b.Rpps}|{Buckets.Week(Local(b.Sector, Consultation(b)))}").ToDictionary(g => g.Key, g => g.Count());
        var majorationRows = majorations.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => $"{r.GetProperty("rpps").GetString()}|{r.GetProperty("week").GetString()}");
        Assert.Equal(expectedActs.Keys.Order(), majorationRows.Keys.Order());
        foreach (var (k, acts) in expectedActs)
        {
            Assert.Equal(acts, majorationRows[k].GetProperty("eligibleActs").GetInt32());
            Assert.Equal(Math.Min(acts, 20) * 15m, majorationRows[k].GetProperty("amount").GetDecimal());
        }

        var participation = await (await admin.GetAsync(Url("participation"))).Expect(HttpStatusCode.OK);
        var expectedHours = counted.GroupBy(s => $"{s.Rpps}|{Buckets.Week(Local(s.Sector, s.Start))}").ToDictionary(g => g.Key, g => Math.Round(g.Sum(s => s.Minutes) / 60.0, 2));
        var participationRows = participation.GetProperty("rows").EnumerateArray().ToDictionary(r => $"{r.GetProperty("rpps").GetString()}|{r.GetProperty("week").GetString()}");
        Assert.Equal(expectedHours.Keys.Order(), participationRows.Keys.Order());
        foreach (var (k, hours) in expectedHours)
        {
            Assert.Equal(hours, participationRows[k].GetProperty("offeredHours").GetDouble(), 2);
            Assert.Equal(hours >= 2, participationRows[k].GetProperty("reachesLine").GetBoolean());
        }

        // Patient fields anonymised: every report answers the same (no report reads patient identity).
        var before = await ReportsText(admin, Url);
        using (var c = api.OpenDb())
            c.Execute("UPDATE bookings SET patient_last_name = NULL, patient_first_name = NULL, patient_birth_date = NULL, patient_phone = NULL, patient_commune = NULL, patient_ins = NULL, patient_regular_doctor_rpps = NULL, reason = NULL");
        await api.Services.GetRequiredService<StatsJob>().RecomputeAsync(start.AddDays(-1), now.AddDays(2), default);
        Assert.Equal(before, await ReportsText(admin, Url));
    }

    private static DateTime Consultation(Booking b) => b.Start ?? b.Created;

    private static void Insert(SasApiFactory api, Booking b, long? slotId) =>
        api.InsertBooking(new ReportData.BookingSpec(b.Rpps, b.Sector, slotId, b.Start, b.Created, b.Requested, b.Status, b.Outcome, b.Origin, b.RegularDoctor, b.GpIsRd));

    private static async Task<string> ReportsText(HttpClient client, Func<string, string, string> url)
    {
        var parts = new List<string>();
        foreach (var u in new[] { url("fill-rate", "&groupBy=practitioner"), url("indicators", ""), url("majorations", ""), url("participation", "") })
            parts.Add(await client.GetStringAsync(u));
        return string.Join("\n", parts);
    }
}
