using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class BookingFlowTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    private async Task<(string Sector, string Rpps, HttpClient Regulator, HttpClient Gp)> Setup(int overflowPerDay = 0)
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector], overflowPerDay: overflowPerDay);
        return (sector, rpps, await world.ClientFor("regulator", sector), await world.ClientFor("practitioner", rpps));
    }

    [Fact]
    public async Task Hold_then_book_with_the_hold_id_and_the_slot_leaves_the_search()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);

        var hold = await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created);
        var holdId = hold.GetProperty("holdId").GetString()!;
        Assert.Equal(api.Clock.GetUtcNow().AddMinutes(5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), hold.GetProperty("expiresAt").GetString());

        await (await regulator.Book(BookingRequests.Body(slot))).ExpectProblem(HttpStatusCode.Conflict, "hold_id_required"); // its own hold needs the holdId
        var booking = await (await regulator.Book(BookingRequests.Body(slot, holdId))).Expect(HttpStatusCode.Created);
        Assert.Equal("booked", booking.GetProperty("status").GetString());
        Assert.Equal(slot, booking.GetProperty("slotId").GetInt64());
        Assert.Equal(BookingRequests.PatientPhoneE164, booking.GetProperty("patient").GetProperty("phone").GetString());
        Assert.Equal("Europe/Paris", booking.GetProperty("timeZone").GetString());

        Assert.Equal("booked", (await (await api.Admin().GetAsync($"/v1/slots/{slot}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        var search = await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.Equal(0, search.GetProperty("items").GetArrayLength());
    }

    /// <summary>
    /// A booking read, then gone when its change runs: the database lost it meanwhile (a failover to a replica that
    /// lagged, a restore). Found by the index's chaos run, where each cancellation of such a booking answered 500.
    /// </summary>
    [Fact]
    public async Task A_booking_lost_after_it_was_read_is_not_found_by_its_change()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var store = api.Services.GetRequiredService<Sas.Api.Bookings.BookingStore>();
        var read = (await store.FindAsync(id, default))!;
        await using (var c = await api.Services.GetRequiredService<Sas.Api.Infrastructure.Data.Db>().OpenAsync())
            await Dapper.SqlMapper.ExecuteAsync(c, "DELETE FROM bookings WHERE id = @id", new { id });

        var caller = new Sas.Api.Infrastructure.Auth.Caller("admin", "admin", new HashSet<string>());
        Assert.Equal(Sas.Domain.Bookings.Refusal.BookingNotFound,
            (await store.CancelAsync(read, Sas.Domain.Bookings.CancelledBy.Patient, "Lost", releaseSlot: true, caller, default)).Refusal);
        Assert.Equal(Sas.Domain.Bookings.Refusal.BookingNotFound,
            (await store.RecordOutcomeAsync(read, Sas.Domain.Bookings.Outcome.Honoured, caller, default)).Refusal);
    }

    [Fact]
    public async Task A_hold_blocks_other_regulators_until_it_lapses_by_the_clock()
    {
        var (sector, rpps, first, _) = await Setup();
        var second = await world.ClientFor("regulator", sector);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var holdId = (await (await first.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created)).GetProperty("holdId").GetString()!;

        await (await second.PostAsync($"/v1/slots/{slot}/hold", null)).ExpectProblem(HttpStatusCode.Conflict, "slot_held");
        await (await second.Book(BookingRequests.Body(slot))).ExpectProblem(HttpStatusCode.Conflict, "slot_held");

        api.Clock.Advance(TimeSpan.FromMinutes(5)); // no job runs: the clock alone frees it
        var secondHold = (await (await second.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created)).GetProperty("holdId").GetString()!;
        await (await first.Book(BookingRequests.Body(slot, holdId))).ExpectProblem(HttpStatusCode.Conflict, "hold_expired"); // its hold lapsed
        await (await second.Book(BookingRequests.Body(slot, secondHold))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_released_hold_frees_the_slot_and_only_its_holder_can_release_it()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var other = await world.ClientFor("regulator", sector);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var holdId = (await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created)).GetProperty("holdId").GetString()!;
        await (await other.DeleteAsync($"/v1/holds/{holdId}")).ExpectProblem(HttpStatusCode.NotFound, "hold_not_found");
        await (await regulator.DeleteAsync($"/v1/holds/{holdId}")).Expect(HttpStatusCode.NoContent);
        Assert.Equal("available", (await (await api.Admin().GetAsync($"/v1/slots/{slot}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        await (await other.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Timing_and_state_refusals_use_the_contract_codes()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var beyond = await world.PublishedSlot(rpps, TimeSpan.FromHours(30), sector);
        var tooSoon = await world.PublishedSlot(rpps, TimeSpan.FromMinutes(8), sector, minutes: 5);
        var withdrawn = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        await (await api.Admin().DeleteAsync($"/v1/slots/{withdrawn}")).Expect(HttpStatusCode.NoContent);
        var booked = await world.PublishedSlot(rpps, TimeSpan.FromHours(4), sector);
        await (await regulator.Book(BookingRequests.Body(booked))).Expect(HttpStatusCode.Created);

        await (await regulator.Book(BookingRequests.Body(beyond))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "outside_booking_horizon");
        await (await regulator.Book(BookingRequests.Body(tooSoon))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "slot_started");
        await (await regulator.Book(BookingRequests.Body(withdrawn))).ExpectProblem(HttpStatusCode.Gone, "slot_withdrawn");
        await (await regulator.Book(BookingRequests.Body(booked))).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        await (await regulator.Book(BookingRequests.Body(987654321))).ExpectProblem(HttpStatusCode.NotFound, "slot_not_found");
        await (await regulator.PostAsync($"/v1/slots/{beyond}/hold", null)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "outside_booking_horizon");
        await (await regulator.PostAsync($"/v1/slots/{booked}/hold", null)).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM bookings WHERE rpps = @rpps", new { rpps }));

        api.Clock.Advance(TimeSpan.FromHours(7)); // now 30 h is within 24 h
        await (await regulator.Book(BookingRequests.Body(beyond))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_cancellation_before_the_cut_off_offers_the_slot_again()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();

        var cancelled = await (await regulator.PostJson($"/v1/bookings/{id}/cancellation", new { by = "patient", reason = "feels better" })).Expect(HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("patient", cancelled.GetProperty("cancellation").GetProperty("by").GetString());
        Assert.True(cancelled.GetProperty("cancellation").GetProperty("slotReleased").GetBoolean());
        var search = await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.Equal(slot, search.GetProperty("items")[0].GetProperty("id").GetInt64());
        await (await regulator.PostJson($"/v1/bookings/{id}/cancellation", new { by = "patient", reason = "again" })).ExpectProblem(HttpStatusCode.Conflict, "booking_cancelled");

        await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created); // the freed slot books again
        Assert.Equal(2, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @slot", new { slot }));
    }

    [Fact]
    public async Task A_cancellation_after_the_cut_off_frees_the_slot_for_the_gp_not_for_regulators()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        api.Clock.Advance(TimeSpan.FromMinutes(55)); // 5 minutes before the start: inside the 10-minute cut-off

        var cancelled = await (await gp.PostJson($"/v1/bookings/{id}/cancellation", new { by = "practitioner", reason = "GP ill" })).Expect(HttpStatusCode.OK);
        Assert.False(cancelled.GetProperty("cancellation").GetProperty("slotReleased").GetBoolean());
        // No booking lives on it: it is available (the GP may use or withdraw it), too late for a regulator to book, and
        // expires at its start as offered and unfilled (ReportCorrectnessTests counts it).
        Assert.Equal("available", (await (await api.Admin().GetAsync($"/v1/slots/{slot}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        var search = await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(search.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == slot);
        var row = api.Rows("SELECT cancelled_by, cancel_reason, cancelled_by_client FROM bookings WHERE id = @id", new { id }).Single();
        Assert.Equal("practitioner", (string)row.cancelled_by);
        Assert.Equal("GP ill", (string)row.cancel_reason);
        Assert.NotNull((string?)row.cancelled_by_client);
    }

    [Fact]
    public async Task Only_the_gps_practitioner_client_records_an_outcome_and_only_after_the_start()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var otherGp = await world.ClientFor("practitioner", await world.Practitioner([sector]));
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();

        await (await gp.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "honoured" })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "consultation_not_started");
        api.Clock.Advance(TimeSpan.FromHours(1));
        await (await api.Admin().PutJson($"/v1/bookings/{id}/outcome", new { outcome = "honoured" })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await otherGp.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "honoured" })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await regulator.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "honoured" })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        var done = await (await gp.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "no_show" })).Expect(HttpStatusCode.OK);
        Assert.Equal("no_show", done.GetProperty("outcome").GetString());
        await (await regulator.PostJson($"/v1/bookings/{id}/cancellation", new { by = "regulator", reason = "late" })).ExpectProblem(HttpStatusCode.Conflict, "outcome_recorded");
    }

    [Fact]
    public async Task The_practice_software_pulls_its_gps_bookings_by_window_and_cursor()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1 + i), sector);
            ids.Add((await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString()!);
        }
        var now = api.Clock.GetUtcNow();
        var seen = new List<string>();
        string? next = null;
        do
        {
            var page = await (await gp.GetAsync($"/v1/practitioners/{rpps}/bookings?from={World.Instant(now)}&to={World.Instant(now.AddDays(1))}&limit=2" + (next is null ? "" : "&after=" + next)))
                .Expect(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetString()!));
            next = page.GetProperty("next").GetString();
        } while (next is not null);
        Assert.Equal(ids, seen);
        Assert.Equal(3, api.Count($"SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND entity = 'booking' AND {TestEngine.Dialect.InList("entity_id", "@ids")}", new { ids = Sas.Api.Infrastructure.Data.ValueList.Of(ids) }));
        var stranger = await world.ClientFor("practitioner", await world.Practitioner([sector]));
        await (await stranger.GetAsync($"/v1/practitioners/{rpps}/bookings?from={World.Instant(now)}&to={World.Instant(now.AddDays(1))}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
    }

    [Fact]
    public async Task Overflow_bookings_count_against_the_gps_local_day()
    {
        var (sector, rpps, regulator, _) = await Setup(overflowPerDay: 2);
        var body = BookingRequests.Body(null, practitionerRpps: rpps, overflow: true);
        var first = await (await regulator.Book(body)).Expect(HttpStatusCode.Created);
        Assert.True(first.GetProperty("overflow").GetBoolean());
        Assert.Equal("2026-11-23", first.GetProperty("overflowDay").GetString());
        await (await regulator.Book(body)).Expect(HttpStatusCode.Created);
        await (await regulator.Book(body)).ExpectProblem(HttpStatusCode.Conflict, "overflow_full");

        // Cancelling one gives its place back.
        await (await regulator.PostJson($"/v1/bookings/{first.GetProperty("id").GetString()}/cancellation", new { by = "patient", reason = "r" })).Expect(HttpStatusCode.OK);
        await (await regulator.Book(body)).Expect(HttpStatusCode.Created);
        await (await regulator.Book(body)).ExpectProblem(HttpStatusCode.Conflict, "overflow_full");

        // 23:30 in Paris is still the 23rd; 00:30 is the 24th.
        api.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 23, 22, 30, 0, TimeSpan.Zero));
        await (await regulator.Book(BookingRequests.Body(null, practitionerRpps: rpps, overflow: true, requestedAt: "2026-11-23T23:00:00+01:00"))).ExpectProblem(HttpStatusCode.Conflict, "overflow_full");
        api.Clock.Advance(TimeSpan.FromHours(1));
        var nextDay = await (await regulator.Book(BookingRequests.Body(null, practitionerRpps: rpps, overflow: true, requestedAt: "2026-11-24T00:15:00+01:00"))).Expect(HttpStatusCode.Created);
        Assert.Equal("2026-11-24", nextDay.GetProperty("overflowDay").GetString());
    }

    [Fact]
    public async Task A_gp_without_overflow_places_refuses_overflow()
    {
        var (_, rpps, regulator, _) = await Setup(overflowPerDay: 0);
        await (await regulator.Book(BookingRequests.Body(null, practitionerRpps: rpps, overflow: true))).ExpectProblem(HttpStatusCode.Conflict, "overflow_full");
    }

    [Fact]
    public async Task Reading_a_booking_is_audited_and_limited_to_its_parties()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var outsider = await world.ClientFor("regulator", await world.Sector());
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();

        var read = await (await gp.GetAsync($"/v1/bookings/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(BookingRequests.PatientLastName, read.GetProperty("patient").GetProperty("lastName").GetString());
        await (await outsider.GetAsync($"/v1/bookings/{id}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await api.Admin().GetAsync("/v1/bookings/no-such-booking")).ExpectProblem(HttpStatusCode.NotFound, "booking_not_found");

        var audit = api.Rows("SELECT client_id, role, action, at, trace_id FROM audit_log WHERE entity = 'booking' AND entity_id = @id ORDER BY id", new { id });
        Assert.Equal(["create", "read"], audit.Select(a => (string)a.action));
        Assert.Equal(["regulator", "practitioner"], audit.Select(a => (string)a.role));
        Assert.All(audit, a => Assert.False(string.IsNullOrEmpty((string)a.trace_id)));
        Assert.All(audit, a => Assert.False(string.IsNullOrEmpty((string)a.client_id)));
    }

    [Fact]
    public async Task Each_booking_change_writes_one_outbox_event_without_patient_data_and_a_refusal_writes_none()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await regulator.Book(BookingRequests.Body(slot))).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        api.Clock.Advance(TimeSpan.FromHours(1));
        await (await gp.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);

        var events = api.Rows("SELECT event_type, payload, rpps, client_id FROM outbox WHERE booking_id = @id ORDER BY id", new { id });
        Assert.Equal(["booking.created", "booking.outcome"], events.Select(e => (string)e.event_type));
        foreach (var e in events)
        {
            string payload = e.payload;
            Assert.Contains(id!, payload);
            foreach (var secret in new[] { BookingRequests.PatientLastName, BookingRequests.PatientFirstName, BookingRequests.PatientBirthDate, "98765432", BookingRequests.Reason })
                Assert.DoesNotContain(secret, payload);
        }
        Assert.Equal(2, api.Count("SELECT COUNT(*) FROM outbox WHERE slot_id = @slot", new { slot }));
    }
}
