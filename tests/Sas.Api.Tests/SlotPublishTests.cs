using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class SlotPublishTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task A_published_slot_reads_back_available_in_utc_with_the_sector_time_zone()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);
        var created = await (await gp.PostJson($"/v1/practitioners/{rpps}/slots", new
        {
            start = "2026-11-23T14:30:00+01:00", end = "2026-11-23T14:50:00+01:00", sector, site = "cab", modality = "teleconsultation", externalId = "x1",
        })).Expect(HttpStatusCode.Created);

        var slot = await (await gp.GetAsync($"/v1/slots/{created.GetProperty("id").GetInt64()}")).Expect(HttpStatusCode.OK);
        Assert.Equal("2026-11-23T13:30:00Z", slot.GetProperty("start").GetString());
        Assert.Equal("2026-11-23T13:50:00Z", slot.GetProperty("end").GetString());
        Assert.Equal("Europe/Paris", slot.GetProperty("timeZone").GetString());
        Assert.Equal("available", slot.GetProperty("status").GetString());
        Assert.Equal("teleconsultation", slot.GetProperty("modality").GetString());
        Assert.Equal("x1", slot.GetProperty("externalId").GetString());
    }

    public static TheoryData<string, string> InvalidSlots => new()
    {
        { """{"start":"2026-11-23T14:30:00","end":"2026-11-23T14:50:00+01:00","sector":"$S","site":"cab","modality":"in_person"}""", "start" },
        { """{"start":"2026-11-23T14:30:00+01:00","end":"2026-11-23T14:50:00","sector":"$S","site":"cab","modality":"in_person"}""", "end" },
        { """{"start":"2026-11-23T14:30:00+01:00","end":"2026-11-23T14:34:00+01:00","sector":"$S","site":"cab","modality":"in_person"}""", "end" },
        { """{"start":"2026-11-23T14:30:00+01:00","end":"2026-11-23T18:31:00+01:00","sector":"$S","site":"cab","modality":"in_person"}""", "end" },
        { """{"start":"2026-11-23T14:30:00+01:00","end":"2026-11-23T14:00:00+01:00","sector":"$S","site":"cab","modality":"in_person"}""", "end" },
        { """{"start":"2026-11-23T14:30:00+01:00","end":"2026-11-23T14:50:00+01:00","sector":"elsewhere","site":"cab","modality":"in_person"}""", "sector" },
        { """{"start":"2026-11-23T14:30:00+01:00","end":"2026-11-23T14:50:00+01:00","sector":"$S","site":"nowhere","modality":"in_person"}""", "site" },
        { """{"start":"2026-11-23T07:30:00+01:00","end":"2026-11-23T07:50:00+01:00","sector":"$S","site":"cab","modality":"in_person"}""", "start" },
    };

    [Theory]
    [MemberData(nameof(InvalidSlots))]
    public async Task Slot_validation_names_the_field_and_stores_nothing(string body, string field)
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await (await api.Admin().PostRaw($"/v1/practitioners/{rpps}/slots", body.Replace("$S", sector)))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", field);
        Assert.Equal("", api.SlotSnapshot(rpps));
    }

    [Fact]
    public async Task An_unknown_modality_is_refused_by_name()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await (await api.Admin().PostRaw($"/v1/practitioners/{rpps}/slots",
            $$"""{"start":"2026-11-23T14:30:00+01:00","end":"2026-11-23T14:50:00+01:00","sector":"{{sector}}","site":"cab","modality":"video"}"""))
            .ExpectProblem(HttpStatusCode.BadRequest, "malformed_request", "modality");
    }

    [Fact]
    public async Task Overlapping_slots_at_the_same_site_are_refused_but_another_site_is_fine()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector], sites: ["a", "b"]);
        await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector, 30, "a");
        var problem = await (await api.Admin().PostJson($"/v1/practitioners/{rpps}/slots", world.Slot(TimeSpan.FromHours(3.25), sector, 30, "a")))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "slot_overlap", "start");
        Assert.Contains("site 'a'", problem.GetProperty("errors").GetProperty("start")[0].GetString());
        await world.PublishedSlot(rpps, TimeSpan.FromHours(3.25), sector, 30, "b");
        await world.PublishedSlot(rpps, TimeSpan.FromHours(3.5), sector, 30, "a"); // back to back
    }

    [Fact]
    public async Task An_external_id_is_unique_per_gp()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        await (await api.Admin().PostJson($"/v1/practitioners/{rpps}/slots", world.Slot(TimeSpan.FromHours(2), sector, externalId: "e"))).Expect(HttpStatusCode.Created);
        await (await api.Admin().PostJson($"/v1/practitioners/{rpps}/slots", world.Slot(TimeSpan.FromHours(4), sector, externalId: "e")))
            .ExpectProblem(HttpStatusCode.Conflict, "external_id_exists");
    }

    [Fact]
    public async Task Withdrawing_an_unbooked_slot_answers_204_and_a_booked_one_409()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);
        var free = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var booked = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        api.SetSlotState(booked, "booked");

        await (await gp.DeleteAsync($"/v1/slots/{free}")).Expect(HttpStatusCode.NoContent);
        Assert.Equal("withdrawn", (await (await gp.GetAsync($"/v1/slots/{free}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        await (await gp.DeleteAsync($"/v1/slots/{free}")).Expect(HttpStatusCode.NoContent); // idempotent
        await (await gp.DeleteAsync($"/v1/slots/{booked}")).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        Assert.Equal("booked", (await (await gp.GetAsync($"/v1/slots/{booked}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        await (await gp.DeleteAsync("/v1/slots/999999")).ExpectProblem(HttpStatusCode.NotFound, "slot_not_found");
    }

    [Fact]
    public async Task A_held_slot_cannot_be_withdrawn_until_its_hold_lapses()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        api.SetSlotState(id, "held", "someone", api.Clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        await (await api.Admin().DeleteAsync($"/v1/slots/{id}")).ExpectProblem(HttpStatusCode.Conflict, "slot_held");
        api.Clock.Advance(TimeSpan.FromMinutes(5));
        await (await api.Admin().DeleteAsync($"/v1/slots/{id}")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_lapsed_hold_reads_as_available()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        api.SetSlotState(id, "held", "someone", api.Clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        Assert.Equal("held", (await (await api.Admin().GetAsync($"/v1/slots/{id}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        api.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("available", (await (await api.Admin().GetAsync($"/v1/slots/{id}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
    }
}
