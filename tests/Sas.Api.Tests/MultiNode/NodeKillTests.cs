#if SAS_TEST_POSTGRES
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.MultiNode;

/// <summary>
/// Two API processes on one PostgreSQL database; one is killed (no graceful shutdown) in the middle of a booking
/// load. Real processes on the real clock: what a crashed node leaves behind is what the database committed.
/// </summary>
[Trait(Tier.Name, Tier.Process)]
public class NodeKillTests
{
    private const string AdminKey = SasApiFactory.AdminKey;

    [Fact]
    public async Task A_node_killed_during_a_booking_load_loses_no_acknowledged_booking_and_the_other_keeps_serving()
    {
        var database = PostgresServer.CreateDatabase();
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings:Sas"] = database, ["Sas:BootstrapAdminKey"] = AdminKey, ["Jobs:Enabled"] = "false",
                ["RateLimit:TokenLimit"] = "1000000", ["RateLimit:TokensPerPeriod"] = "1000000",
            };
            await using var doomed = ApiProcess.Running.Start("Testing", Path.GetTempPath(), [], settings);
            await using var survivor = ApiProcess.Running.Start("Testing", Path.GetTempPath(), [], settings);
            var (a, b) = (await doomed.ListeningAsync(), await survivor.ListeningAsync());

            HttpClient Client(Uri node, string key)
            {
                var client = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
                client.DefaultRequestHeaders.Add("X-Api-Key", key);
                return client;
            }
            var admin = Client(b, AdminKey);
            var sector = World.NewCode();
            var rpps = World.NewRpps();
            await (await admin.PutAsJsonAsync($"/v1/sectors/{sector}", new { name = sector, department = "44", communes = new[] { "44109" }, bookingHorizonHours = 48 })).Expect(HttpStatusCode.Created);
            await (await admin.PutAsJsonAsync($"/v1/practitioners/{rpps}", new
            {
                firstName = "Jeanne", lastName = "Docteur", sectors = new[] { sector },
                sites = new[] { new { id = "cab", name = "Cabinet", address = "1 rue de la Santé", commune = "44109", postalCode = "44000" } },
            })).Expect(HttpStatusCode.Created);
            var regulatorKey = (await (await admin.PostAsJsonAsync("/v1/clients", new { name = "SAS 44", role = "regulator", scope = new[] { sector } })).Expect(HttpStatusCode.Created))
                .GetProperty("apiKey").GetString()!;
            var now = DateTimeOffset.UtcNow;
            var slots = new List<long>();
            for (var i = 0; i < 60; i++)
            {
                var start = now.AddHours(2).AddMinutes(20 * i);
                var body = new { start = World.Local(start), end = World.Local(start.AddMinutes(20)), sector, site = "cab", modality = "in_person" };
                slots.Add((await (await admin.PostAsJsonAsync($"/v1/practitioners/{rpps}/slots", body)).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64());
            }

            // Bookings to both nodes at once; the doomed one is killed once it has acknowledged a few.
            var (toA, toB) = (Client(a, regulatorKey), Client(b, regulatorKey));
            var acknowledged = new ConcurrentDictionary<long, string>();
            var lost = new ConcurrentBag<int>();
            var ackedByA = 0;
            var bodies = slots.Select(slot => BookingRequests.Body(slot, requestedAt: World.Local(DateTimeOffset.UtcNow))).ToList();
            var requests = slots.Select((slot, i) => Task.Run(async () =>
            {
                var onA = i % 2 == 0;
                try
                {
                    var response = await (onA ? toA : toB).Book(bodies[i], key: $"kill-{i}");
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged[slot] = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
                        if (onA && Interlocked.Increment(ref ackedByA) == 5) doomed.Kill();
                    }
                    else Assert.Fail($"slot {slot}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                catch (HttpRequestException) when (onA) { lost.Add(i); } // sent to the node as it died: no answer, nothing promised
                catch (TaskCanceledException) when (onA) { lost.Add(i); }
            })).ToList();
            await Task.WhenAll(requests);

            // Every acknowledged booking is in the database, once.
            Assert.True(ackedByA >= 5);
            Assert.Equal(30, ackedByA + lost.Count); // every request to the dead node was answered or lost, none half-answered
            await using var db = new Npgsql.NpgsqlConnection(database);
            foreach (var (slot, id) in acknowledged)
                Assert.Equal(id, await Dapper.SqlMapper.ExecuteScalarAsync<string>(db, "SELECT id FROM bookings WHERE slot_id = @slot AND status = 'booked'", new { slot }));

            // The survivor keeps serving: the unanswered bookings retried there, as a client retries (same key, same
            // body), answer once each: the first answer again if the dead node had committed it, else a new booking.
            foreach (var i in lost)
            {
                var retry = await toB.Book(bodies[i], key: $"kill-{i}");
                Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
            }
            Assert.Equal(60, await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, $"SELECT COUNT(DISTINCT slot_id) FROM bookings WHERE {TestEngine.Dialect.InList("slot_id", "@slots")}", new { slots = Sas.Api.Infrastructure.Data.ValueList.Of(slots) }));
            Assert.Equal(60, await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, $"SELECT COUNT(*) FROM bookings WHERE {TestEngine.Dialect.InList("slot_id", "@slots")}", new { slots = Sas.Api.Infrastructure.Data.ValueList.Of(slots) }));
            await (await Client(b, AdminKey).GetAsync("/health/ready")).Expect(HttpStatusCode.OK);
        }
        finally
        {
            PostgresServer.DropDatabase(database);
        }
    }
}
#endif
