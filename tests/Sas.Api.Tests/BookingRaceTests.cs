using System.Net;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

/// <summary>Real parallel requests racing for the same slots: the database must let exactly one win.</summary>
public class BookingRaceTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private const int Slots = 20;
    private const int RequestsPerSlot = 50;
    private readonly World world = new(api);

    private async Task<(List<long> Slots, HttpClient[] Regulators)> Arena()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slots = new List<long>();
        for (var i = 0; i < Slots; i++) slots.Add(await world.PublishedSlot(rpps, TimeSpan.FromMinutes(60 + 30 * i), sector));
        var regulators = new[] { await world.ClientFor("regulator", sector), await world.ClientFor("regulator", sector), await world.ClientFor("regulator", sector) };
        return (slots, regulators);
    }

    private static Task<List<(HttpStatusCode Status, string Body)>> Race(Func<int, Task<HttpResponseMessage>> send) => Races.AllAtOnce(RequestsPerSlot, send);

    [Fact]
    public async Task Fifty_parallel_bookings_of_one_slot_give_exactly_one_booking_on_each_of_twenty_slots()
    {
        var (slots, regulators) = await Arena();
        foreach (var slot in slots)
        {
            var answers = await Race(i => regulators[i % 3].Book(BookingRequests.Body(slot), key: $"race-{slot}-{i}"));
            Assert.DoesNotContain(answers, a => (int)a.Status >= 500);
            Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
            Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a =>
            {
                Assert.Equal(HttpStatusCode.Conflict, a.Status);
                Assert.Matches("\"code\":\"(slot_booked|slot_held)\"", a.Body);
            });
        }
        Assert.Equal(Slots, api.Count($"SELECT COUNT(*) FROM bookings WHERE {TestEngine.Dialect.InList("slot_id", "@slots")}", new { slots = Sas.Api.Infrastructure.Data.ValueList.Of(slots) }));
        Assert.Equal(Slots, api.Count($"SELECT COUNT(DISTINCT slot_id) FROM bookings WHERE {TestEngine.Dialect.InList("slot_id", "@slots")}", new { slots = Sas.Api.Infrastructure.Data.ValueList.Of(slots) }));
        Assert.Equal(Slots, api.Count($"SELECT COUNT(*) FROM slots WHERE {TestEngine.Dialect.InList("id", "@slots")} AND status = 'booked'", new { slots = Sas.Api.Infrastructure.Data.ValueList.Of(slots) }));
        Assert.Equal(Slots, api.Count($"SELECT COUNT(*) FROM outbox WHERE {TestEngine.Dialect.InList("slot_id", "@slots")}", new { slots = Sas.Api.Infrastructure.Data.ValueList.Of(slots) }));
    }

    [Fact]
    public async Task Fifty_parallel_holds_of_one_slot_give_exactly_one_hold_on_each_of_twenty_slots()
    {
        var (slots, regulators) = await Arena();
        foreach (var slot in slots)
        {
            var answers = await Race(i => regulators[i % 3].PostAsync($"/v1/slots/{slot}/hold", null));
            Assert.DoesNotContain(answers, a => (int)a.Status >= 500);
            // One hold: the winner's own client is answered the same hold again (200), every other client is refused.
            var winner = Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
            var holdId = System.Text.Json.JsonDocument.Parse(winner.Body).RootElement.GetProperty("holdId").GetString()!;
            Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a =>
            {
                if (a.Status == HttpStatusCode.OK) Assert.Contains(holdId, a.Body);
                else
                {
                    Assert.Equal(HttpStatusCode.Conflict, a.Status);
                    Assert.Contains("\"code\":\"slot_held\"", a.Body);
                }
            });
            Assert.Equal(holdId, (string)api.Rows("SELECT hold_id FROM slots WHERE id = @slot", new { slot }).Single().hold_id);
        }
        Assert.Equal(Slots, api.Count($"SELECT COUNT(*) FROM slots WHERE {TestEngine.Dialect.InList("id", "@slots")} AND status = 'held'", new { slots = Sas.Api.Infrastructure.Data.ValueList.Of(slots) }));
    }

    [Fact]
    public async Task Parallel_holds_by_three_distinct_regulators_let_exactly_one_client_win()
    {
        var (slots, regulators) = await Arena();
        var slot = slots[0];
        using var start = new ManualResetEventSlim(false);
        var tasks = regulators.Select(r => Task.Run(async () => { start.Wait(); return await r.PostAsync($"/v1/slots/{slot}/hold", null); })).ToList();
        start.Set();
        var responses = await Task.WhenAll(tasks);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }
}
