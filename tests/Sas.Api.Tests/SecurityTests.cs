using System.Net;
using Dapper;
using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Privacy;
using Sas.Api.Reports;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class SecurityTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    [Fact]
    public async Task Writes_and_patient_reads_are_in_the_audit_trail_which_only_admins_read()
    {
        var code = await world.Sector();
        var trail = await (await api.Admin().GetAsync($"/v1/audit?entity=sector&id={code}")).Expect(HttpStatusCode.OK);
        var row = Assert.Single(trail.GetProperty("items").EnumerateArray());
        Assert.Equal("create", row.GetProperty("action").GetString());
        Assert.Equal("admin", row.GetProperty("role").GetString());
        Assert.False(string.IsNullOrEmpty(row.GetProperty("traceId").GetString()));

        var regulator = await world.ClientFor("regulator", code);
        await (await regulator.GetAsync("/v1/audit")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        var failed = await api.Admin().PutJson($"/v1/sectors/{World.NewCode()}", new { name = "", department = "44", communes = new[] { "44109" } });
        await failed.ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM audit_log WHERE entity = 'sector' AND entity_id NOT IN (SELECT code FROM sectors)"));
    }

    [Fact]
    public void Every_write_route_audits_inside_its_own_transaction()
    {
        var writes = api.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Any(m => m is "POST" or "PUT" or "DELETE") == true)
            .ToList();
        Assert.True(writes.Count >= 15);
        Assert.All(writes, e => Assert.True(e.Metadata.GetMetadata<Sas.Api.Infrastructure.Audit.AuditedInTransaction>() is not null, $"{e.RoutePattern.RawText} is not audited in its transaction"));
    }

    [Fact]
    public async Task Key_rotation_revocation_client_creation_and_webhook_changes_are_audited_with_the_change()
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = "audited", role = "practitioner", scope = new[] { World.NewRpps() } })).Expect(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        var key = await (await api.Admin().PostJson($"/v1/clients/{id}/keys", new { label = "second" })).Expect(HttpStatusCode.Created);
        var keyId = key.GetProperty("keyId").GetString();
        await (await api.Admin().DeleteAsync($"/v1/clients/{id}/keys/{keyId}")).Expect(HttpStatusCode.NoContent);
        await (await api.Admin().DeleteAsync($"/v1/clients/{id}/keys/{keyId}")).ExpectProblem(HttpStatusCode.NotFound, "key_not_found"); // nothing changed: no row

        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM audit_log WHERE entity = 'client' AND entity_id = @id AND action = 'create' AND role = 'admin'", new { id }));
        Assert.Equal(["create", "revoke"], api.Rows("SELECT action FROM audit_log WHERE entity = 'client_key' AND entity_id = @keyId ORDER BY id", new { keyId }).Select(r => (string)r.action));
    }

    [Fact]
    public void The_audit_trail_is_append_only_in_the_database_and_in_the_code()
    {
        _ = api.Admin();
        using (var c = api.OpenDb())
        {
            c.Execute("INSERT INTO audit_log (at, client_id, role, action, entity, entity_id) VALUES (@at, 'c', 'admin', 'x', 'y', 'z')", new { at = api.Clock.GetUtcNow().UtcDateTime });
            Assert.ThrowsAny<DbException>(() => c.Execute("UPDATE audit_log SET action = 'changed'"));
            Assert.ThrowsAny<DbException>(() => c.Execute("DELETE FROM audit_log"));
        }
        // No statement the application can issue touches audit_log other than by INSERT or SELECT.
        foreach (var (name, text) in SqlServerStatementTests.ApplicationStatements())
            if (text.Contains("audit_log", StringComparison.OrdinalIgnoreCase))
                Assert.True(text.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase), name);
        var source = Directory.GetFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText);
        Assert.DoesNotContain(source, s => System.Text.RegularExpressions.Regex.IsMatch(s, @"(UPDATE|DELETE\s+FROM)\s+(dbo\.)?audit_log", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
    }

    [Fact]
    public async Task A_key_revoked_through_another_node_stops_working_when_this_nodes_cache_entry_expires()
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = "Other node", role = "regulator", scope = new[] { "44" } })).Expect(HttpStatusCode.Created);
        var key = created.GetProperty("apiKey").GetString()!;
        await (await api.WithKey(key).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK); // checked, and cached

        // Another node revokes it: this node's cache does not hear of it...
        using (var c = api.OpenDb())
            Dapper.SqlMapper.Execute(c, "UPDATE client_keys SET revoked_at = @at WHERE id = @id", new { at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), id = created.GetProperty("keyId").GetString() });
        await (await api.WithKey(key).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
        // ...for at most Auth:KeyCacheSeconds.
        api.Clock.Advance(TimeSpan.FromSeconds(10));
        await (await api.WithKey(key).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public void A_lookup_that_read_the_key_before_a_revocation_does_not_cache_it_after()
    {
        var cache = new Sas.Api.Clients.KeyCache(TimeProvider.System, TimeSpan.FromMinutes(1));
        var identity = new Sas.Api.Clients.ClientIdentity("c", "regulator", ["44"]);
        var readAt = cache.Generation; // the lookup reads the row, still live...
        cache.Clear();                 // ...the revocation commits and empties the cache...
        cache.Add("hash", identity, readAt); // ...then the lookup tries to keep what it read
        Assert.False(cache.TryGet("hash", out _));

        cache.Add("hash", identity, cache.Generation);
        Assert.True(cache.TryGet("hash", out var kept));
        Assert.Equal("c", kept.Id);
    }

    [Fact]
    public async Task A_key_is_rotated_then_revoked_and_the_revoked_key_answers_401_at_once()
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = "Practice", role = "regulator", scope = new[] { "44" } })).Expect(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        var oldKey = created.GetProperty("apiKey").GetString()!;
        var oldKeyId = created.GetProperty("keyId").GetString();
        var rotated = await (await api.Admin().PostJson($"/v1/clients/{id}/keys", new { label = "2027" })).Expect(HttpStatusCode.Created);
        var newKey = rotated.GetProperty("apiKey").GetString()!;

        await (await api.WithKey(oldKey).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
        await (await api.WithKey(newKey).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
        await (await api.Admin().DeleteAsync($"/v1/clients/{id}/keys/{oldKeyId}")).Expect(HttpStatusCode.NoContent);
        await (await api.WithKey(oldKey).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await api.WithKey(newKey).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
        await (await api.Admin().DeleteAsync($"/v1/clients/{id}/keys/{oldKeyId}")).ExpectProblem(HttpStatusCode.NotFound, "key_not_found");

        var client = await (await api.Admin().GetAsync($"/v1/clients/{id}")).Expect(HttpStatusCode.OK);
        var keys = client.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, keys.Single(k => k.GetProperty("id").GetString() == oldKeyId).GetProperty("revokedAt").ValueKind);
        Assert.DoesNotContain(oldKey, client.ToString());
        Assert.DoesNotContain(newKey, client.ToString());
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_cors_is_closed_by_default()
    {
        var response = await api.Admin().GetAsync("/v1/sectors");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/sectors");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        var answer = await api.Anonymous().SendAsync(preflight);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_purge_anonymises_old_bookings_once_keeps_reports_identical_and_is_audited()
    {
        var sector = await world.Sector();
        var cpts = await world.Cpts(sector);
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var old = (await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector)))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        api.Clock.Advance(TimeSpan.FromDays(89));
        var recent = (await (await regulator.Book(BookingRequests.Body(await world.PublishedSlot(rpps, TimeSpan.FromHours(1), sector), requestedAt: api.Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:sszzz")))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        api.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));

        var from = SasApiFactory.Start.UtcDateTime.Date;
        var to = api.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1);
        await api.Services.GetRequiredService<StatsJob>().RecomputeAsync(from, to, default);
        var query = $"cpts={cpts}&from={World.Instant(from)}&to={World.Instant(to)}";
        async Task<string> Reports() => string.Join("\n", await Task.WhenAll(
            new[] { "fill-rate?groupBy=day&", "indicators?", "majorations?", "participation?" }.Select(r => api.Admin().GetStringAsync($"/v1/reports/{r}{query}"))));
        var before = await Reports();

        var job = api.Services.GetRequiredService<PatientPurgeJob>();
        Assert.True(await job.RunAsync(default) >= 1);
        Assert.Equal(0, await job.RunAsync(default)); // idempotent

        var purged = api.Rows("SELECT patient_last_name, patient_phone, patient_ins, reason, purged_at FROM bookings WHERE id = @old", new { old }).Single();
        Assert.Null((string?)purged.patient_last_name);
        Assert.Null((string?)purged.patient_phone);
        Assert.Null((string?)purged.reason);
        Assert.NotNull((object?)purged.purged_at);
        Assert.Equal(BookingRequests.PatientLastName, (string)api.Rows("SELECT patient_last_name FROM bookings WHERE id = @recent", new { recent }).Single().patient_last_name);
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM audit_log WHERE action = 'purge' AND entity = 'booking' AND entity_id = @old AND role = 'system'", new { old }));

        await api.Services.GetRequiredService<StatsJob>().RecomputeAsync(from, to, default);
        Assert.Equal(before, await Reports());
        var read = await (await api.Admin().GetAsync($"/v1/bookings/{old}")).Expect(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("patient").GetProperty("lastName").ValueKind);
        // The stored answers of idempotency keys hold patient data too: gone after their day, by their own job.
        await api.Services.GetRequiredService<Sas.Api.Bookings.IdempotencyExpiryJob>().RunAsync(default);
        Assert.Equal(0, api.Count("SELECT COUNT(*) FROM idempotency_keys WHERE created_at < @cutoff", new { cutoff = api.Clock.GetUtcNow().UtcDateTime.AddDays(-1) }));
    }
}

public class RateLimitTests(RateLimitTests.Api api) : IClassFixture<RateLimitTests.Api>
{
    public sealed class Api : SasApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            KeyValuePair.Create<string, string?>("RateLimit:TokenLimit", "3"),
            KeyValuePair.Create<string, string?>("RateLimit:TokensPerPeriod", "1"),
            KeyValuePair.Create<string, string?>("RateLimit:ReplenishmentPeriod", "01:00:00"),
            KeyValuePair.Create<string, string?>("Limits:MaxBodyBytes", "4096"),
        ];
    }

    [Fact]
    public async Task A_client_over_its_rate_gets_429_with_retry_after_and_others_are_not_affected()
    {
        var first = await (await api.Admin().PostJson("/v1/clients", new { name = "a", role = "regulator", scope = new[] { "44" } })).Expect(HttpStatusCode.Created);
        var second = await (await api.Admin().PostJson("/v1/clients", new { name = "b", role = "regulator", scope = new[] { "44" } })).Expect(HttpStatusCode.Created);
        var a = api.WithKey(first.GetProperty("apiKey").GetString()!);
        for (var i = 0; i < 3; i++) await (await a.GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
        var limited = await a.GetAsync("/v1/sectors");
        await limited.ExpectProblem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);
        await (await api.WithKey(second.GetProperty("apiKey").GetString()!).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
        await (await a.GetAsync("/health/live")).Expect(HttpStatusCode.OK); // health checks are not limited
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var big = new string('x', 5000);
        var response = await api.Anonymous().PutRaw("/v1/sectors/x", $$"""{"name":"{{big}}"}""");
        await response.ExpectProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }
}

/// <summary>Unknown API keys: remembered briefly, and limited per address before any lookup.</summary>
public class FailedKeyTests(FailedKeyTests.Api api) : IClassFixture<FailedKeyTests.Api>
{
    public sealed class Api : SasApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("RateLimit:FailedKeysPerMinute", "5")];
    }

    private long Lookups => api.Services.GetRequiredService<Sas.Api.Clients.ClientStore>().DatabaseLookups;

    [Fact]
    public async Task A_flood_of_bad_keys_is_not_a_flood_of_database_lookups()
    {
        // One bad key again and again: looked up once, then remembered as unknown (and the address runs out of failures).
        var before = Lookups;
        for (var i = 0; i < 3; i++)
            await (await api.WithKey("sas_one-bad-key-" + new string('x', 20)).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(1, Lookups - before);

        // Distinct bad keys from one address: 401 until the address's five failures are spent, then 429 (their lookups
        // one at a time for every blocked address together: FailedKeyNeighbourTests).
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++) answers.Add(await api.WithKey($"sas_guess-{i}-{Guid.NewGuid():N}").GetAsync("/v1/sectors"));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count >= 7, $"{refused.Count} refused");
        await refused[^1].ExpectProblem(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(refused[^1].Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}

/// <summary>
/// The limiter counts an address's unknown keys, and must not lock out the valid keys behind the same address: one
/// integration server's stale worker, or every practice behind one NAT, would otherwise lock the others out for a minute.
/// </summary>
public class FailedKeyNeighbourTests(FailedKeyTests.Api api) : IClassFixture<FailedKeyTests.Api>
{
    [Fact]
    public async Task Valid_keys_from_an_address_that_sent_many_unknown_ones_still_pass()
    {
        var world = new World(api);
        var sector = await world.Sector();
        var used = await world.ClientFor("regulator", sector);
        await (await used.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        var fresh = await world.ClientFor("regulator", sector); // never used on this node yet

        var refused = 0;
        for (var i = 0; i < 60; i++)
            if ((await api.WithKey($"sas_stale-{i}-{Guid.NewGuid():N}").GetAsync("/v1/sectors")).StatusCode == HttpStatusCode.TooManyRequests) refused++;
        Assert.True(refused >= 50, $"only {refused} of the unknown keys were refused as too many"); // the limiter still works

        await (await used.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        await (await fresh.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        await (await api.Admin().GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_blocked_address_gets_its_unknown_keys_looked_up_one_at_a_time_at_most()
    {
        for (var i = 0; i < 10; i++) await api.WithKey($"sas_prime-{i}-{Guid.NewGuid():N}").GetAsync("/v1/sectors");
        var limiter = api.Services.GetRequiredService<Sas.Api.Infrastructure.Auth.FailedKeyLimiter>();
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => api.WithKey($"sas_burst-{i}-{Guid.NewGuid():N}").GetAsync("/v1/sectors")));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.TooManyRequests, a.StatusCode));
        Assert.True(limiter.MostLookupsAtOnce <= Sas.Api.Infrastructure.Auth.FailedKeyLimiter.BlockedLookupsAtOnce,
            $"{limiter.MostLookupsAtOnce} lookups of a blocked address's keys ran at once");
    }
}

/// <summary>A key created a moment after it was tried (and remembered as unknown) works at once on the node that created it.</summary>
public class NewKeyTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    [Fact]
    public async Task A_key_remembered_as_unknown_works_as_soon_as_it_is_created()
    {
        var key = "sas_bootstrap-like-key-" + Guid.NewGuid().ToString("N");
        await (await api.WithKey(key).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        await api.Services.GetRequiredService<Sas.Api.Clients.ClientStore>().EnsureKeyAsync("late", "admin", [], key, default);
        await (await api.WithKey(key).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
    }
}
