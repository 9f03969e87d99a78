using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Rules;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// Recurring availability through the API: "every Tuesday afternoon" given once makes its slots up to the sector's
/// horizon, the job makes the next ones as the horizon moves, once whatever runs it at the same time, a sync leaves
/// them alone and may not overlap them, and removing the rule withdraws the free ones only.
/// The clock starts on Monday 23 November 2026, 08:00 in Paris; sectors here book 48 hours ahead.
/// </summary>
public sealed class AvailabilityRuleApiTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    private static object TuesdayAfternoon(string sector, string? site = "cab", string[]? weekdays = null, string start = "14:00", string end = "16:00") => new
    {
        site, sector, modality = "in_person", weekdays = weekdays ?? ["tuesday"], startTime = start, endTime = end, slotMinutes = 20, firstDay = "2026-11-01",
    };

    private long RuleSlots(string rpps, string? status = null) => api.Count(
        "SELECT COUNT(*) FROM slots WHERE rpps = @rpps AND rule_id IS NOT NULL" + (status is null ? "" : " AND status = @status"), new { rpps, status });

    private Task<(string Sector, string Rpps, HttpClient Practice)> Gp() => Gp(world);

    private static async Task<(string Sector, string Rpps, HttpClient Practice)> Gp(World world)
    {
        var sector = await world.Sector(horizon: 48);
        var rpps = await world.Practitioner([sector]);
        return (sector, rpps, await world.ClientFor("practitioner", rpps));
    }

    private Task<int> RunJob() => RunJob(api);

    private static Task<int> RunJob(SasApiFactory on) => on.Services.GetRequiredService<RuleJob>().RunAsync(CancellationToken.None);

    [EngineFact]
    public async Task Every_tuesday_afternoon_makes_its_slots_up_to_the_horizon_and_regulators_find_them()
    {
        var (sector, rpps, practice) = await Gp();

        var made = await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector))).Expect(HttpStatusCode.Created);

        Assert.Equal(6, made.GetProperty("slotsMade").GetInt32()); // Tuesday 24th, 14:00 to 16:00 in 20-minute slots
        Assert.Equal(0, made.GetProperty("conflicts").GetArrayLength());
        var ids = api.Rows("SELECT id FROM slots WHERE rpps = @rpps ORDER BY start_utc", new { rpps }).Select(r => (long)r.id).ToList();
        Assert.Equal(6, ids.Count);
        var first = await (await api.Admin().GetAsync($"/v1/slots/{ids[0]}")).Expect(HttpStatusCode.OK);
        Assert.Equal("2026-11-24T13:00:00Z", first.GetProperty("start").GetString()); // 14:00 in Paris (UTC+1)
        var regulator = await world.ClientFor("regulator", sector);
        var found = await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.Equal(6, found.GetProperty("items").GetArrayLength());
        var listed = await (await practice.GetAsync($"/v1/practitioners/{rpps}/rules")).Expect(HttpStatusCode.OK);
        Assert.Equal("tuesday", listed[0].GetProperty("weekdays")[0].GetString());
    }

    /// <summary>The job on several nodes at once (here five runs in parallel), and again: each slot once.</summary>
    [EngineFact]
    public async Task The_job_makes_the_next_slots_as_the_horizon_moves_each_once_however_many_run_it()
    {
        using var own = new SasApiFactory(); // its clock moves a week
        var (sector, rpps, practice) = await Gp(new World(own));
        await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector))).Expect(HttpStatusCode.Created);
        long Made() => own.Count("SELECT COUNT(*) FROM slots WHERE rpps = @rpps AND rule_id IS NOT NULL", new { rpps });

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => RunJob(own))));
        Assert.Equal(6, Made());

        own.Clock.Advance(TimeSpan.FromDays(7));
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => RunJob(own))));
        await RunJob(own);
        Assert.Equal(12, Made()); // Tuesday 1 December too
    }

    [EngineFact]
    public async Task A_sync_leaves_rule_slots_alone_and_may_not_overlap_them()
    {
        var (sector, rpps, practice) = await Gp();
        await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector))).Expect(HttpStatusCode.Created);
        var from = World.Instant(SasApiFactory.Start);
        var to = World.Instant(SasApiFactory.Start.AddDays(2));

        // The practice software's own week, which knows nothing of the rule: the rule's slots stay.
        var own = new { start = "2026-11-24T09:00:00+01:00", end = "2026-11-24T09:20:00+01:00", sector, site = "cab", modality = "in_person", externalId = "own-1" };
        await (await practice.PutJson($"/v1/practitioners/{rpps}/slots?from={from}&to={to}", new { slots = new[] { own } })).Expect(HttpStatusCode.OK);
        Assert.Equal(6, RuleSlots(rpps, "available"));

        var clash = new { start = "2026-11-24T14:10:00+01:00", end = "2026-11-24T14:30:00+01:00", sector, site = "cab", modality = "in_person", externalId = "own-2" };
        var refused = await practice.PutJson($"/v1/practitioners/{rpps}/slots?from={from}&to={to}", new { slots = new[] { own, clash } });
        Assert.Equal("slot_overlap", (await refused.Expect((HttpStatusCode)422)).GetProperty("code").GetString());
        Assert.Equal(6, RuleSlots(rpps, "available"));
    }

    [EngineFact]
    public async Task A_rule_does_not_make_a_slot_another_slot_overlaps_and_names_it()
    {
        var (sector, rpps, practice) = await Gp();
        var published = await (await practice.PostJson($"/v1/practitioners/{rpps}/slots",
            new { start = "2026-11-24T14:25:00+01:00", end = "2026-11-24T14:45:00+01:00", sector, site = "cab", modality = "in_person" })).Expect(HttpStatusCode.Created);

        var made = await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector))).Expect(HttpStatusCode.Created);

        Assert.Equal(4, made.GetProperty("slotsMade").GetInt32()); // 14:20 and 14:40 overlap the slot published at 14:25
        var conflicts = made.GetProperty("conflicts").EnumerateArray().ToList();
        Assert.Equal(["2026-11-24T13:20:00Z", "2026-11-24T13:40:00Z"], conflicts.Select(c => c.GetProperty("start").GetString()));
        Assert.All(conflicts, c => Assert.Equal(published.GetProperty("id").GetInt64(), c.GetProperty("overlappingSlotId").GetInt64()));
    }

    [EngineFact]
    public async Task Removing_a_rule_withdraws_its_free_slots_and_keeps_the_booked_one()
    {
        var (sector, rpps, practice) = await Gp();
        var rule = (await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector))).Expect(HttpStatusCode.Created)).GetProperty("rule").GetProperty("id").GetString();
        var first = (long)api.Rows("SELECT id FROM slots WHERE rpps = @rpps ORDER BY start_utc", new { rpps }).First().id;
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.Book(BookingRequests.Body(first))).Expect(HttpStatusCode.Created);

        var removed = await (await practice.DeleteAsync($"/v1/practitioners/{rpps}/rules/{rule}")).Expect(HttpStatusCode.OK);

        Assert.Equal(5, removed.GetProperty("withdrawn").GetInt32());
        Assert.Equal([first], removed.GetProperty("kept").EnumerateArray().Select(k => k.GetInt64()));
        Assert.Equal((1, 5), (RuleSlots(rpps, "booked"), RuleSlots(rpps, "withdrawn")));
        await RunJob(); // the rule is gone: nothing is made again
        Assert.Equal(6, RuleSlots(rpps));
        Assert.Equal("rule_not_found", (await (await practice.DeleteAsync($"/v1/practitioners/{rpps}/rules/{rule}")).Expect(HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }

    [EngineTheory]
    [InlineData("weekday", "weekdays[0]")]
    [InlineData("site", "site")]
    [InlineData("end", "endTime")]
    [InlineData("time", "startTime")]
    public async Task A_malformed_rule_is_a_422_naming_the_field_and_makes_nothing(string what, string field)
    {
        var (sector, rpps, practice) = await Gp();
        var body = what switch
        {
            "weekday" => TuesdayAfternoon(sector, weekdays: ["mardi"]),
            "site" => TuesdayAfternoon(sector, site: "elsewhere"),
            "end" => TuesdayAfternoon(sector, start: "16:00", end: "14:00"),
            _ => TuesdayAfternoon(sector, start: "2pm"),
        };

        var refused = await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", body)).Expect((HttpStatusCode)422);

        Assert.True(refused.GetProperty("errors").TryGetProperty(field, out _), refused.ToString());
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM availability_rules WHERE rpps = @rpps", new { rpps }));
        Assert.Equal(0, RuleSlots(rpps));
    }
}
