using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

public sealed class AbortApiFactory : KestrelSasApiFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Fhir:AllowApiKeys", "true"),
        new("Database:SqliteReaders", "4"),
        new("Logging:LogLevel:Default", "Warning"),
    ];
}

/// <summary>
/// Clients that give up: a regulator's software with a short timeout, a load generator closing its
/// connections. Every request below is aborted by its client at a random moment, over a real socket.
/// </summary>
[SqliteOnly("aborted clients: the HTTP layer, whatever the engine")]
public sealed class ClientAbortTests(AbortApiFactory api) : IClassFixture<AbortApiFactory>
{
    private const int Requests = 5000;
    private const int Parallel = 20;
    private readonly World world = new(api);

    [Fact]
    public async Task Five_thousand_requests_aborted_at_random_moments_leave_the_process_alive_every_reader_turn_free_and_the_next_request_answered()
    {
        var sector = await world.Sector(horizon: 48);
        var cpts = await world.Cpts(sector);
        var rpps = await world.Practitioner([sector]);
        var slots = new List<long>();
        for (var i = 0; i < 40; i++) slots.Add(await world.PublishedSlot(rpps, TimeSpan.FromMinutes(60 + 25 * i), sector));
        var regulatorKey = await Key("regulator", sector);
        var cptsKey = await Key("cpts", cpts);
        var from = api.Clock.GetUtcNow();
        var window = $"from={World.Instant(from.AddDays(3))}&to={World.Instant(from.AddDays(4))}";
        var fhir = "/fhir/Slot?" + FhirBundles.GuideQuery(from.ToOffset(TimeSpan.FromHours(1)), from.AddDays(2).ToOffset(TimeSpan.FromHours(1)), false, rpps);
        var report = $"/v1/reports/fill-rate?cpts={cpts}&from={World.Instant(from.AddDays(-7))}&to={World.Instant(from.AddDays(7))}&groupBy=weekday_hour";

        using var regulator = api.Outside(regulatorKey, checkContract: false);
        using var admin = api.Outside(SasApiFactory.AdminKey, checkContract: false);
        using var staff = api.Outside(cptsKey, checkContract: false);
        var requests = new Func<int, HttpRequestMessage>[]
        {
            i => new HttpRequestMessage(HttpMethod.Get, $"/v1/slots?sector={sector}&limit=20"),
            i => Booking(slots[i % slots.Count]),
            i => new HttpRequestMessage(HttpMethod.Put, $"/v1/practitioners/{rpps}/slots?{window}")
            {
                Content = JsonContent.Create(new { slots = new[] { world.Slot(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(i % 50 * 30), sector, externalId: $"abort-{i % 50}") } }),
            },
            i => new HttpRequestMessage(HttpMethod.Get, fhir),
            i => new HttpRequestMessage(HttpMethod.Get, report),
        };
        var clients = new[] { regulator, regulator, admin, admin, staff };

        int sent = 0, answered = 0, aborted = 0;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            int i;
            while ((i = Interlocked.Increment(ref sent)) <= Requests)
            {
                var kind = i % requests.Length;
                using var request = requests[kind](i);
                // Given up before sending or while the server works (a short timeout), or halfway through reading the
                // answer (one request in five waits for its headers, then drops the connection with the body unread).
                var readsHalf = i % 5 == 0;
                using var giveUp = new CancellationTokenSource(readsHalf ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(random.Next(0, 12)));
                try
                {
                    using var response = await clients[kind].SendAsync(request, HttpCompletionOption.ResponseHeadersRead, giveUp.Token);
                    Assert.True((int)response.StatusCode < 500, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    Interlocked.Increment(ref answered);
                    await using var body = await response.Content.ReadAsStreamAsync(giveUp.Token);
                    _ = await body.ReadAsync(new byte[random.Next(1, 64)], giveUp.Token); // a part of it, then gone
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
                {
                    Interlocked.Increment(ref aborted);
                }
            }
        })));

        // Both kinds happened: requests the server answered, and many more that the client dropped.
        Assert.True(answered >= Requests / 5 && aborted > Requests / 2, $"{answered} answered, {aborted} aborted");

        // Connections dropped server-side are collected: a finalizer that threw would end this process here.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var db = api.Services.GetRequiredService<Db>();
        await Eventually(() => db.FreeReaderTurns == db.ReaderTurns, "every reader turn given back once the aborted requests have ended");
        Assert.Equal(4, db.ReaderTurns);

        using var fresh = api.Outside(regulatorKey);
        var answer = await fresh.GetAsync($"/v1/slots?sector={sector}&limit=5").WaitAsync(TimeSpan.FromSeconds(10));
        await answer.Expect(HttpStatusCode.OK);
        await (await api.Outside(SasApiFactory.AdminKey).GetAsync(fhir).WaitAsync(TimeSpan.FromSeconds(10))).Expect(HttpStatusCode.OK);
        Assert.Equal(db.ReaderTurns, db.FreeReaderTurns);
    }

    private static HttpRequestMessage Booking(long slot)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/bookings") { Content = JsonContent.Create(BookingRequests.Body(slot)) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return request;
    }

    private async Task<string> Key(string role, params string[] scope)
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = role, role, scope })).Expect(HttpStatusCode.Created);
        return created.GetProperty("apiKey").GetString()!;
    }

    /// <summary>Waits (on the wall clock: the server's own threads finish the aborted requests) for a condition, at most 10 s.</summary>
    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(condition(), what);
    }
}
