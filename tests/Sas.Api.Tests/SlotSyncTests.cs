using System.Net;
using System.Text.Json;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class SlotSyncTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    /// <summary>The window synced: tomorrow (local) for a week.</summary>
    private DateTimeOffset From => new DateTimeOffset(api.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

    private string Url(string rpps) => $"/v1/practitioners/{rpps}/slots?from={World.Instant(From)}&to={World.Instant(From.AddDays(7))}";

    private object SlotAt(string sector, double hours, string externalId, int minutes = 20, string site = "cab")
    {
        var start = From.AddMinutes(Math.Round(hours * 60)); // whole minutes: no floating-point seconds
        return new
        {
            start = start.ToString("yyyy-MM-dd'T'HH:mm:sszzz"),
            end = start.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:sszzz"),
            sector, site, modality = "in_person", externalId,
        };
    }

    private static void AssertCounts(JsonElement r, int created, int updated, int unchanged, int withdrawn, int conflicts)
    {
        Assert.Equal(created, r.GetProperty("created").GetInt32());
        Assert.Equal(updated, r.GetProperty("updated").GetInt32());
        Assert.Equal(unchanged, r.GetProperty("unchanged").GetInt32());
        Assert.Equal(withdrawn, r.GetProperty("withdrawn").GetInt32());
        Assert.Equal(conflicts, r.GetProperty("conflicts").GetArrayLength());
    }

    [Fact]
    public async Task A_sync_creates_updates_withdraws_and_a_repeat_changes_nothing()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);

        var first = await (await gp.PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9, "a"), SlotAt(sector, 10, "b"), SlotAt(sector, 11, "c") } })).Expect(HttpStatusCode.OK);
        AssertCounts(first, 3, 0, 0, 0, 0);

        var second = await (await gp.PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9, "a"), SlotAt(sector, 10.5, "b"), SlotAt(sector, 14, "d") } })).Expect(HttpStatusCode.OK);
        AssertCounts(second, 1, 1, 1, 1, 0);

        var before = api.SlotSnapshot(rpps);
        api.Clock.Advance(TimeSpan.FromMinutes(1)); // a write now would change updated_at
        var repeat = await (await gp.PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9, "a"), SlotAt(sector, 10.5, "b"), SlotAt(sector, 14, "d") } })).Expect(HttpStatusCode.OK);
        AssertCounts(repeat, 0, 0, 3, 0, 0);
        Assert.Equal(before, api.SlotSnapshot(rpps));
        Assert.Contains("|withdrawn|", before); // "c" was withdrawn, and stays so
    }

    [Fact]
    public async Task A_sync_that_changes_nothing_answers_while_another_writer_holds_the_database_and_the_gp()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);
        var week = new { slots = new[] { SlotAt(sector, 9, "a"), SlotAt(sector, 10, "b") } };
        AssertCounts(await (await gp.PutJson(Url(rpps), week)).Expect(HttpStatusCode.OK), 2, 0, 0, 0, 0);

        // Another writer holds what a changing sync needs: SQLite's write lock, or the GP's row on a server engine.
        using var other = api.OpenDb();
        using var tx = other.BeginTransaction();
        using (var lockIt = other.CreateCommand())
        {
            lockIt.Transaction = tx;
            lockIt.CommandText = TestEngine.Provider == "Sqlite"
                ? "UPDATE sectors SET name = name WHERE code = 'nothing'" // takes the write lock
                : $"SELECT rpps FROM practitioners {TestEngine.Dialect.UpdateLock} WHERE rpps = '{rpps}' {TestEngine.Dialect.ForUpdate}";
            lockIt.ExecuteNonQuery();
        }
        // Liveness only: a sync that took the writer would wait for the lock, and the wait would end in a TimeoutException.
        var repeat = await gp.PutJson(Url(rpps), week).WaitAsync(TimeSpan.FromSeconds(20));
        AssertCounts(await repeat.Expect(HttpStatusCode.OK), 0, 0, 2, 0, 0);
        tx.Rollback();
    }

    [Fact]
    public async Task A_slot_named_by_its_external_id_is_moved_into_the_window_not_created_twice()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);
        // Published ten days out, outside the window synced below.
        await (await gp.PostJson($"/v1/practitioners/{rpps}/slots", SlotAt(sector, 24 * 10, "far"))).Expect(HttpStatusCode.Created);

        var moved = await (await gp.PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9, "far"), SlotAt(sector, 10, "new") } })).Expect(HttpStatusCode.OK);
        AssertCounts(moved, created: 1, updated: 1, unchanged: 0, withdrawn: 0, conflicts: 0);
        var snapshot = api.SlotSnapshot(rpps);
        Assert.Equal(2, snapshot.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // "far" moved, not copied
    }

    [Fact]
    public async Task A_booked_slot_is_never_changed_or_withdrawn_by_a_sync()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await (await api.Admin().PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9, "kept"), SlotAt(sector, 10, "moved") } })).Expect(HttpStatusCode.OK);
        var ids = await SlotIds(rpps);
        api.SetSlotState(ids["kept"], "booked");
        api.SetSlotState(ids["moved"], "booked");

        var result = await (await api.Admin().PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 12, "moved") } })).Expect(HttpStatusCode.OK);
        AssertCounts(result, 0, 0, 0, 0, 2);
        var reasons = result.GetProperty("conflicts").EnumerateArray().ToDictionary(c => c.GetProperty("externalId").GetString()!, c => c.GetProperty("reason").GetString());
        Assert.Equal("absent_while_booked", reasons["kept"]);
        Assert.Equal("changed_while_booked", reasons["moved"]);

        var moved = await (await api.Admin().GetAsync($"/v1/slots/{ids["moved"]}")).Expect(HttpStatusCode.OK);
        Assert.Equal("booked", moved.GetProperty("status").GetString());
        Assert.Equal(From.AddHours(10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), moved.GetProperty("start").GetString());
    }

    [Fact]
    public async Task A_sync_of_2000_slots_is_one_transaction_and_a_bad_last_slot_writes_nothing()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slots = Enumerable.Range(0, 2000).Select(i => SlotAt(sector, i * 5.0 / 60, $"s{i}", minutes: 5)).ToList(); // back to back, 5 minutes each

        var bad = slots.ToList();
        bad[1999] = SlotAt(sector, 1999 * 5.0 / 60, "s1999", minutes: 241);
        await (await api.Admin().PutJson(Url(rpps), new { slots = bad })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "slots[1999].end");
        Assert.Equal("", api.SlotSnapshot(rpps));

        var result = await (await api.Admin().PutJson(Url(rpps), new { slots })).Expect(HttpStatusCode.OK);
        AssertCounts(result, 2000, 0, 0, 0, 0);
        var repeat = await (await api.Admin().PutJson(Url(rpps), new { slots })).Expect(HttpStatusCode.OK);
        AssertCounts(repeat, 0, 0, 2000, 0, 0);
    }

    [Fact]
    public async Task More_than_2000_slots_is_too_many()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slots = Enumerable.Range(0, 2001).Select(i => SlotAt(sector, i * 5.0 / 60, $"s{i}", minutes: 5)).ToList();
        await (await api.Admin().PutJson(Url(rpps), new { slots })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "too_many_slots", "slots");
    }

    [Fact]
    public async Task An_overlap_in_a_sync_changes_nothing()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await (await api.Admin().PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9, "a") } })).Expect(HttpStatusCode.OK);
        var before = api.SlotSnapshot(rpps);
        await (await api.Admin().PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 20, "x"), SlotAt(sector, 20.25, "y", minutes: 30) } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "slot_overlap", "slots[1].start");
        Assert.Equal(before, api.SlotSnapshot(rpps));
    }

    [Fact]
    public async Task A_new_slot_may_not_overlap_a_booked_one_the_body_left_out()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await (await api.Admin().PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9, "a") } })).Expect(HttpStatusCode.OK);
        api.SetSlotState((await SlotIds(rpps))["a"], "booked");
        await (await api.Admin().PutJson(Url(rpps), new { slots = new[] { SlotAt(sector, 9.1, "b") } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "slot_overlap", "slots[0].start");
    }

    [Theory]
    [InlineData("from")]
    [InlineData("to")]
    [InlineData("slots[0].externalId")]
    [InlineData("slots[1].externalId")]
    [InlineData("slots[0].start")]
    public async Task Sync_validation_names_the_field(string field)
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var url = field switch
        {
            "from" => $"/v1/practitioners/{rpps}/slots?from=2026-11-24T00:00:00&to={World.Instant(From.AddDays(7))}",
            "to" => $"/v1/practitioners/{rpps}/slots?from={World.Instant(From)}&to={World.Instant(From.AddDays(-1))}",
            _ => Url(rpps),
        };
        object[] slots = field switch
        {
            "slots[0].externalId" => [new { start = From.AddHours(9).ToString("o"), end = From.AddHours(9.5).ToString("o"), sector, site = "cab", modality = "in_person" }],
            "slots[1].externalId" => [SlotAt(sector, 9, "dup"), SlotAt(sector, 10, "dup")],
            "slots[0].start" => [SlotAt(sector, 24 * 8, "late")],
            _ => [SlotAt(sector, 9, "ok")],
        };
        await (await api.Admin().PutJson(url, new { slots })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
        Assert.Equal("", api.SlotSnapshot(rpps));
    }

    private async Task<Dictionary<string, long>> SlotIds(string rpps)
    {
        using var c = api.OpenDb();
        using var r = await Dapper.SqlMapper.ExecuteReaderAsync(c, "SELECT external_id, id FROM slots WHERE rpps = @rpps", new { rpps });
        var ids = new Dictionary<string, long>();
        while (r.Read()) ids[r.GetString(0)] = r.GetInt64(1);
        return ids;
    }
}
