#nullable disable warnings
using System.Net;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>
/// The FHIR slot query takes sectors (time zone, horizon, CPTS) from the node's copy of the territory. A sector
/// created through another node is not in it yet: the copy is read again, at most once a second. Its own
/// factory, because the test moves the clock.
/// </summary>
public sealed class FhirTerritoryCopyTests(FhirApiFactory api) : IClassFixture<FhirApiFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task A_sector_created_through_another_node_is_read_again_rather_than_its_slots_missed()
    {
        var sector = await world.Sector(communes: ["44109"], horizon: 48);
        var gp = await world.Practitioner([sector]);
        var slot = await world.PublishedSlot(gp, TimeSpan.FromHours(2), sector);
        var now = api.Clock.GetUtcNow();
        var from = now.ToOffset(TimeSpan.FromHours(1));
        var query = FhirBundles.GuideQuery(from, new DateTimeOffset(from.Date.AddDays(3).AddSeconds(-1), TimeSpan.FromHours(1)), false, gp);
        async Task<List<Slot>> Slots() => (await (await api.Admin().GetAsync("/fhir/Slot?" + query)).ExpectFhir<Bundle>(HttpStatusCode.OK)).All<Slot>().ToList();

        Assert.Equal(slot.ToString(), Assert.Single(await Slots()).Id); // the node now holds its copy

        // Another node (same database) creates a sector in La Réunion and the GP's slot moves to it.
        using (var c = api.OpenDb())
            Dapper.SqlMapper.Execute(c, """
                INSERT INTO sectors (code, name, department, time_zone, booking_horizon_hours, cpts_finess, updated_at)
                VALUES (@code, 'Saint-Denis', '974', 'Indian/Reunion', 24, NULL, @now);
                UPDATE slots SET sector_code = @code WHERE id = @slot;
                """, new { code = World.NewCode("974"), slot, now = api.Clock.GetUtcNow().UtcDateTime });

        // Within a second of the last read the copy is not read again, and the slot is left out rather than sent half-known.
        Assert.Empty(await Slots());

        api.Clock.Advance(TimeSpan.FromSeconds(2));
        var moved = Assert.Single(await Slots());
        Assert.Equal(now.AddHours(2).ToOffset(TimeSpan.FromHours(4)).ToString("yyyy-MM-dd'T'HH:mm:ss'.000+04:00'"), moved.StartElement.JsonValue);
    }
}
