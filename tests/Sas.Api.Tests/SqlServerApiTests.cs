using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>The main flows through HTTP on a real SQL Server (see <see cref="SqlServerFactAttribute"/>).</summary>
public class SqlServerApiTests
{
    [SqlServerFact]
    public async Task Territory_practitioners_sync_search_and_withdraw_work_on_sql_server()
    {
        using var api = new SqlServerApiFactory();
        var world = new World(api);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var from = new DateTimeOffset(api.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var url = $"/v1/practitioners/{rpps}/slots?from={World.Instant(from)}&to={World.Instant(from.AddDays(2))}";
        var body = new
        {
            slots = Enumerable.Range(0, 3).Select(i => new
            {
                start = from.AddHours(8 + i).ToString("o"), end = from.AddHours(8 + i).AddMinutes(20).ToString("o"),
                sector, site = "cab", modality = "in_person", externalId = $"e{i}",
            }),
        };
        Assert.Equal(3, (await (await api.Admin().PutJson(url, body)).Expect(HttpStatusCode.OK)).GetProperty("created").GetInt32());
        Assert.Equal(3, (await (await api.Admin().PutJson(url, body)).Expect(HttpStatusCode.OK)).GetProperty("unchanged").GetInt32());

        var id = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var page = await (await api.Admin().GetAsync($"/v1/slots?sector={sector}&limit=2")).Expect(HttpStatusCode.OK);
        Assert.Equal(id, page.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.NotNull(page.GetProperty("next").GetString());
        await (await api.Admin().DeleteAsync($"/v1/slots/{id}")).Expect(HttpStatusCode.NoContent);
        await (await api.Admin().PostJson($"/v1/practitioners/{rpps}/slots", world.Slot(TimeSpan.FromHours(5), sector)))
            .Expect(HttpStatusCode.Created);
        await (await api.Admin().PostJson($"/v1/practitioners/{rpps}/slots", world.Slot(TimeSpan.FromHours(5.1), sector)))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "slot_overlap");
        Assert.Equal("ready", (await (await api.Anonymous().GetAsync("/health/ready")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [SqlServerFact]
    public async Task Parallel_bookings_of_one_slot_give_one_booking_and_replays_one_answer_on_sql_server()
    {
        using var api = new SqlServerApiFactory();
        var world = new World(api);
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector], overflowPerDay: 1);
        var regulators = new[] { await world.ClientFor("regulator", sector), await world.ClientFor("regulator", sector), await world.ClientFor("regulator", sector) };
        for (var round = 0; round < 5; round++)
        {
            var slot = await world.PublishedSlot(rpps, TimeSpan.FromMinutes(60 + 30 * round), sector);
            var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => regulators[i % 3].Book(BookingRequests.Body(slot), $"ss-{slot}-{i}"))));
            Assert.DoesNotContain(answers, a => (int)a.StatusCode >= 500);
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        }
        var replayed = await world.PublishedSlot(rpps, TimeSpan.FromHours(6), sector);
        var same = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => regulators[0].Book(BookingRequests.Body(replayed), "same-key"))));
        Assert.All(same, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        Assert.Single(await Task.WhenAll(same.Select(a => a.Content.ReadAsStringAsync())).ContinueWith(t => t.Result.Distinct().ToList()));

        var overflow = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Task.Run(() =>
            regulators[i % 3].Book(BookingRequests.Body(null, practitionerRpps: rpps, overflow: true), $"of-{i}"))));
        Assert.Single(overflow, a => a.StatusCode == HttpStatusCode.Created);
    }
}
