using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Bookings;
using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class IdempotencyTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    private async Task<(string Sector, string Rpps, HttpClient Regulator)> Setup()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        return (sector, rpps, await world.ClientFor("regulator", sector));
    }

    [Fact]
    public async Task The_key_is_required()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var response = await regulator.PostJson("/v1/bookings", BookingRequests.Body(slot));
        await response.ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_required", "Idempotency-Key");
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @slot", new { slot }));
    }

    [Fact]
    public async Task A_replay_answers_the_first_status_and_body_without_a_second_booking()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var first = await regulator.Book(BookingRequests.Body(slot), "k-1");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        api.Clock.Advance(TimeSpan.FromMinutes(3));
        var replay = await regulator.Book(BookingRequests.Body(slot), "k-1");
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @slot", new { slot }));
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM outbox WHERE slot_id = @slot", new { slot }));
    }

    /// <summary>A replay answers the patient's data again: that is a read of the booking, audited as any other.</summary>
    [Fact]
    public async Task A_replay_showing_the_patient_is_audited_as_a_read()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot), "k-audit")).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM audit_log WHERE entity = 'booking' AND entity_id = @id AND action = 'read'", new { id }));

        await (await regulator.Book(BookingRequests.Body(slot), "k-audit")).Expect(HttpStatusCode.Created);
        await (await regulator.Book(BookingRequests.Body(slot), "k-audit")).Expect(HttpStatusCode.Created);

        var reads = api.Rows("SELECT client_id, role FROM audit_log WHERE entity = 'booking' AND entity_id = @id AND action = 'read'", new { id });
        Assert.Equal(2, reads.Count);
        Assert.All(reads, r => Assert.Equal("regulator", (string)r.role));
    }

    [Fact]
    public async Task A_refusal_is_replayed_too()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await regulator.Book(BookingRequests.Body(slot), "first")).Expect(HttpStatusCode.Created);
        await (await regulator.Book(BookingRequests.Body(slot), "second")).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        await (await regulator.Book(BookingRequests.Body(slot), "second")).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
    }

    [Fact]
    public async Task A_refusal_keeps_its_code_not_a_copy_of_its_answer()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await regulator.Book(BookingRequests.Body(slot), "taken-first")).Expect(HttpStatusCode.Created);
        var key = "refused-" + Guid.NewGuid();
        var refused = await (await regulator.Book(BookingRequests.Body(slot), key)).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");

        Assert.Equal("slot_booked", (string)api.Rows("SELECT response_body FROM idempotency_keys WHERE idem_key = @key", new { key }).Single().response_body);
        var replay = await (await regulator.Book(BookingRequests.Body(slot), key)).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        Assert.Equal(refused.GetProperty("detail").GetString(), replay.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_expiry_job_deletes_keys_older_than_a_day_that_nobody_meets_again()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var run = Guid.NewGuid().ToString("N");
        await (await regulator.Book(BookingRequests.Body(slot), $"{run}-booked")).Expect(HttpStatusCode.Created);
        for (var i = 0; i < 5; i++) await regulator.Book(BookingRequests.Body(slot), $"{run}-refused-{i}");
        long Mine() => api.Count("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key LIKE @run", new { run = run + "%" });
        var job = api.Services.GetRequiredService<IdempotencyExpiryJob>();
        await job.RunAsync(CancellationToken.None); // what other tests left behind
        Assert.Equal(6, Mine());

        api.Clock.Advance(Idempotency.KeptFor + TimeSpan.FromMinutes(1));
        await regulator.Book(BookingRequests.Body(slot, requestedAt: World.Local(api.Clock.GetUtcNow())), $"{run}-fresh");
        Assert.True(await job.RunAsync(CancellationToken.None) >= 6);
        Assert.Equal(1, Mine());
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = @fresh", new { fresh = $"{run}-fresh" }));
        Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // safe to run twice
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var other = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        await (await regulator.Book(BookingRequests.Body(slot), "k-2")).Expect(HttpStatusCode.Created);
        await (await regulator.Book(BookingRequests.Body(other), "k-2")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        await (await regulator.Book(BookingRequests.Body(slot, reason: "another reason"), "k-2")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @other", new { other }));
    }

    [Fact]
    public async Task Keys_belong_to_their_client()
    {
        var (sector, rpps, regulator) = await Setup();
        var colleague = await world.ClientFor("regulator", sector);
        var a = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var b = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        await (await regulator.Book(BookingRequests.Body(a), "shared-key")).Expect(HttpStatusCode.Created);
        await (await colleague.Book(BookingRequests.Body(b), "shared-key")).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Concurrent_replays_of_one_key_create_one_booking()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var answers = await Races.AllAtOnce(20, _ => regulator.Book(BookingRequests.Body(slot), "one-key"));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @slot", new { slot }));
    }

    [Fact]
    public async Task Keys_are_kept_24_hours()
    {
        var (sector, rpps, regulator) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await regulator.Book(BookingRequests.Body(slot), "day-key")).Expect(HttpStatusCode.Created);
        api.Clock.Advance(TimeSpan.FromHours(23));
        var later = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        await (await regulator.Book(BookingRequests.Body(later), "day-key")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        api.Clock.Advance(TimeSpan.FromHours(1));
        await (await regulator.Book(BookingRequests.Body(later), "day-key")).Expect(HttpStatusCode.Created); // the key is a new one now
    }
}
