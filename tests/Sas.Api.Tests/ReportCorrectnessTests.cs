using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Reports;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>Money and figures that must not depend on how a report is asked for: the majoration cap, partial hours, odd zones, late cancellations.</summary>
public class ReportCorrectnessTests
{
    private static readonly DateTime Week49Monday = new(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc); // 10:00 in Paris; the week runs into December

    /// <summary>Statistics count consultations that have happened: the clock moves past week 49.</summary>
    private static SasApiFactory AfterWeek49()
    {
        var api = new SasApiFactory();
        api.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 10, 12, 0, 0, TimeSpan.Zero));
        return api;
    }

    [Fact]
    public async Task Two_monthly_reports_that_split_one_week_pay_at_most_the_weekly_cap_together()
    {
        using var api = AfterWeek49();
        var (cpts, sector, rpps) = await api.Territory();
        for (var i = 0; i < 15; i++) api.EligibleAct(rpps, sector, Week49Monday.AddMinutes(20 * i));             // Monday 30 November
        for (var i = 0; i < 15; i++) api.EligibleAct(rpps, sector, Week49Monday.AddDays(1).AddMinutes(20 * i));  // Tuesday 1 December
        await api.Recompute(new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 14, 0, 0, 0, DateTimeKind.Utc));

        var november = await api.Report("majorations", cpts, new DateTime(2026, 10, 31, 23, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 30, 23, 0, 0, DateTimeKind.Utc));
        var december = await api.Report("majorations", cpts, new DateTime(2026, 11, 30, 23, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 31, 23, 0, 0, DateTimeKind.Utc));
        var nov = Assert.Single(november.GetProperty("rows").EnumerateArray());
        var dec = Assert.Single(december.GetProperty("rows").EnumerateArray());
        Assert.Equal("2026-W49", nov.GetProperty("week").GetString());
        Assert.Equal(15, nov.GetProperty("eligibleActs").GetInt32());
        Assert.Equal(15, dec.GetProperty("eligibleActs").GetInt32());
        Assert.Equal(15, nov.GetProperty("cappedActs").GetInt32()); // the week's first acts are paid first
        Assert.Equal(5, dec.GetProperty("cappedActs").GetInt32());
        Assert.Equal(30, dec.GetProperty("weekEligibleActs").GetInt32());
        Assert.Equal(300m, november.GetProperty("totalAmount").GetDecimal() + december.GetProperty("totalAmount").GetDecimal());

        var whole = await api.Report("majorations", cpts, new DateTime(2026, 10, 31, 23, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 31, 23, 0, 0, DateTimeKind.Utc));
        Assert.Equal(300m, whole.GetProperty("totalAmount").GetDecimal());
    }

    [Fact]
    public async Task A_gp_in_two_cpts_is_capped_once_a_week_across_both()
    {
        using var api = AfterWeek49();
        var world = new World(api);
        var (cptsA, sectorA, rpps) = await api.Territory();
        var sectorB = await world.Sector(communes: ["44162"]);
        var cptsB = await world.Cpts(sectorB);
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", new
        {
            firstName = "Jeanne", lastName = "Deux", sectors = new[] { sectorA, sectorB },
            sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue", commune = "44109", postalCode = "44000" } },
        })).Expect(HttpStatusCode.OK);
        for (var i = 0; i < 15; i++) api.EligibleAct(rpps, sectorA, Week49Monday.AddMinutes(20 * i));
        for (var i = 0; i < 15; i++) api.EligibleAct(rpps, sectorB, Week49Monday.AddDays(1).AddMinutes(20 * i));
        await api.Recompute(new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 14, 0, 0, 0, DateTimeKind.Utc));

        var from = new DateTime(2026, 11, 29, 23, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 12, 6, 23, 0, 0, DateTimeKind.Utc);
        var a = Assert.Single((await api.Report("majorations", cptsA, from, to)).GetProperty("rows").EnumerateArray());
        var b = Assert.Single((await api.Report("majorations", cptsB, from, to)).GetProperty("rows").EnumerateArray());
        Assert.Equal(15, a.GetProperty("cappedActs").GetInt32());
        Assert.Equal(5, b.GetProperty("cappedActs").GetInt32());
        Assert.Equal(300m, a.GetProperty("amount").GetDecimal() + b.GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task History_aggregated_before_local_weeks_existed_is_rebuilt_once_into_its_weeks()
    {
        using var api = new SasApiFactory();
        var (cpts, sector, rpps) = await api.Territory();
        var first = new DateTime(2026, 5, 4, 8, 0, 0, DateTimeKind.Utc);   // week 19
        for (var i = 0; i < 12; i++) api.EligibleAct(rpps, sector, first.AddMinutes(20 * i));
        for (var i = 0; i < 12; i++) api.EligibleAct(rpps, sector, first.AddDays(7).AddMinutes(20 * i)); // week 20
        await api.Recompute(new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 5, 20, 0, 0, 0, DateTimeKind.Utc));
        // As migration 0006 left the rows it found: no local buckets, so every week of a GP fell into one group.
        using (var c = api.OpenDb()) Dapper.SqlMapper.Execute(c, "UPDATE stats_hourly SET local_week = '', local_day = '', local_month = ''; UPDATE stats_state SET value = '1' WHERE name = 'history_version'");

        await api.Services.GetRequiredService<StatsJob>().RebuildHistoryAsync(CancellationToken.None);

        var rows = (await api.Report("majorations", cpts, new DateTime(2026, 5, 3, 22, 0, 0, DateTimeKind.Utc), new DateTime(2026, 5, 17, 22, 0, 0, DateTimeKind.Utc)))
            .GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["2026-W19", "2026-W20"], rows.Select(r => r.GetProperty("week").GetString()));
        Assert.All(rows, r => Assert.Equal(12, r.GetProperty("cappedActs").GetInt32()));
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM stats_hourly WHERE local_week = ''"));
        Assert.Equal(0, await api.Services.GetRequiredService<StatsJob>().RebuildHistoryAsync(CancellationToken.None)); // once
    }

    [Theory]
    [InlineData("2026-11-16T01:45:00Z", "2026-11-16T01:47:00Z", "from")]
    [InlineData("2026-11-16T01:00:00Z", "2026-11-16T01:45:00Z", "to")]
    public async Task A_period_that_cuts_an_hour_is_refused_rather_than_answered_wrong(string from, string to, string field)
    {
        using var api = new SasApiFactory();
        var (cpts, sector, rpps) = await api.Territory();
        api.InsertSlot(rpps, sector, new DateTime(2026, 11, 16, 1, 46, 0, DateTimeKind.Utc), 20, "booked");
        await api.Recompute(new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 17, 0, 0, 0, DateTimeKind.Utc));
        foreach (var report in new[] { "fill-rate", "indicators", "majorations", "participation" })
            await (await api.Admin().GetAsync($"/v1/reports/{report}?cpts={cpts}&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"))
                .ExpectProblem(HttpStatusCode.UnprocessableEntity, "period_not_aligned", field);
        var hour = await api.Report("fill-rate", cpts, new DateTime(2026, 11, 16, 1, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 16, 2, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, hour.GetProperty("totals").GetProperty("offered").GetInt32());
    }

    [Fact]
    public async Task A_marquesas_sector_buckets_in_its_half_hour_zone()
    {
        using var api = new SasApiFactory();
        var (cpts, sector, rpps) = await api.Territory("987", "98731", "Pacific/Marquesas"); // UTC-09:30
        api.InsertSlot(rpps, sector, new DateTime(2026, 11, 17, 1, 31, 0, DateTimeKind.Utc), 20, "booked");  // 16:01 on Monday 16th, local
        api.InsertSlot(rpps, sector, new DateTime(2026, 11, 17, 1, 29, 0, DateTimeKind.Utc), 20, "expired"); // 15:59
        await api.Recompute(new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 18, 0, 0, 0, DateTimeKind.Utc));

        var from = new DateTime(2026, 11, 16, 9, 30, 0, DateTimeKind.Utc); // Monday 00:00 local
        var rows = (await api.Report("fill-rate", cpts, from, from.AddDays(1), "&groupBy=weekday_hour")).GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal(1, rows["1-16"].GetProperty("offered").GetInt32());
        Assert.Equal(1, rows["1-16"].GetProperty("booked").GetInt32());
        Assert.Equal(1, rows["1-15"].GetProperty("offered").GetInt32());
        Assert.Equal(0, rows["1-15"].GetProperty("booked").GetInt32());
        var afternoon = await api.Report("fill-rate", cpts, from.AddHours(16), from.AddHours(17));
        Assert.Equal(1, afternoon.GetProperty("totals").GetProperty("offered").GetInt32());
    }

    /// <summary>
    /// Two slots of one GP in a CPTS's sector, two and three hours from now, both booked by a regulator: the first to be
    /// honoured (<c>kept</c>), the second to be cancelled late (<c>late</c>, on slot <c>cancelled</c>).
    /// </summary>
    private static async Task<(string Cpts, HttpClient Regulator, HttpClient Gp, DateTimeOffset Start, long Cancelled, string? Kept, string? Late)> TwoBookedSlots(SasApiFactory api)
    {
        var world = new World(api);
        var (cpts, sector, rpps) = await api.Territory();
        var regulator = await world.ClientFor("regulator", sector);
        var gp = await world.ClientFor("practitioner", rpps);
        var start = api.Clock.GetUtcNow();
        var honoured = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var cancelled = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var kept = (await (await regulator.Book(BookingRequests.Body(honoured))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        var late = (await (await regulator.Book(BookingRequests.Body(cancelled))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        return (cpts, regulator, gp, start, cancelled, kept, late);
    }

    [Fact]
    public async Task A_slot_cancelled_too_late_to_rebook_counts_offered_and_unfilled()
    {
        using var api = new SasApiFactory();
        var (cpts, regulator, gp, start, cancelled, kept, late) = await TwoBookedSlots(api);

        api.Clock.Advance(TimeSpan.FromHours(3) - TimeSpan.FromMinutes(5)); // inside the 10-minute cut-off of the second slot
        var answer = await (await regulator.PostJson($"/v1/bookings/{late}/cancellation", new { by = "patient", reason = "better" })).Expect(HttpStatusCode.OK);
        Assert.False(answer.GetProperty("cancellation").GetProperty("slotReleased").GetBoolean()); // not offered to regulators again
        var slot = await (await api.Admin().GetAsync($"/v1/slots/{cancelled}")).Expect(HttpStatusCode.OK);
        Assert.Equal("available", slot.GetProperty("status").GetString()); // no booking lives on it any more: the GP may use or withdraw it
        await (await regulator.Book(BookingRequests.Body(cancelled, requestedAt: World.Local(api.Clock.GetUtcNow())))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "slot_started");

        api.Clock.Advance(TimeSpan.FromHours(1));
        await (await gp.PutJson($"/v1/bookings/{kept}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);
        await api.Services.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>().RunAsync(CancellationToken.None);
        await api.Recompute(start.UtcDateTime.Date, start.UtcDateTime.Date.AddDays(1));
        var totals = (await api.Report("fill-rate", cpts, start.UtcDateTime.Date, start.UtcDateTime.Date.AddDays(1))).GetProperty("totals");
        Assert.Equal(2, totals.GetProperty("offered").GetInt32());
        Assert.Equal(1, totals.GetProperty("booked").GetInt32());
        Assert.Equal(0.5, totals.GetProperty("fillRate").GetDouble());
        Assert.Equal(1, totals.GetProperty("cancelled").GetInt32());
    }

    /// <summary>
    /// A booking cancelled after its slot started: the slot was taken at its start and nobody else could have used it, so it
    /// counts filled, and the cancellation as that booking's outcome (../shared/DOMAIN.md: 2 offered, 2 booked, 1.0; it
    /// was 0.5 when the cancellation freed the slot to expire unfilled).
    /// </summary>
    [Fact]
    public async Task A_booking_cancelled_after_its_slot_started_leaves_the_slot_filled()
    {
        using var api = new SasApiFactory();
        var (cpts, regulator, gp, start, cancelled, kept, late) = await TwoBookedSlots(api);

        api.Clock.Advance(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(5)); // the second consultation has started
        await (await gp.PostJson($"/v1/bookings/{late}/cancellation", new { by = "practitioner", reason = "patient absent, cabinet fermé" })).Expect(HttpStatusCode.OK);
        await (await gp.PutJson($"/v1/bookings/{kept}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);
        await api.Services.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>().RunAsync(CancellationToken.None);
        await api.Recompute(start.UtcDateTime.Date, start.UtcDateTime.Date.AddDays(1));

        var totals = (await api.Report("fill-rate", cpts, start.UtcDateTime.Date, start.UtcDateTime.Date.AddDays(1))).GetProperty("totals");
        Assert.Equal((2, 2, 1.0, 1), (totals.GetProperty("offered").GetInt32(), totals.GetProperty("booked").GetInt32(),
            totals.GetProperty("fillRate").GetDouble(), totals.GetProperty("cancelled").GetInt32()));
    }

    /// <summary>
    /// Slots from an availability rule count as any others, and a moved booking counts once, on its final slot. By hand:
    /// the rule makes 14:00, 14:20 and 14:40 (Paris) on Monday 23rd, the practice publishes 16:00; a regulator books 14:00
    /// and moves it to 16:00, and books 14:20. Offered 4, booked 2 (14:20 and 16:00), fill rate 0.5, 2 SAS appointments.
    /// </summary>
    [Fact]
    public async Task Rule_slots_count_as_offered_and_a_moved_booking_counts_once_on_its_final_slot()
    {
        using var api = new SasApiFactory();
        var world = new World(api);
        var (cpts, sector, rpps) = await api.Territory();
        var practice = await world.ClientFor("practitioner", rpps);
        var regulator = await world.ClientFor("regulator", sector);
        var day = api.Clock.GetUtcNow().UtcDateTime.Date;
        await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", new
        {
            site = "cab", sector, modality = "in_person", weekdays = new[] { "monday" }, startTime = "14:00", endTime = "15:00", slotMinutes = 20, firstDay = "2026-11-23",
        })).Expect(HttpStatusCode.Created);
        var ruleSlots = api.Rows("SELECT id FROM slots WHERE rpps = @rpps AND rule_id IS NOT NULL ORDER BY start_utc", new { rpps }).Select(r => (long)r.id).ToList();
        Assert.Equal(3, ruleSlots.Count);
        var published = await world.PublishedSlot(rpps, TimeSpan.FromHours(8), sector); // 16:00 in Paris
        var moved = (await (await regulator.Book(BookingRequests.Body(ruleSlots[0]))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await (await regulator.Book(BookingRequests.Body(ruleSlots[1]))).Expect(HttpStatusCode.Created);
        await (await regulator.Move(moved, published)).Expect(HttpStatusCode.OK);

        api.Clock.Advance(TimeSpan.FromHours(10)); // every slot has started
        await api.Services.GetRequiredService<Sas.Api.Jobs.SlotExpiryJob>().RunAsync(CancellationToken.None);
        await api.Recompute(day, day.AddDays(1));

        var totals = (await api.Report("fill-rate", cpts, day, day.AddDays(1))).GetProperty("totals");
        Assert.Equal((4, 2, 0.5), (totals.GetProperty("offered").GetInt32(), totals.GetProperty("booked").GetInt32(), totals.GetProperty("fillRate").GetDouble()));
        Assert.Equal(2, (await api.Report("indicators", cpts, day, day.AddDays(1))).GetProperty("sasRequestsWithAppointment").GetInt32());
    }

    [Fact]
    public async Task Reports_say_as_of_when_their_figures_were_computed()
    {
        using var api = new SasApiFactory();
        var (cpts, _, _) = await api.Territory();
        var day = api.Clock.GetUtcNow().UtcDateTime.Date;
        await api.Recompute(day, day.AddDays(1));
        var computed = api.Clock.GetUtcNow();
        api.Clock.Advance(TimeSpan.FromMinutes(4));
        foreach (var report in new[] { "fill-rate", "indicators", "majorations", "participation" })
            Assert.Equal(Sas.Domain.Time.Instants.Format(computed.UtcDateTime), (await api.Report(report, cpts, day, day.AddDays(1))).GetProperty("asOf").GetString());
    }
}
