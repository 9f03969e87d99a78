using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Practitioners;
using Sas.Api.Slots;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// The reads the console adds to the API's own (a GP's slots of the coming days, the GPs taking overflow patients with
/// the places used), on every engine: the console's browser tests run on SQLite only.
/// </summary>
public sealed class ConsoleReadTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    [Fact]
    public async Task The_gps_taking_overflow_patients_are_listed_with_the_places_the_bookings_used()
    {
        var world = new World(api);
        var sector = await world.Sector();
        var other = await world.Sector();
        var taking = await world.Practitioner([sector], overflowPerDay: 2);
        await world.Practitioner([sector], overflowPerDay: 0);
        await world.Practitioner([other], overflowPerDay: 3);
        await world.Professional([sector], "nurse", overflowPerDay: 2); // the regulation page offers GPs: no nurse as "Dr"
        var regulator = await world.ClientFor("regulator", sector);
        await (await regulator.Book(BookingRequests.Body(null, practitionerRpps: taking, overflow: true))).Expect(HttpStatusCode.Created);

        var store = api.Services.GetRequiredService<PractitionerStore>();
        var offers = await store.ListTakingOverflowAsync([sector], "2026-11-23", "general_practitioner", default);

        var offer = Assert.Single(offers); // not the GP taking none, not the other sector's, not the nurse
        Assert.Equal((taking, 2L, 1L, 1L), (offer.Rpps, offer.OverflowPerDay, offer.Used, offer.Left));
        Assert.Equal(0, (await store.ListTakingOverflowAsync([sector], "2026-11-24", "general_practitioner", default)).Single().Used); // another day
    }

    /// <summary>
    /// No GP of the sectors takes overflow patients: an empty list, not a 500 (SQLite gives no type for the computed
    /// column of an empty answer, and a positional record could not be built from it).
    /// </summary>
    [Fact]
    public async Task Sectors_where_no_gp_takes_overflow_patients_list_none()
    {
        var world = new World(api);
        var sector = await world.Sector();
        await world.Practitioner([sector], overflowPerDay: 0);
        Assert.Empty(await api.Services.GetRequiredService<PractitionerStore>().ListTakingOverflowAsync([sector], "2026-11-23", "general_practitioner", default));
    }

    [Fact]
    public async Task A_gps_slots_of_a_window_come_soonest_first_with_every_status()
    {
        var world = new World(api);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var later = await world.PublishedSlot(rpps, TimeSpan.FromHours(5), sector);
        var sooner = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var outside = await world.PublishedSlot(rpps, TimeSpan.FromDays(5), sector);
        await (await api.Admin().DeleteAsync($"/v1/slots/{later}")).Expect(HttpStatusCode.NoContent);

        var now = api.Clock.GetUtcNow().UtcDateTime;
        var slots = await api.Services.GetRequiredService<SlotStore>().ListAsync(rpps, now, now.AddDays(3), default);

        Assert.Equal([sooner, later], slots.Select(s => s.Id));
        Assert.Equal(["available", "withdrawn"], slots.Select(s => s.Status));
        Assert.DoesNotContain(outside, slots.Select(s => s.Id));
    }
}
