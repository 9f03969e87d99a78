using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sas.Api.Bookings;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>A host where a test can act between the API's read of a slot and its hold or booking statement.</summary>
public sealed class RaceHookApi : SasApiFactory
{
    public sealed class Hook : BookingRaceHook
    {
        public Func<long, Task>? Next { get; set; }

        public override async Task AfterSlotReadAsync(long slotId, CancellationToken ct)
        {
            if (Interlocked.Exchange(ref next, null) is { } act) await act(slotId);
        }

        private Func<long, Task>? next;
        public void Once(Func<long, Task> act) => next = act;
    }

    public Hook Race { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s =>
        {
            s.RemoveAll<BookingRaceHook>();
            s.AddSingleton<BookingRaceHook>(Race);
        });
    }
}

/// <summary>The booking rules as a GP's secretary and a regulator expect them (docs/domain.md, "Holds and bookings").</summary>
public class BookingRuleTests(RaceHookApi api) : IClassFixture<RaceHookApi>
{
    private readonly World world = new(api);

    private async Task<(string Sector, string Rpps, HttpClient Regulator, HttpClient Gp)> Setup()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        return (sector, rpps, await world.ClientFor("regulator", sector), await world.ClientFor("practitioner", rpps));
    }

    private string Window(string rpps) =>
        $"/v1/practitioners/{rpps}/slots?from={World.Instant(api.Clock.GetUtcNow())}&to={World.Instant(api.Clock.GetUtcNow().AddDays(1))}";

    [Fact]
    public async Task A_sync_moving_the_slot_between_the_read_and_the_booking_leaves_the_booking_with_the_slot_as_booked()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var sync = await (await gp.PutJson(Window(rpps), new { slots = new[] { world.Slot(TimeSpan.FromHours(2), sector, externalId: "moving") } })).Expect(HttpStatusCode.OK);
        Assert.Equal(1, sync.GetProperty("created").GetInt32());
        var slot = (long)api.Rows("SELECT id FROM slots WHERE rpps = @rpps AND external_id = 'moving'", new { rpps }).Single().id;

        // The practice software moves the still-available slot half an hour later, just after the API read it.
        api.Race.Once(async _ => await (await gp.PutJson(Window(rpps), new { slots = new[] { world.Slot(TimeSpan.FromHours(2.5), sector, externalId: "moving") } })).Expect(HttpStatusCode.OK));
        var booking = await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created);

        var stored = await (await api.Admin().GetAsync($"/v1/slots/{slot}")).Expect(HttpStatusCode.OK);
        Assert.Equal(stored.GetProperty("start").GetString(), booking.GetProperty("start").GetString());
        Assert.Equal(World.Local(api.Clock.GetUtcNow().AddHours(2.5)), DateTimeOffset.Parse(booking.GetProperty("start").GetString()!).ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd'T'HH:mm:sszzz"));
        var row = api.Rows("SELECT start_utc FROM bookings WHERE id = @id", new { id = booking.GetProperty("id").GetString() }).Single();
        Assert.Equal(api.Rows("SELECT start_utc FROM slots WHERE id = @slot", new { slot }).Single().start_utc, row.start_utc);
        var evt = (string)api.Rows("SELECT payload FROM outbox WHERE booking_id = @id", new { id = booking.GetProperty("id").GetString() }).Single().payload;
        Assert.Contains(booking.GetProperty("start").GetString()!, evt);
    }

    [Fact]
    public async Task A_slot_moved_out_of_the_regulators_scope_between_read_and_booking_is_not_booked()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var elsewhere = await world.Sector(department: "35", communes: ["35238"]);
        await (await api.Admin().PutJson($"/v1/practitioners/{rpps}", new
        {
            firstName = "Jeanne", lastName = "Mobile", sectors = new[] { sector, elsewhere },
            sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue", commune = "44109", postalCode = "44000" } },
        })).Expect(HttpStatusCode.OK);
        await (await gp.PutJson(Window(rpps), new { slots = new[] { world.Slot(TimeSpan.FromHours(2), sector, externalId: "away") } })).Expect(HttpStatusCode.OK);
        var slot = (long)api.Rows("SELECT id FROM slots WHERE rpps = @rpps AND external_id = 'away'", new { rpps }).Single().id;

        api.Race.Once(async _ => await (await gp.PutJson(Window(rpps), new { slots = new[] { world.Slot(TimeSpan.FromHours(2), elsewhere, externalId: "away") } })).Expect(HttpStatusCode.OK));
        await (await regulator.Book(BookingRequests.Body(slot))).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        api.Race.Once(async _ => await (await gp.PutJson(Window(rpps), new { slots = new[] { world.Slot(TimeSpan.FromHours(2), sector, externalId: "away") } })).Expect(HttpStatusCode.OK));
        await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM bookings WHERE slot_id = @slot", new { slot }));
    }

    [Fact]
    public async Task Holding_again_answers_the_same_hold_without_extending_it()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var first = await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created);
        api.Clock.Advance(TimeSpan.FromMinutes(3));
        var again = await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("holdId").GetString(), again.GetProperty("holdId").GetString());
        Assert.Equal(first.GetProperty("expiresAt").GetString(), again.GetProperty("expiresAt").GetString());
        await (await regulator.Book(BookingRequests.Body(slot, first.GetProperty("holdId").GetString()))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Fifty_parallel_holds_by_one_client_give_one_hold()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            var response = await regulator.PostAsync($"/v1/slots/{slot}/hold", null);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, a.Body));
        Assert.Single(answers.Select(a => System.Text.Json.JsonDocument.Parse(a.Body).RootElement.GetProperty("holdId").GetString()).Distinct());
    }

    [Fact]
    public async Task A_hold_cannot_be_renewed_by_holding_again_after_it_lapses_or_after_releasing_it()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var other = await world.ClientFor("regulator", sector);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var hold = await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created);
        api.Clock.Advance(TimeSpan.FromMinutes(5)); // lapsed
        await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).ExpectProblem(HttpStatusCode.Conflict, "hold_not_renewable");
        await (await regulator.Book(BookingRequests.Body(slot, hold.GetProperty("holdId").GetString()))).ExpectProblem(HttpStatusCode.Conflict, "hold_expired");

        var second = await (await other.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created); // anyone else may
        await (await other.DeleteAsync($"/v1/holds/{second.GetProperty("holdId").GetString()}")).Expect(HttpStatusCode.NoContent);
        await (await other.PostAsync($"/v1/slots/{slot}/hold", null)).ExpectProblem(HttpStatusCode.Conflict, "hold_not_renewable");
        api.Clock.Advance(TimeSpan.FromMinutes(5));
        await (await other.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created); // a hold period later
    }

    [Fact]
    public async Task A_lapsed_hold_is_said_to_have_lapsed_and_the_free_slot_can_still_be_booked_without_it()
    {
        var (sector, rpps, regulator, _) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var hold = (await (await regulator.PostAsync($"/v1/slots/{slot}/hold", null)).Expect(HttpStatusCode.Created)).GetProperty("holdId").GetString();
        api.Clock.Advance(TimeSpan.FromMinutes(6));
        var requestedAt = World.Local(api.Clock.GetUtcNow());
        await (await regulator.Book(BookingRequests.Body(slot, hold, requestedAt: requestedAt))).ExpectProblem(HttpStatusCode.Conflict, "hold_expired");
        await (await regulator.Book(BookingRequests.Body(slot, requestedAt: requestedAt))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_recorded_outcome_is_final()
    {
        var (sector, rpps, regulator, gp) = await Setup();
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector);
        var id = (await (await regulator.Book(BookingRequests.Body(slot))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        api.Clock.Advance(TimeSpan.FromHours(1));
        await (await gp.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);
        await (await gp.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "no_show" })).ExpectProblem(HttpStatusCode.Conflict, "outcome_recorded");
        await (await gp.PutJson($"/v1/bookings/{id}/outcome", new { outcome = "honoured" })).ExpectProblem(HttpStatusCode.Conflict, "outcome_recorded");
        Assert.Equal("honoured", (string)api.Rows("SELECT outcome FROM bookings WHERE id = @id", new { id }).Single().outcome);
    }
}
