using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

/// <summary>A host whose clock breaks on demand: every handler reads it, so a request then fails inside the API (500).</summary>
public sealed class BrokenClockApi : SasApiFactory
{
    public sealed class BreakableClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public volatile bool Broken;
        public override DateTimeOffset GetUtcNow() => Broken ? throw new InvalidOperationException("the clock broke") : base.GetUtcNow();
    }

    public BreakableClock Breakable { get; } = new(Start);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(Breakable);
        });
    }
}

/// <summary>One token an hour: the second request of any caller is refused (429).</summary>
public sealed class OneRequestApi : SasApiFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimit:TokenLimit", "1"),
        new("RateLimit:TokensPerPeriod", "1"),
        new("RateLimit:ReplenishmentPeriod", "01:00:00"),
    ];
}

/// <summary>
/// Every error is problem+json (RFC 9457) with the security headers, whatever the client's Accept says: CPTS
/// staff are told to send <c>Accept: text/csv</c>, browsers send text/html, some tools application/xml.
/// </summary>
[SqliteOnly("error media types: the HTTP layer, whatever the engine")]
public class ErrorMediaTypeTests(SasApiFactory api, BrokenClockApi broken, OneRequestApi limited)
    : IClassFixture<SasApiFactory>, IClassFixture<BrokenClockApi>, IClassFixture<OneRequestApi>
{
    public static readonly string?[] Accepts = ["text/csv", "text/html", "application/xml", null];

    public static TheoryData<string, string?> Cases()
    {
        var cases = new TheoryData<string, string?>();
        foreach (var error in new[] { "400", "401", "403", "404", "405", "413", "415", "422", "429", "500" })
            foreach (var accept in Accepts) cases.Add(error, accept);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_error_class_is_problem_json_with_the_security_headers_whatever_the_accept_header(string error, string? accept)
    {
        var (response, status, code) = error switch
        {
            "400" => (await Send(api, SasApiFactory.AdminKey, accept, HttpMethod.Put, "/v1/sectors/X-1", "{\"name\": ", "application/json"), 400, "malformed_request"),
            "401" => (await Send(api, null, accept, HttpMethod.Get, "/v1/sectors"), 401, "unauthenticated"),
            "403" => (await Send(api, await Key("cpts"), accept, HttpMethod.Put, "/v1/sectors/X-2", "{}", "application/json"), 403, "forbidden_scope"),
            "404" => (await Send(api, SasApiFactory.AdminKey, accept, HttpMethod.Get, "/v1/nothing-here"), 404, "not_found"),
            "405" => (await Send(api, SasApiFactory.AdminKey, accept, HttpMethod.Patch, "/v1/sectors/x", "{}", "application/json"), 405, "method_not_allowed"),
            "413" => (await Send(api, SasApiFactory.AdminKey, accept, HttpMethod.Put, "/v1/sectors/X-3", new string(' ', 3 * 1024 * 1024), "application/json"), 413, "payload_too_large"),
            "415" => (await Send(api, SasApiFactory.AdminKey, accept, HttpMethod.Put, "/v1/sectors/X-4", "name=x", "application/x-www-form-urlencoded"), 415, "unsupported_media_type"),
            "422" => (await Send(api, SasApiFactory.AdminKey, accept, HttpMethod.Put, "/v1/sectors/X-5", """{"name":"x","department":"999","communes":[]}""", "application/json"), 422, "validation_failed"),
            "429" => (await Twice(limited, accept), 429, "rate_limited"),
            _ => (await Broken(accept), 500, "internal_error"),
        };

        Assert.Equal(status, (int)response.StatusCode);
        await response.ExpectProblem((HttpStatusCode)status, code);
        var headers = response.Headers;
        Assert.Equal("nosniff", headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'none'", headers.GetValues("Content-Security-Policy").Single());
        Assert.True(headers.CacheControl?.NoStore, $"Cache-Control: {headers.CacheControl}");
    }

    private static async Task<HttpResponseMessage> Send(SasApiFactory host, string? key, string? accept, HttpMethod method, string url, string? body = null, string? mediaType = null)
    {
        using var client = key is null ? host.Anonymous() : host.WithKey(key);
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, mediaType!);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return await client.SendAsync(request);
    }

    private async Task<string> Key(string role)
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = role, role, scope = new[] { "440000016" } })).Expect(HttpStatusCode.Created);
        return created.GetProperty("apiKey").GetString()!;
    }

    /// <summary>Two anonymous requests: the second is over the one-an-hour bucket whatever the first found.</summary>
    private static async Task<HttpResponseMessage> Twice(SasApiFactory host, string? accept)
    {
        await Send(host, null, accept, HttpMethod.Get, "/v1/sectors");
        return await Send(host, null, accept, HttpMethod.Get, "/v1/sectors");
    }

    private async Task<HttpResponseMessage> Broken(string? accept)
    {
        await (await broken.Admin().GetAsync("/health/live")).Expect(HttpStatusCode.OK); // started before it breaks
        broken.Breakable.Broken = true;
        try { return await Send(broken, SasApiFactory.AdminKey, accept, HttpMethod.Get, "/v1/slots?sector=S-0"); }
        finally { broken.Breakable.Broken = false; }
    }
}
