using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// A booking moved to another slot in one step (<c>POST /v1/bookings/{id}/move</c>): the same booking, on the new slot, the
/// old slot free again; idempotent by its key; refused before anything is written; one winner when moves race for a slot.
/// </summary>
public sealed class BookingMoveTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    private string SlotStatus(long id) => (string)api.Rows("SELECT status FROM slots WHERE id = @id", new { id }).Single().status;

    private async Task<(string Sector, string Rpps, HttpClient Regulator, string BookingId, long From, long To)> Booked()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var from = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var to = await world.PublishedSlot(rpps, TimeSpan.FromHours(5), sector);
        var regulator = await world.ClientFor("regulator", sector);
        var booking = await (await regulator.Book(BookingRequests.Body(from))).Expect(HttpStatusCode.Created);
        return (sector, rpps, regulator, booking.GetProperty("id").GetString()!, from, to);
    }

    [EngineFact]
    public async Task A_regulator_moves_a_booking_the_same_booking_on_the_new_slot_and_the_old_one_free_again()
    {
        var (_, _, regulator, id, from, to) = await Booked();
        var key = Guid.NewGuid().ToString();

        var moved = await (await regulator.Move(id, to, key)).Expect(HttpStatusCode.OK);

        Assert.Equal(id, moved.GetProperty("id").GetString());
        Assert.Equal(to, moved.GetProperty("slotId").GetInt64());
        Assert.Equal(BookingRequests.PatientLastName, moved.GetProperty("patient").GetProperty("lastName").GetString());
        Assert.Equal(("booked", "available"), (SlotStatus(to), SlotStatus(from)));
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'booking.moved' AND booking_id = @id", new { id }));
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM audit_log WHERE action = 'move' AND entity_id = @id", new { id }));
        // The old slot is offered again to regulators' searches.
        var read = await (await regulator.GetAsync($"/v1/bookings/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(to, read.GetProperty("slotId").GetInt64());

        // The same key and request: the same answer, replayed; the same key for another request: refused.
        var replay = await regulator.Move(id, to, key);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("idempotency_key_reused", (await (await regulator.Move(id, from, key)).Expect((HttpStatusCode)422)).GetProperty("code").GetString());
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'booking.moved' AND booking_id = @id", new { id }));
    }

    [EngineFact]
    public async Task The_practice_moves_its_gps_booking_to_another_of_its_slots()
    {
        var (_, rpps, _, id, from, to) = await Booked();
        var practice = await world.ClientFor("practitioner", rpps);

        var moved = await (await practice.Move(id, to)).Expect(HttpStatusCode.OK);

        Assert.Equal(to, moved.GetProperty("slotId").GetInt64());
        Assert.Equal("available", SlotStatus(from));
    }

    /// <summary>A refused move writes nothing: the booking stays on its slot, the target stays as it was.</summary>
    [EngineTheory]
    [InlineData("target_booked", 409, "slot_booked")]
    [InlineData("cancelled", 409, "booking_cancelled")]
    [InlineData("outside_scope", 403, "forbidden_scope")]
    [InlineData("own_slot", 409, "slot_booked")]
    [InlineData("missing_key", 422, "idempotency_key_required")]
    public async Task A_refused_move_changes_nothing(string why, int status, string code)
    {
        var (_, rpps, regulator, id, from, to) = await Booked();
        var target = to;
        switch (why)
        {
            case "target_booked":
                api.SetSlotState(to, "booked");
                break;
            case "cancelled":
                await (await regulator.PostAsJsonAsync($"/v1/bookings/{id}/cancellation", new { by = "patient", reason = "Plus besoin" })).Expect(HttpStatusCode.OK);
                break;
            case "outside_scope":
                var elsewhere = await world.Sector(department: "85");
                var otherGp = await world.Practitioner([elsewhere]);
                target = await world.PublishedSlot(otherGp, TimeSpan.FromHours(3), elsewhere);
                break;
            case "own_slot":
                target = from;
                break;
        }
        var before = api.Rows("SELECT slot_id, status, updated_at FROM bookings WHERE id = @id", new { id }).Single();
        var targetBefore = SlotStatus(target);

        var response = why == "missing_key"
            ? await regulator.PostAsJsonAsync($"/v1/bookings/{id}/move", new { slotId = target })
            : await regulator.Move(id, target);

        Assert.Equal(code, (await response.Expect((HttpStatusCode)status)).GetProperty("code").GetString());
        var after = api.Rows("SELECT slot_id, status, updated_at FROM bookings WHERE id = @id", new { id }).Single();
        Assert.Equal(JsonSerializer.Serialize((object)before), JsonSerializer.Serialize((object)after));
        Assert.Equal(targetBefore, SlotStatus(target));
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM outbox WHERE event_type = 'booking.moved' AND booking_id = @id", new { id }));
    }

    [EngineFact]
    public async Task An_overflow_booking_has_no_slot_to_move_from()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector], overflowPerDay: 1);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var regulator = await world.ClientFor("regulator", sector);
        var booking = await (await regulator.Book(BookingRequests.Body(null, practitionerRpps: rpps, overflow: true))).Expect(HttpStatusCode.Created);

        var refused = await (await regulator.Move(booking.GetProperty("id").GetString()!, slot)).Expect(HttpStatusCode.Conflict);

        Assert.Equal("overflow_not_movable", refused.GetProperty("code").GetString());
        Assert.Equal("available", SlotStatus(slot));
    }

    /// <summary>Eight bookings moved at once to one free slot, in parallel requests: one moves, the others stay where they were.</summary>
    [EngineFact]
    public async Task Moves_racing_for_one_slot_let_exactly_one_booking_have_it()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var target = await world.PublishedSlot(rpps, TimeSpan.FromHours(6), sector);
        var booked = new List<(string Id, long Slot)>();
        for (var i = 0; i < 8; i++)
        {
            var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2) + TimeSpan.FromMinutes(20 * i), sector);
            booked.Add(((await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!, slot));
        }

        var answers = await Task.WhenAll(booked.Select(b => regulator.Move(b.Id, target)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @target AND status = 'booked'", new { target }));
        // Each loser is still on its own slot, still booked; the winner's old slot is free.
        var onOwn = booked.Count(b => api.Count("SELECT COUNT(*) FROM bookings WHERE id = @Id AND slot_id = @Slot AND status = 'booked'", new { b.Id, b.Slot }) == 1);
        Assert.Equal(7, onOwn);
        Assert.Equal(7, booked.Count(b => SlotStatus(b.Slot) == "booked"));
    }
}
