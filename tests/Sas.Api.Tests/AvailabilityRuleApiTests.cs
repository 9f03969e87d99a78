using Dapper;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Rules;
using Sas.Api.Search;
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

    /// <summary>
    /// The job makes its batches in start order, whatever the GPs' numbers: a transaction's slots then sit together in the
    /// indexes ordered by start (a year of rules in RPPS order wrote three times the log pages).
    /// </summary>
    [Fact]
    public void The_job_makes_rules_in_the_order_of_their_first_missing_start_then_by_gp()
    {
        static RuleStore.Wanted Wanted(string rpps, int day) =>
            new(new RuleRow { Id = rpps + day, Rpps = rpps }, [(new DateTime(2027, 1, day, 13, 0, 0, DateTimeKind.Utc), new DateTime(2027, 1, day, 13, 20, 0, DateTimeKind.Utc))]);

        var order = RuleService.InMakingOrder([Wanted("100", 8), Wanted("300", 4), Wanted("200", 8), Wanted("400", 5)]).Select(w => w.Rule.Id);

        Assert.Equal(["3004", "4005", "1008", "2008"], order);
    }

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

    /// <summary>
    /// A rule and its first slots are stored together or not at all: when making the slots fails (here a trigger refusing
    /// this GP's slots), no rule is left behind without them for a retry to duplicate; once it works, the same request makes both.
    /// </summary>
    [EngineFact]
    public async Task A_rule_whose_slots_cannot_be_made_is_not_stored_either()
    {
        var (sector, rpps, practice) = await Gp();
        var trigger = $"refuse_slots_{rpps}";
        using (var c = api.OpenDb())
            c.Execute(TestEngine.IsPostgres
                ? $"""
                  CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$;
                  CREATE TRIGGER {trigger} BEFORE INSERT ON slots FOR EACH ROW WHEN (NEW.rpps = '{rpps}') EXECUTE FUNCTION {trigger}();
                  """
                : $"CREATE TRIGGER {trigger} BEFORE INSERT ON slots WHEN NEW.rpps = '{rpps}' BEGIN SELECT RAISE(ABORT, 'injected'); END;");
        try
        {
            var failed = await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector));
            Assert.False(failed.IsSuccessStatusCode);
        }
        finally
        {
            using var c = api.OpenDb();
            c.Execute(TestEngine.IsPostgres ? $"DROP TRIGGER {trigger} ON slots; DROP FUNCTION {trigger}();" : $"DROP TRIGGER {trigger}");
        }
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM availability_rules WHERE rpps = @rpps", new { rpps }));
        Assert.Equal(0, RuleSlots(rpps));

        var made = await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector))).Expect(HttpStatusCode.Created);
        Assert.Equal(6, made.GetProperty("slotsMade").GetInt32());
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM availability_rules WHERE rpps = @rpps", new { rpps }));
    }

    /// <summary>
    /// The slot index learns of a rule's slots from the feed, without reading all again: on SQLite from one row naming the
    /// batch's ids (the slot trigger names none a rule makes), on PostgreSQL from the trigger per statement.
    /// </summary>
    [EngineFact]
    public async Task The_slots_a_rule_makes_reach_the_slot_index_through_the_feed()
    {
        var (sector, rpps, practice) = await Gp();
        var regulator = await world.ClientFor("regulator", sector);
        Assert.Equal(0, (await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());
        var index = api.Services.GetRequiredService<IndexedSearch>();
        var reloads = index.Reloads;

        await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", TuesdayAfternoon(sector))).Expect(HttpStatusCode.Created);

        var ids = api.Rows("SELECT id FROM slots WHERE rpps = @rpps ORDER BY id", new { rpps }).Select(r => (long)r.id).ToList();
        Assert.Equal(6, ids.Count);
        var found = await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.Equal(ids, found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).Order());
        Assert.Equal(reloads, index.Reloads);
        if (!TestEngine.IsPostgres && !TestEngine.IsSqlServer) // SQLite: one row names the six
            Assert.Equal(1L, api.Count("SELECT COUNT(*) FROM slot_changes WHERE slot_id >= @first AND slot_id <= @last AND (last_slot_id = @last OR last_slot_id IS NULL)",
                new { first = ids[0], last = ids[^1] }));
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

    private long[] LiveRuleSlotIds(string rpps) =>
        [.. api.Rows("SELECT id FROM slots WHERE rpps = @rpps AND rule_id IS NOT NULL AND status <> 'withdrawn' ORDER BY start_utc", new { rpps }).Select(r => (long)r.id)];

    private async Task<string> CreateRule(HttpClient practice, string rpps, object body) =>
        (await (await practice.PostJson($"/v1/practitioners/{rpps}/rules", body)).Expect(HttpStatusCode.Created)).GetProperty("rule").GetProperty("id").GetString()!;

    /// <summary>20-minute slots become 30-minute ones until 17:00: the free slots change, the booked one stays and is named.</summary>
    [EngineFact]
    public async Task Editing_a_rule_changes_only_its_free_future_slots_and_names_the_booked_one_it_keeps()
    {
        var (sector, rpps, practice) = await Gp();
        var rule = await CreateRule(practice, rpps, TuesdayAfternoon(sector));
        var first = LiveRuleSlotIds(rpps)[0];
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.Book(BookingRequests.Body(first))).Expect(HttpStatusCode.Created);
        var longer = new { site = "cab", sector, modality = "in_person", weekdays = new[] { "tuesday" }, startTime = "14:00", endTime = "17:00", slotMinutes = 30, firstDay = "2026-11-01" };

        var edited = await (await practice.PutJson($"/v1/practitioners/{rpps}/rules/{rule}", longer)).Expect(HttpStatusCode.OK);

        Assert.Equal(5, edited.GetProperty("withdrawn").GetInt32()); // 14:20 … 15:40
        Assert.Equal([first], edited.GetProperty("kept").EnumerateArray().Select(k => k.GetInt64()));
        Assert.Equal(5, edited.GetProperty("slotsMade").GetInt32()); // 14:30 … 16:30; 14:00 is the booked slot's
        Assert.Equal(30, edited.GetProperty("rule").GetProperty("slotMinutes").GetInt32());
        Assert.Equal((1, 5), (RuleSlots(rpps, "booked"), RuleSlots(rpps, "available")));
        var free = LiveRuleSlotIds(rpps).Where(id => id != first).Take(2).ToList();
        var starts = new List<string?>();
        foreach (var id in free) starts.Add((await (await api.Admin().GetAsync($"/v1/slots/{id}")).Expect(HttpStatusCode.OK)).GetProperty("start").GetString());
        Assert.Equal(["2026-11-24T13:30:00Z", "2026-11-24T14:00:00Z"], starts);
        Assert.Equal(30, (int)(await (await practice.GetAsync($"/v1/practitioners/{rpps}/rules")).Expect(HttpStatusCode.OK))[0].GetProperty("slotMinutes").GetInt32());

        // And back: the 20-minute slots are made again (a slot the practice withdraws itself is not; see the job's test).
        var back = await (await practice.PutJson($"/v1/practitioners/{rpps}/rules/{rule}", TuesdayAfternoon(sector))).Expect(HttpStatusCode.OK);
        Assert.Equal((5, 5), (back.GetProperty("withdrawn").GetInt32(), back.GetProperty("slotsMade").GetInt32()));
        Assert.Equal((1, 5), (RuleSlots(rpps, "booked"), RuleSlots(rpps, "available")));
    }

    [EngineFact]
    public async Task An_edit_that_keeps_the_times_keeps_the_slots_themselves()
    {
        var (sector, rpps, practice) = await Gp();
        var rule = await CreateRule(practice, rpps, TuesdayAfternoon(sector));
        var before = LiveRuleSlotIds(rpps);
        var untilJune = new { site = "cab", sector, modality = "in_person", weekdays = new[] { "tuesday" }, startTime = "14:00", endTime = "16:00", slotMinutes = 20, firstDay = "2026-11-01", lastDay = "2027-06-30", exceptions = new[] { "2026-12-29" } };

        var edited = await (await practice.PutJson($"/v1/practitioners/{rpps}/rules/{rule}", untilJune)).Expect(HttpStatusCode.OK);

        Assert.Equal((0, 0, 0), (edited.GetProperty("withdrawn").GetInt32(), edited.GetProperty("slotsMade").GetInt32(), edited.GetProperty("kept").GetArrayLength()));
        Assert.Equal(before, LiveRuleSlotIds(rpps));
        Assert.Equal("2027-06-30", edited.GetProperty("rule").GetProperty("lastDay").GetString());
    }

    [EngineFact]
    public async Task An_edit_refused_changes_nothing_and_an_unknown_rule_is_a_404()
    {
        var (sector, rpps, practice) = await Gp();
        var rule = await CreateRule(practice, rpps, TuesdayAfternoon(sector));
        var before = api.SlotSnapshot(rpps);

        var refused = await (await practice.PutJson($"/v1/practitioners/{rpps}/rules/{rule}", TuesdayAfternoon(sector, start: "16:00", end: "14:00"))).Expect((HttpStatusCode)422);
        Assert.True(refused.GetProperty("errors").TryGetProperty("endTime", out _), refused.ToString());
        var missing = await practice.PutJson($"/v1/practitioners/{rpps}/rules/nope", TuesdayAfternoon(sector));
        Assert.Equal("rule_not_found", (await missing.Expect(HttpStatusCode.NotFound)).GetProperty("code").GetString());

        Assert.Equal(before, api.SlotSnapshot(rpps));
        Assert.Equal("14:00", (await (await practice.GetAsync($"/v1/practitioners/{rpps}/rules")).Expect(HttpStatusCode.OK))[0].GetProperty("startTime").GetString());
    }

    /// <summary>
    /// Bookings race an edit that moves the afternoon: a slot booked before the edit's turn is kept and named, one the
    /// edit withdrew refuses its booking; never a booking on a withdrawn slot, never a free slot the old rule left behind.
    /// </summary>
    [EngineFact]
    public async Task Bookings_racing_an_edit_either_win_and_are_kept_or_find_the_slot_withdrawn()
    {
        var (sector, rpps, practice) = await Gp();
        var rule = await CreateRule(practice, rpps, TuesdayAfternoon(sector));
        var old = LiveRuleSlotIds(rpps);
        var regulators = await Task.WhenAll(old.Select(_ => world.ClientFor("regulator", sector)));
        var later = TuesdayAfternoon(sector, start: "16:00", end: "18:00");
        var early = new[] { await regulators[0].Book(BookingRequests.Body(old[0])), await regulators[1].Book(BookingRequests.Body(old[1])) };

        var bookings = early.Select(Task.FromResult).Concat(old.Skip(2).Select((id, i) => Task.Run(() => regulators[i + 2].Book(BookingRequests.Body(id))))).ToList();
        var edit = Task.Run(() => practice.PutJson($"/v1/practitioners/{rpps}/rules/{rule}", later));
        await Task.WhenAll([.. bookings, edit]);

        var edited = await (await edit).Expect(HttpStatusCode.OK);
        var won = new List<long>();
        foreach (var (answer, id) in bookings.Select((b, i) => (b.Result, old[i])))
        {
            Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Gone }); // 410 slot_withdrawn
            if (answer.StatusCode == HttpStatusCode.Created) won.Add(id);
        }
        Assert.Subset(won.ToHashSet(), old.Take(2).ToHashSet());
        Assert.Equal(won.Order(), edited.GetProperty("kept").EnumerateArray().Select(k => k.GetInt64()).Order());
        Assert.Equal(old.Length - won.Count, edited.GetProperty("withdrawn").GetInt32());
        foreach (var id in old)
            Assert.Equal(won.Contains(id) ? "booked" : "withdrawn", (string)api.Rows("SELECT status FROM slots WHERE id = @id", new { id }).Single().status);
        Assert.Equal(6, edited.GetProperty("slotsMade").GetInt32()); // 16:00 to 18:00
    }

    /// <summary>Issue #32: a CPTS whose scope is limited to nurses runs its nurses' rota, and no other profession's.</summary>
    [EngineFact]
    public async Task A_cpts_limited_to_nurses_runs_the_rota_of_its_nurses_only()
    {
        var sector = await world.Sector(horizon: 48);
        var finess = await world.Cpts(sector);
        var (gp, nurse) = (await world.Practitioner([sector]), await world.Professional([sector], "nurse"));
        var everyone = await world.ClientFor("cpts", finess);
        var gpRule = (await (await everyone.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = gp, rule = TuesdayAfternoon(sector) })).Expect(HttpStatusCode.Created))
            .GetProperty("rule").GetProperty("id").GetString();
        var nurses = await world.ClientFor("cpts", finess, "profession=nurse");

        await (await nurses.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = gp, rule = TuesdayAfternoon(sector, start: "09:00", end: "10:00") }))
            .ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await nurses.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = nurse, rule = TuesdayAfternoon(sector) })).Expect(HttpStatusCode.Created);
        Assert.Equal([nurse], (await (await nurses.GetAsync($"/v1/cpts/{finess}/rota")).Expect(HttpStatusCode.OK)).EnumerateArray().Select(r => r.GetProperty("practitionerRpps").GetString()));
        await (await nurses.PutJson($"/v1/cpts/{finess}/rota/{gpRule}", TuesdayAfternoon(sector, start: "15:00", end: "16:00"))).ExpectProblem(HttpStatusCode.NotFound, "rule_not_found");
        await (await nurses.DeleteAsync($"/v1/cpts/{finess}/rota/{gpRule}")).ExpectProblem(HttpStatusCode.NotFound, "rule_not_found");
        Assert.Equal(2, (await (await everyone.GetAsync($"/v1/cpts/{finess}/rota")).Expect(HttpStatusCode.OK)).GetArrayLength());
    }

    /// <summary>The CPTS coordinator runs the rota for the GPs of its sectors, and only those sectors.</summary>
    [EngineFact]
    public async Task The_cpts_coordinator_gives_edits_and_removes_rules_for_the_gps_of_its_sectors_only()
    {
        var sector = await world.Sector(horizon: 48);
        var elsewhere = await world.Sector(horizon: 48);
        var finess = await world.Cpts(sector);
        var rpps = await world.Practitioner([sector, elsewhere]);
        var coordinator = await world.ClientFor("cpts", finess);
        var otherFiness = await world.Cpts(elsewhere);
        var otherCpts = await world.ClientFor("cpts", otherFiness);

        var made = await (await coordinator.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = rpps, rule = TuesdayAfternoon(sector) })).Expect(HttpStatusCode.Created);
        Assert.Equal(6, made.GetProperty("slotsMade").GetInt32());
        var rule = made.GetProperty("rule").GetProperty("id").GetString();
        Assert.Equal(rpps, (await (await coordinator.GetAsync($"/v1/cpts/{finess}/rota")).Expect(HttpStatusCode.OK))[0].GetProperty("practitionerRpps").GetString());

        // Not its sector, not its GP's, not its CPTS.
        var outside = await (await coordinator.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = rpps, rule = TuesdayAfternoon(elsewhere) })).Expect((HttpStatusCode)422);
        Assert.True(outside.GetProperty("errors").TryGetProperty("rule.sector", out _), outside.ToString());
        var stranger = await (await coordinator.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = World.NewRpps(), rule = TuesdayAfternoon(sector) })).Expect(HttpStatusCode.NotFound);
        Assert.Equal("practitioner_not_found", stranger.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await otherCpts.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = rpps, rule = TuesdayAfternoon(sector) })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherCpts.DeleteAsync($"/v1/cpts/{otherFiness}/rota/{rule}")).StatusCode);
        var missingRule = await (await coordinator.PostJson($"/v1/cpts/{finess}/rota", new { practitioner = rpps })).Expect((HttpStatusCode)422);
        Assert.True(missingRule.GetProperty("errors").TryGetProperty("rule", out _));

        var edited = await (await coordinator.PutJson($"/v1/cpts/{finess}/rota/{rule}", TuesdayAfternoon(sector, start: "15:00", end: "16:00"))).Expect(HttpStatusCode.OK);
        Assert.Equal((3, 0), (edited.GetProperty("withdrawn").GetInt32(), edited.GetProperty("slotsMade").GetInt32()));
        var removed = await (await coordinator.DeleteAsync($"/v1/cpts/{finess}/rota/{rule}")).Expect(HttpStatusCode.OK);
        Assert.Equal(3, removed.GetProperty("withdrawn").GetInt32());
        Assert.Equal(0, RuleSlots(rpps, "available"));

        // A rule the GP's practice gave in another CPTS's sector is not this rota's.
        var own = await CreateRule(await world.ClientFor("practitioner", rpps), rpps, TuesdayAfternoon(elsewhere));
        Assert.Equal("rule_not_found", (await (await coordinator.DeleteAsync($"/v1/cpts/{finess}/rota/{own}")).Expect(HttpStatusCode.NotFound)).GetProperty("code").GetString());
        Assert.Empty((await (await coordinator.GetAsync($"/v1/cpts/{finess}/rota")).Expect(HttpStatusCode.OK)).EnumerateArray());
    }
}
