using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Reports;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class ReportTests
{
    private static async Task<(SasApiFactory Api, string Cpts, string Sector, string Rpps)> Territory(SasApiFactory api, string department = "44", string commune = "44109")
    {
        var world = new World(api);
        var sector = await world.Sector(communes: [commune], department: department);
        var cpts = await world.Cpts(sector);
        return (api, cpts, sector, await world.Practitioner([sector]));
    }

    private static async Task Recompute(SasApiFactory api, DateTime from, DateTime to) =>
        await api.Services.GetRequiredService<StatsJob>().RecomputeAsync(from, to, default);

    private static async Task<Dictionary<string, System.Text.Json.JsonElement>> Rows(SasApiFactory api, string cpts, DateTime from, DateTime to, string groupBy)
    {
        var report = await (await api.Admin().GetAsync($"/v1/reports/fill-rate?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}&groupBy={groupBy}")).Expect(HttpStatusCode.OK);
        return report.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
    }

    /// <summary>Issue #32: who carries the territory's unscheduled care, by profession (hand-computed: GPs 1 of 2, nurses 2 of 3).</summary>
    [Fact]
    public async Task The_fill_rate_groups_by_profession()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, gp) = await Territory(api);
        var world = new World(api);
        var (nurse, otherNurse) = (await world.Professional([sector], "nurse"), await world.Professional([sector], "nurse"));
        var at = new DateTime(2026, 11, 10, 9, 0, 0, DateTimeKind.Utc);
        api.InsertSlot(gp, sector, at, 20, "booked");
        api.InsertSlot(gp, sector, at.AddHours(1), 20, "expired");
        api.InsertSlot(nurse, sector, at, 20, "booked");
        api.InsertSlot(nurse, sector, at.AddHours(1), 20, "expired");
        api.InsertSlot(otherNurse, sector, at.AddHours(2), 20, "booked");
        var (from, to) = (at.Date, at.Date.AddDays(1));
        await Recompute(api, from, to);

        var rows = await Rows(api, cpts, from, to, "profession");
        Assert.Equal(["general_practitioner", "nurse"], rows.Keys.Order());
        Assert.Equal((2, 1, "Médecin généraliste"), (rows["general_practitioner"].GetProperty("offered").GetInt32(), rows["general_practitioner"].GetProperty("booked").GetInt32(), rows["general_practitioner"].GetProperty("label").GetString()));
        Assert.Equal((3, 2, "Infirmier"), (rows["nurse"].GetProperty("offered").GetInt32(), rows["nurse"].GetProperty("booked").GetInt32(), rows["nurse"].GetProperty("label").GetString()));
        var participation = await (await api.Admin().GetAsync($"/v1/reports/participation?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}")).Expect(HttpStatusCode.OK);
        Assert.Equal("nurse", participation.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("rpps").GetString() == nurse).GetProperty("profession").GetString());
    }

    /// <summary>
    /// Issue #32: the ACI indicators per profession, adding up to the territory's, and every report limited to professions
    /// by its query. Hand-computed: a GP booked 3 h after the call (and a slot expired); a nurse booked 1 h after; another
    /// nurse's overflow booking 2 h after. Participating 1 + 2, SAS bookings 1 + 2, delays 180 | 60, 120.
    /// </summary>
    [Fact]
    public async Task The_indicators_split_by_profession_and_every_report_can_be_limited_to_professions()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, gp) = await Territory(api);
        var world = new World(api);
        var (nurse, otherNurse) = (await world.Professional([sector], "nurse", overflowPerDay: 2), await world.Professional([sector], "nurse"));
        var at = new DateTime(2026, 11, 10, 9, 0, 0, DateTimeKind.Utc);
        api.InsertBooking(new ReportData.BookingSpec(gp, sector, api.InsertSlot(gp, sector, at, 20, "booked"), at, at.AddHours(-3), at.AddHours(-3)));
        api.InsertSlot(gp, sector, at.AddHours(1), 20, "expired");
        api.InsertBooking(new ReportData.BookingSpec(nurse, sector, api.InsertSlot(nurse, sector, at, 20, "booked"), at, at.AddHours(-1), at.AddHours(-1)));
        api.InsertBooking(new ReportData.BookingSpec(nurse, sector, null, null, at.AddHours(2), at, RegularDoctor: "none"));
        api.InsertSlot(otherNurse, sector, at.AddHours(3), 20, "expired");
        var (from, to) = (at.Date, at.Date.AddDays(1));
        await Recompute(api, from, to);
        string Figures(System.Text.Json.JsonElement r) => string.Join(" ",
            new[] { "practitionersParticipating", "sasRequestsWithAppointment", "patientsWithoutRegularDoctor", "overflowBookings" }.Select(f => r.GetProperty(f).GetInt64())
                .Concat(new[] { "bookings", "median" }.Select(f => r.GetProperty("delay").GetProperty(f).GetInt64())));

        var all = await api.Report("indicators", cpts, from, to);
        Assert.Equal("3 3 1 1 3 120", Figures(all));
        var rows = all.GetProperty("byProfession").EnumerateArray().ToDictionary(r => r.GetProperty("profession").GetString()!);
        Assert.Equal(["general_practitioner", "nurse"], rows.Keys);
        Assert.Equal("1 1 0 0 1 180", Figures(rows["general_practitioner"]));
        Assert.Equal("2 2 1 1 2 60", Figures(rows["nurse"]));
        Assert.Equal("Infirmier", rows["nurse"].GetProperty("label").GetString());

        // Limited to nurses: the same figures as their row, and the other reports count only theirs.
        var nurses = await api.Report("indicators", cpts, from, to, "&profession=nurse");
        Assert.Equal(Figures(rows["nurse"]), Figures(nurses));
        var fill = (await api.Report("fill-rate", cpts, from, to, "&profession=nurse&groupBy=sector")).GetProperty("totals");
        Assert.Equal((2, 1), (fill.GetProperty("offered").GetInt32(), fill.GetProperty("booked").GetInt32()));
        var participation = (await api.Report("participation", cpts, from, to, "&profession=nurse")).GetProperty("rows").EnumerateArray();
        Assert.Equal([nurse, otherNurse], participation.Select(r => r.GetProperty("rpps").GetString()).Order());
        var gps = (await api.Report("fill-rate", cpts, from, to, "&profession=general_practitioner,physician")).GetProperty("totals");
        Assert.Equal((2, 1), (gps.GetProperty("offered").GetInt32(), gps.GetProperty("booked").GetInt32()));
        await (await api.Admin().GetAsync($"/v1/reports/indicators?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}&profession=plumber"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "profession");

        var csv = await (await api.Admin().GetAsync($"/v1/reports/indicators?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}&format=csv")).Content.ReadAsStringAsync();
        Assert.Equal(["all", "general_practitioner", "nurse"], csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[^1]));
    }

    /// <summary>Issue #32: a CPTS's staff limited to a profession report on it alone, and are refused another's figures.</summary>
    [Fact]
    public async Task A_cpts_limited_to_nurses_reports_on_nurses_only()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, gp) = await Territory(api);
        var nurse = await new World(api).Professional([sector], "nurse");
        var at = new DateTime(2026, 11, 10, 9, 0, 0, DateTimeKind.Utc);
        api.InsertSlot(gp, sector, at, 20, "booked");
        api.InsertSlot(nurse, sector, at, 20, "expired");
        var (from, to) = (at.Date, at.Date.AddDays(1));
        await Recompute(api, from, to);
        var desk = await new World(api).ClientFor("cpts", cpts, "profession=nurse");
        var period = $"cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}";

        var fill = await (await desk.GetAsync($"/v1/reports/fill-rate?{period}&groupBy=practitioner")).Expect(HttpStatusCode.OK);
        Assert.Equal(nurse, Assert.Single(fill.GetProperty("rows").EnumerateArray()).GetProperty("key").GetString());
        Assert.Equal(0, fill.GetProperty("totals").GetProperty("booked").GetInt32());
        var indicators = await (await desk.GetAsync($"/v1/reports/indicators?{period}")).Expect(HttpStatusCode.OK);
        Assert.Equal(["nurse"], indicators.GetProperty("byProfession").EnumerateArray().Select(r => r.GetProperty("profession").GetString()));
        await (await desk.GetAsync($"/v1/reports/fill-rate?{period}&profession=nurse")).Expect(HttpStatusCode.OK);
        foreach (var report in new[] { "fill-rate", "indicators", "majorations", "participation", "requests" })
            await (await desk.GetAsync($"/v1/reports/{report}?{period}&profession=nurse,general_practitioner")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await api.Admin().PostJson("/v1/clients", new { name = "desk", role = "cpts", scope = new[] { cpts, "profession=plumber" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "scope[1]");
    }

    [Fact]
    public async Task Spring_forward_day_buckets_in_paris_time()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        // 29 March 2026: 02:00 → 03:00 in Paris. 00:30Z = 01:30 local (CET), 01:30Z = 03:30 local (CEST), 22:30Z = 00:30 on the 30th.
        api.InsertSlot(rpps, sector, new DateTime(2026, 3, 29, 0, 30, 0, DateTimeKind.Utc), 20, "booked");
        api.InsertSlot(rpps, sector, new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc), 20, "expired");
        api.InsertSlot(rpps, sector, new DateTime(2026, 3, 29, 22, 30, 0, DateTimeKind.Utc), 20, "expired");
        await Recompute(api, new DateTime(2026, 3, 28, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc));

        var from = new DateTime(2026, 3, 28, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc);
        var days = await Rows(api, cpts, from, to, "day");
        Assert.Equal(2, days["2026-03-29"].GetProperty("offered").GetInt32());
        Assert.Equal(0.5, days["2026-03-29"].GetProperty("fillRate").GetDouble());
        Assert.Equal(1, days["2026-03-30"].GetProperty("offered").GetInt32());
        var hours = await Rows(api, cpts, from, to, "weekday_hour");
        Assert.Equal(1, hours["7-01"].GetProperty("offered").GetInt32());
        Assert.Equal(1, hours["7-03"].GetProperty("offered").GetInt32());
        Assert.False(hours.ContainsKey("7-02")); // the hour that does not exist
        Assert.Equal(1, hours["1-00"].GetProperty("offered").GetInt32());
    }

    [Fact]
    public async Task Fall_back_day_counts_both_0230s_in_one_local_hour()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        // 25 October 2026: 03:00 → 02:00 in Paris. 00:30Z and 01:30Z are both 02:30 local.
        api.InsertSlot(rpps, sector, new DateTime(2026, 10, 25, 0, 30, 0, DateTimeKind.Utc), 20, "booked");
        api.InsertSlot(rpps, sector, new DateTime(2026, 10, 25, 1, 30, 0, DateTimeKind.Utc), 20, "booked");
        api.InsertSlot(rpps, sector, new DateTime(2026, 10, 24, 22, 30, 0, DateTimeKind.Utc), 20, "expired"); // 00:30 on the 25th (CEST)
        var from = new DateTime(2026, 10, 24, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 10, 27, 0, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, to);

        var days = await Rows(api, cpts, from, to, "day");
        Assert.Equal(3, days["2026-10-25"].GetProperty("offered").GetInt32());
        Assert.False(days.ContainsKey("2026-10-24"));
        var hours = await Rows(api, cpts, from, to, "weekday_hour");
        Assert.Equal(2, hours["7-02"].GetProperty("offered").GetInt32());
        Assert.Equal(1.0, hours["7-02"].GetProperty("fillRate").GetDouble());
        Assert.Equal(1, hours["7-00"].GetProperty("offered").GetInt32());
    }

    [Fact]
    public async Task A_reunion_sector_buckets_in_reunion_time()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api, "974", "97411");
        // 23 November 2026 21:00Z is 24 November 01:00 in Saint-Denis (UTC+4).
        api.InsertSlot(rpps, sector, new DateTime(2026, 11, 23, 21, 0, 0, DateTimeKind.Utc), 20, "expired");
        api.Clock.Advance(TimeSpan.FromDays(1));
        var from = new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, to);
        Assert.Equal(["2026-11-24"], (await Rows(api, cpts, from, to, "day")).Keys);
        Assert.Equal(["2-01"], (await Rows(api, cpts, from, to, "weekday_hour")).Keys);
    }

    [Fact]
    public async Task Weeks_are_iso_weeks_across_the_year_boundary()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        api.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 10, 0, 0, 0, TimeSpan.Zero));
        api.InsertSlot(rpps, sector, new DateTime(2026, 12, 28, 9, 0, 0, DateTimeKind.Utc), 20, "booked");   // Monday of 2026-W53
        api.InsertSlot(rpps, sector, new DateTime(2027, 1, 2, 9, 0, 0, DateTimeKind.Utc), 20, "expired");    // Saturday, still 2026-W53
        api.InsertSlot(rpps, sector, new DateTime(2027, 1, 4, 9, 0, 0, DateTimeKind.Utc), 20, "expired");    // Monday of 2027-W01
        var from = new DateTime(2026, 12, 20, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2027, 1, 10, 0, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, to);
        var weeks = await Rows(api, cpts, from, to, "week");
        Assert.Equal(["2026-W53", "2027-W01"], weeks.Keys.Order());
        Assert.Equal(2, weeks["2026-W53"].GetProperty("offered").GetInt32());
        var months = await Rows(api, cpts, from, to, "month");
        Assert.Equal(["2026-12", "2027-01"], months.Keys.Order());
    }

    [Theory]
    [InlineData(19, 19, 285)]
    [InlineData(20, 20, 300)]
    [InlineData(21, 20, 300)]
    public async Task Majorations_are_capped_at_20_acts_a_week(int acts, int capped, int amount)
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        var monday = new DateTime(2026, 11, 16, 8, 0, 0, DateTimeKind.Utc); // 09:00 in Paris, a working Monday
        for (var i = 0; i < acts; i++)
        {
            var start = monday.AddDays(i % 5).AddMinutes(20 * (i / 5));
            var slot = api.InsertSlot(rpps, sector, start, 20, "booked");
            api.InsertBooking(new ReportData.BookingSpec(rpps, sector, slot, start, start.AddHours(-3), start.AddHours(-3), Outcome: "honoured"));
        }
        var from = new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, to);
        var report = await (await api.Admin().GetAsync($"/v1/reports/majorations?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}")).Expect(HttpStatusCode.OK);
        var row = Assert.Single(report.GetProperty("rows").EnumerateArray());
        Assert.Equal("2026-W47", row.GetProperty("week").GetString());
        Assert.Equal(acts, row.GetProperty("eligibleActs").GetInt32());
        Assert.Equal(capped, row.GetProperty("cappedActs").GetInt32());
        Assert.Equal(amount, row.GetProperty("amount").GetDecimal());
    }

    /// <summary>Issue #32: the majoration SNP is a physicians' fee; a nurse's SAS booking, alike in all else, earns none.</summary>
    [Fact]
    public async Task Majorations_count_physicians_bookings_only()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, gp) = await Territory(api);
        var world = new World(api);
        var nurse = await world.Professional([sector], "nurse");
        var cardiologist = await world.Professional([sector], "physician", "SM04");
        var start = new DateTime(2026, 11, 16, 8, 0, 0, DateTimeKind.Utc); // 09:00 in Paris, a working Monday
        foreach (var rpps in new[] { gp, nurse, cardiologist })
        {
            var slot = api.InsertSlot(rpps, sector, start, 20, "booked");
            api.InsertBooking(new ReportData.BookingSpec(rpps, sector, slot, start, start.AddHours(-3), start.AddHours(-3), Outcome: "honoured"));
        }
        var (from, to) = (new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc));
        await Recompute(api, from, to);
        var report = await (await api.Admin().GetAsync($"/v1/reports/majorations?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}")).Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { cardiologist, gp }.Order(), report.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("rpps").GetString()!).Order());
    }

    [Fact]
    public async Task Majorations_count_at_exactly_48_hours_and_exclude_no_shows_cancellations_pdsa_and_the_patients_own_gp()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        var start = new DateTime(2026, 11, 18, 9, 0, 0, DateTimeKind.Utc); // Wednesday 10:00 in Paris
        void Book(DateTime at, TimeSpan delay, string? outcome = "honoured", string status = "booked", bool own = false, string origin = "sas")
        {
            var slot = api.InsertSlot(rpps, sector, at, 20, status == "cancelled" ? "expired" : "booked");
            api.InsertBooking(new ReportData.BookingSpec(rpps, sector, slot, at, at - delay, at - delay, status, outcome, origin, GpIsRegularDoctor: own));
        }
        Book(start, TimeSpan.FromHours(48));                                     // counts: exactly 48 h
        Book(start.AddMinutes(20), TimeSpan.FromHours(48).Add(TimeSpan.FromMinutes(1))); // too late
        Book(start.AddMinutes(40), TimeSpan.FromHours(2), outcome: "no_show");
        Book(start.AddMinutes(60), TimeSpan.FromHours(2), outcome: null, status: "cancelled");
        Book(start.AddHours(10), TimeSpan.FromHours(2));                        // 20:00 local: PDSA
        Book(start.AddMinutes(80), TimeSpan.FromHours(2), own: true);           // the patient's médecin traitant
        Book(start.AddMinutes(100), TimeSpan.FromHours(2), origin: "pharmacy"); // not regulated by the SAS
        Book(start.AddMinutes(120), TimeSpan.FromHours(2), outcome: null);      // no outcome yet: counts
        var from = new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, to);
        var report = await (await api.Admin().GetAsync($"/v1/reports/majorations?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, Assert.Single(report.GetProperty("rows").EnumerateArray()).GetProperty("eligibleActs").GetInt32());
    }

    [Fact]
    public async Task A_cpts_sees_only_its_own_territory()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, _) = await Territory(api);
        var (_, otherCpts, otherSector, _) = await Territory(api);
        var world = new World(api);
        var staff = await world.ClientFor("cpts", cpts);
        const string period = "&from=2026-11-01T00:00:00Z&to=2026-11-23T00:00:00Z";
        await (await staff.GetAsync($"/v1/reports/fill-rate?cpts={cpts}{period}")).Expect(HttpStatusCode.OK);
        await (await staff.GetAsync($"/v1/reports/fill-rate?sector={sector}{period}")).Expect(HttpStatusCode.OK);
        await (await staff.GetAsync($"/v1/reports/fill-rate?cpts={otherCpts}{period}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await staff.GetAsync($"/v1/reports/indicators?sector={otherSector}{period}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.GetAsync($"/v1/reports/majorations?cpts={cpts}{period}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await staff.GetAsync($"/v1/reports/fill-rate?cpts={cpts}&from=2026-11-01T00:00:00&to=2026-11-23T00:00:00Z")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "from");
        await (await staff.GetAsync($"/v1/reports/fill-rate?cpts={cpts}{period}&groupBy=year")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "groupBy");
        await (await staff.GetAsync($"/v1/reports/fill-rate?cpts={cpts}&sector={sector}{period}")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "cpts");
    }

    [Fact]
    public async Task Csv_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", new
        {
            firstName = "@SUM(A1:A9)", lastName = "=HYPERLINK(\"https://evil.example\")", sectors = new[] { sector },
            sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue", commune = "44109", postalCode = "44000" } },
        })).Expect(HttpStatusCode.OK);
        api.InsertSlot(rpps, sector, new DateTime(2026, 11, 18, 9, 0, 0, DateTimeKind.Utc), 20, "booked");
        var from = new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, from.AddDays(7));
        foreach (var format in new[] { "csv", "excel-fr" })
        {
            var text = await api.Admin().GetStringAsync($"/v1/reports/fill-rate?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(from.AddDays(7))}&groupBy=practitioner&format={format}");
            var cells = text.Split("\r\n")[1].Split(format == "csv" ? ',' : ';');
            Assert.StartsWith("\"'@SUM(A1:A9) =HYPERLINK(", cells[1]);
            Assert.DoesNotContain(cells, c => c.Length > 0 && c.TrimStart('"')[0] is '=' or '+' or '@');
        }

        var csv = new Csv(excelFr: false).Row("-1+2", "+33 6", "\tx", "plain", -1.5, 3).ToString();
        Assert.Equal("'-1+2,'+33 6,'\tx,plain,-1.5,3\r\n", csv); // numbers stay numbers
    }

    [Fact]
    public async Task Csv_and_french_excel_give_the_same_figures_as_json()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        var day = new DateTime(2026, 11, 18, 9, 0, 0, DateTimeKind.Utc);
        api.InsertSlot(rpps, sector, day, 20, "booked");
        api.InsertSlot(rpps, sector, day.AddHours(1), 20, "booked");
        api.InsertSlot(rpps, sector, day.AddHours(2), 20, "expired");
        var from = new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, to);
        var url = $"/v1/reports/fill-rate?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}&groupBy=day";

        var json = await (await api.Admin().GetAsync(url)).Expect(HttpStatusCode.OK);
        Assert.Equal(0.6667, json.GetProperty("rows")[0].GetProperty("fillRate").GetDouble());

        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = await api.Admin().SendAsync(request);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("key,label,weekday,hour,offered,booked,expired,fillRate,honoured,noShow,cancelled", lines[0]);
        Assert.Equal("2026-11-18,,,,3,2,1,0.6667,0,0,0", lines[1]);
        Assert.Equal("total,,,,3,2,1,0.6667,0,0,0", lines[2]);

        var excel = await api.Admin().GetAsync(url + "&format=excel-fr");
        var bytes = await excel.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var excelLines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("key;label;weekday;hour;offered;booked;expired;fillRate;honoured;noShow;cancelled", excelLines[0]);
        Assert.Equal("2026-11-18;;;;3;2;1;0,6667;0;0;0", excelLines[1]);
    }

    [Fact]
    public async Task Nothing_offered_gives_a_null_fill_rate_not_zero()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        var start = new DateTime(2026, 11, 18, 9, 0, 0, DateTimeKind.Utc);
        var slot = api.InsertSlot(rpps, sector, start, 20, "expired");
        api.InsertBooking(new ReportData.BookingSpec(rpps, sector, slot, start, start.AddHours(-2), start.AddHours(-2), "cancelled"));
        using (var c = api.OpenDb()) Dapper.SqlMapper.Execute(c, "UPDATE slots SET status = 'withdrawn' WHERE id = @slot", new { slot });
        var from = new DateTime(2026, 11, 16, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
        await Recompute(api, from, to);
        var report = await (await api.Admin().GetAsync($"/v1/reports/fill-rate?cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}")).Expect(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, report.GetProperty("totals").GetProperty("fillRate").ValueKind);
        Assert.Equal(1, report.GetProperty("totals").GetProperty("cancelled").GetInt32());
    }

    [Fact]
    public async Task The_upgrade_fills_the_sector_table_from_the_hourly_rows_already_stored()
    {
        using var api = new SasApiFactory();
        var (_, cpts, sector, rpps) = await Territory(api);
        var other = await new World(api).Practitioner([sector]);
        var from = new DateTime(2026, 5, 4, 0, 0, 0, DateTimeKind.Utc);
        api.InsertSlot(rpps, sector, from.AddHours(8), 20, "booked");
        api.InsertSlot(other, sector, from.AddHours(8).AddMinutes(20), 20, "expired");
        api.InsertSlot(other, sector, from.AddDays(1).AddHours(14), 20, "booked");
        await Recompute(api, from, from.AddDays(7));
        const string read = "SELECT sector_code, hour_utc, offered, booked, local_day, local_hour FROM stats_sector_hourly ORDER BY hour_utc";
        static List<string> Stored(System.Data.Common.DbConnection c) => Dapper.SqlMapper.Query(c, read)
            .Select(r => string.Join(' ', ((IDictionary<string, object?>)r).Values.Select(v => v is DateTime d ? d.ToString("s") : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        using var c = api.OpenDb();
        var written = Stored(c);
        Assert.Equal(2, written.Count);
        Assert.StartsWith($"{sector} ", written[0]);
        Assert.EndsWith(" 2 1 2026-05-04 10", written[0]); // two GPs' slots in one sector hour, 08:00Z = 10:00 in Paris

        // A database upgraded from 0007 already holds hourly rows: the migration sums them itself.
        Dapper.SqlMapper.Execute(c, "DROP TABLE stats_sector_hourly");
        var script = typeof(StatsJob).Assembly.GetManifestResourceStream(
            $"migrations.{Sas.Api.Infrastructure.Data.DatabaseOptions.MigrationsFolder(Enum.Parse<Sas.Api.Infrastructure.Data.DatabaseProvider>(TestEngine.Provider))}.0008_stats_sector_hourly.sql")!;
        Dapper.SqlMapper.Execute(c, await new StreamReader(script).ReadToEndAsync());
        Assert.Equal(written, Stored(c));
        var months = await Rows(api, cpts, from, from.AddDays(7), "month");
        Assert.Equal(3, months["2026-05"].GetProperty("offered").GetInt32());
    }
}
