using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Reports;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>The README's worked example, built and checked figure by figure: if a figure changes, the README must too.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public async Task The_worked_example_gives_the_figures_the_readme_shows()
    {
        using var api = new SasApiFactory();
        var world = new World(api);
        var sector = await world.Sector(communes: ["44109"]);
        var cpts = await world.Cpts(sector);
        var drA = await world.Practitioner([sector]);
        var drB = await world.Practitioner([sector]);
        var monday = new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc); // week 2026-W47; Paris is UTC+1

        void Booked(string rpps, DateTime startUtc, string origin = "sas", string regularDoctor = "has", string outcome = "honoured", bool ownGp = false)
        {
            var slot = api.InsertSlot(rpps, sector, startUtc, 20, "booked");
            api.InsertBooking(new ReportData.BookingSpec(rpps, sector, slot, startUtc, startUtc.AddHours(-2), startUtc.AddHours(-2), "booked", outcome, origin, regularDoctor, ownGp));
        }

        for (var d = 0; d < 5; d++)
        {
            var morning = monday.AddDays(d).AddHours(8);    // 09:00 local
            var afternoon = monday.AddDays(d).AddHours(13); // 14:00 local
            if (d == 2) Booked(drA, morning); else api.InsertSlot(drA, sector, morning, 20, "expired");
            Booked(drA, afternoon, regularDoctor: d < 2 ? "none" : "has", outcome: d == 4 ? "no_show" : "honoured");
        }
        foreach (var d in new[] { 1, 3 })
            for (var k = 0; k < 3; k++)
            {
                var start = monday.AddDays(d).AddHours(16).AddMinutes(20 * k); // 17:00, 17:20, 17:40 local
                if ((d, k) == (1, 0)) Booked(drB, start, origin: "pharmacy");
                else if ((d, k) == (3, 0)) Booked(drB, start);
                else if ((d, k) == (3, 1)) Booked(drB, start, ownGp: true);
                else api.InsertSlot(drB, sector, start, 20, "expired");
            }
        var thursday11 = monday.AddDays(3).AddHours(10);
        api.InsertBooking(new ReportData.BookingSpec(drA, sector, null, null, thursday11, thursday11.AddHours(-1), RegularDoctor: "unavailable"));

        await api.Services.GetRequiredService<StatsJob>().RecomputeAsync(monday, monday.AddDays(7), default);
        var query = $"cpts={cpts}&from=2026-11-16T00:00:00%2B01:00&to=2026-11-23T00:00:00%2B01:00";

        var byGp = await (await api.Admin().GetAsync($"/v1/reports/fill-rate?{query}&groupBy=practitioner")).Expect(HttpStatusCode.OK);
        var rows = byGp.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal((10, 6, 0.6, 5, 1), (rows[drA].GetProperty("offered").GetInt32(), rows[drA].GetProperty("booked").GetInt32(), rows[drA].GetProperty("fillRate").GetDouble(), rows[drA].GetProperty("honoured").GetInt32(), rows[drA].GetProperty("noShow").GetInt32()));
        Assert.Equal((6, 3, 0.5), (rows[drB].GetProperty("offered").GetInt32(), rows[drB].GetProperty("booked").GetInt32(), rows[drB].GetProperty("fillRate").GetDouble()));
        Assert.Equal(0.5625, byGp.GetProperty("totals").GetProperty("fillRate").GetDouble());

        var byHour = await (await api.Admin().GetAsync($"/v1/reports/fill-rate?{query}&groupBy=weekday_hour")).Expect(HttpStatusCode.OK);
        var hours = byHour.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(1, hours.Where(r => r.GetProperty("hour").GetInt32() == 9).Sum(r => r.GetProperty("booked").GetInt32()));
        Assert.Equal(5, hours.Where(r => r.GetProperty("hour").GetInt32() == 14).Sum(r => r.GetProperty("booked").GetInt32()));

        var indicators = await (await api.Admin().GetAsync($"/v1/reports/indicators?{query}")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, indicators.GetProperty("practitionersParticipating").GetInt32());
        Assert.Equal(9, indicators.GetProperty("sasRequestsWithAppointment").GetInt32());
        Assert.Equal(2, indicators.GetProperty("patientsWithoutRegularDoctor").GetInt32());
        Assert.Equal(1, indicators.GetProperty("patientsRegularDoctorUnavailable").GetInt32());
        Assert.Equal(1, indicators.GetProperty("overflowBookings").GetInt32());
        var delay = indicators.GetProperty("delay");
        Assert.Equal((10, 120, 120, 1.0, 1.0), (delay.GetProperty("bookings").GetInt32(), delay.GetProperty("median").GetInt32(), delay.GetProperty("p90").GetInt32(), delay.GetProperty("within24h").GetDouble(), delay.GetProperty("within48h").GetDouble()));

        var majorations = await (await api.Admin().GetAsync($"/v1/reports/majorations?{query}")).Expect(HttpStatusCode.OK);
        var acts = majorations.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("rpps").GetString()!);
        Assert.Equal((6, 90m), (acts[drA].GetProperty("eligibleActs").GetInt32(), acts[drA].GetProperty("amount").GetDecimal()));
        Assert.Equal((1, 15m), (acts[drB].GetProperty("eligibleActs").GetInt32(), acts[drB].GetProperty("amount").GetDecimal()));
        Assert.Equal(105m, majorations.GetProperty("totalAmount").GetDecimal());

        var participation = await (await api.Admin().GetAsync($"/v1/reports/participation?{query}")).Expect(HttpStatusCode.OK);
        var offered = participation.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("rpps").GetString()!);
        Assert.Equal((3.33, true), (offered[drA].GetProperty("offeredHours").GetDouble(), offered[drA].GetProperty("reachesLine").GetBoolean()));
        Assert.Equal((2.0, true), (offered[drB].GetProperty("offeredHours").GetDouble(), offered[drB].GetProperty("reachesLine").GetBoolean()));
    }
}
