using System.Net;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sas.Api.Infrastructure.Data;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

/// <summary>
/// A database on a full disk, made full on demand without root or tmpfs: SQLite's <c>max_page_count</c>, set on
/// the connection the writes go through, refuses every write that needs a new page with SQLITE_FULL.
/// </summary>
[SqliteOnly("a full disk under the SQLite file")]
public class FullDiskTests(FullDiskTests.Api api) : IClassFixture<FullDiskTests.Api>
{
    public sealed class Api : SasApiFactory
    {
        public LogCapture Log { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddLogging(l => l.AddProvider(Log)));
        }
    }

    private readonly World world = new(api);

    private Task<long> CapWritesAtTheCurrentSize() => api.Services.GetRequiredService<Db>().InTransactionAsync(async (c, tx) =>
    {
        var pages = await c.ExecuteScalarAsync<long>("PRAGMA page_count", transaction: tx);
        return await c.ExecuteScalarAsync<long>($"PRAGMA max_page_count = {pages}", transaction: tx);
    });

    private Task Uncap() => api.Services.GetRequiredService<Db>().InTransactionAsync((c, tx) => c.ExecuteScalarAsync<long>("PRAGMA max_page_count = 1073741823", transaction: tx));

    [Fact]
    public async Task Writes_refused_by_a_full_disk_answer_503_readiness_drops_the_log_says_it_once_and_all_comes_back_after_a_write()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var gp = await world.ClientFor("practitioner", rpps);
        await (await api.Anonymous().GetAsync("/health/ready")).Expect(HttpStatusCode.OK);
        var errorsBefore = api.Log.Entries.Count(e => e.Level is LogLevel.Error or LogLevel.Critical);

        await CapWritesAtTheCurrentSize();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 200; i++)
        {
            var slot = world.Slot(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(25 * i), sector, externalId: $"full-{i}-{new string('x', 40)}");
            answers.Add(await gp.PostJson($"/v1/practitioners/{rpps}/slots", slot));
        }

        Assert.DoesNotContain(answers, a => a.StatusCode == HttpStatusCode.InternalServerError);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.True(refused.Count > 100, $"{refused.Count} of 200 refused");
        var problem = await refused[^1].ExpectProblem(HttpStatusCode.ServiceUnavailable, "storage_unavailable");
        Assert.DoesNotContain("sqlite", problem.ToString(), StringComparison.OrdinalIgnoreCase); // no engine detail to the client
        Assert.True(refused[^1].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("nosniff", refused[^1].Headers.GetValues("X-Content-Type-Options").Single());

        var ready = await api.Anonymous().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("not_ready", (await ready.ReadJson()).GetProperty("status").GetString());
        await (await api.Anonymous().GetAsync("/health/live")).Expect(HttpStatusCode.OK); // liveness stays cheap: the process is fine

        // Said once (with its cause), not a stack trace per refused request.
        var errors = api.Log.Entries.Where(e => e.Level is LogLevel.Error or LogLevel.Critical).Skip(errorsBefore).ToList();
        Assert.True(errors.Count <= 2, string.Join("\n", errors));
        Assert.Single(errors, e => e.Exception is not null);

        // A node the load balancer no longer sends writes to may try again after Retry-After; a new refusal takes it out again.
        api.Clock.Advance(TimeSpan.FromSeconds(31));
        await (await api.Anonymous().GetAsync("/health/ready")).Expect(HttpStatusCode.OK);
        for (var i = 0; i < 5; i++) await gp.PostJson($"/v1/practitioners/{rpps}/slots", world.Slot(TimeSpan.FromDays(4) + TimeSpan.FromMinutes(25 * i), sector, externalId: $"again-{i}-{new string('y', 40)}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.Anonymous().GetAsync("/health/ready")).StatusCode);

        await Uncap();
        await (await gp.PostJson($"/v1/practitioners/{rpps}/slots", world.Slot(TimeSpan.FromDays(5), sector))).Expect(HttpStatusCode.Created);
        await (await api.Anonymous().GetAsync("/health/ready")).Expect(HttpStatusCode.OK);
    }
}
