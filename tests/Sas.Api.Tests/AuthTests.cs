using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sas.Api.Infrastructure.Auth;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class AuthTests(SasApiFactory api) : IClassFixture<SasApiFactory>
{
    private readonly World world = new(api);

    /// <summary>Every route that is not explicitly anonymous, with placeholders filled in.</summary>
    public static IEnumerable<(string Method, string Path)> SecuredRoutes(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v1", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m =>
                (m, System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!, "{([a-zA-Z]+)(:long)?}", x => x.Groups[2].Success ? "1" : "x"))));

    [Fact]
    public async Task Every_v1_route_answers_401_problem_without_credentials()
    {
        var anonymous = api.Anonymous();
        var routes = SecuredRoutes(api.Services).ToList();
        Assert.True(routes.Count >= 15, $"only {routes.Count} routes found");
        foreach (var (method, path) in routes)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
            await response.ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        }
    }

    [Fact]
    public async Task An_unknown_api_key_is_401()
    {
        await (await api.WithKey("sas_not-a-real-key").GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_practitioner_client_acts_only_for_its_own_rpps_and_not_as_admin()
    {
        var sector = await world.Sector();
        var mine = await world.Practitioner([sector]);
        var other = await world.Practitioner([sector]);
        var gp = await world.ClientFor(Roles.Practitioner, mine);

        await (await gp.PostJson($"/v1/practitioners/{mine}/slots", world.Slot(TimeSpan.FromHours(2), sector))).Expect(HttpStatusCode.Created);
        await (await gp.PostJson($"/v1/practitioners/{other}/slots", world.Slot(TimeSpan.FromHours(2), sector))).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await gp.PutJson($"/v1/practitioners/{other}/slots?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", new { slots = Array.Empty<object>() }))
            .ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await gp.GetAsync($"/v1/practitioners/{other}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await gp.PutJson($"/v1/sectors/{World.NewCode()}", new { name = "x", department = "44", communes = new[] { "44109" } })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await gp.GetAsync($"/v1/slots?sector={sector}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");

        var othersSlot = await world.PublishedSlot(other, TimeSpan.FromHours(3), sector);
        await (await gp.DeleteAsync($"/v1/slots/{othersSlot}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope"); // as reading it is
        Assert.Equal("available", (await (await api.Admin().GetAsync($"/v1/slots/{othersSlot}")).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_regulator_searches_only_its_sectors_or_departments()
    {
        var inScope = await world.Sector();
        var outOfScope = await world.Sector(communes: ["2A004"], department: "2A");
        var regulator = await world.ClientFor(Roles.Regulator, inScope);
        var departmental = await world.ClientFor(Roles.Regulator, "2A");

        await (await regulator.GetAsync($"/v1/slots?sector={inScope}")).Expect(HttpStatusCode.OK);
        await (await regulator.GetAsync($"/v1/slots?sector={outOfScope}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await regulator.GetAsync("/v1/slots?commune=2A004")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await departmental.GetAsync($"/v1/slots?sector={outOfScope}")).Expect(HttpStatusCode.OK);
        await (await regulator.PostJson("/v1/clients", new { name = "x", role = "admin" })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await regulator.PutJson($"/v1/practitioners/{World.NewRpps()}", new { })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await regulator.GetAsync($"/v1/sectors/{inScope}")).Expect(HttpStatusCode.OK); // territory is readable by every role
    }

    [Fact]
    public async Task A_cpts_client_reads_territory_but_neither_books_nor_administers()
    {
        var sector = await world.Sector();
        var finess = await world.Cpts(sector);
        var cpts = await world.ClientFor(Roles.Cpts, finess);
        await (await cpts.GetAsync($"/v1/cpts/{finess}")).Expect(HttpStatusCode.OK);
        await (await cpts.GetAsync($"/v1/slots?sector={sector}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await cpts.PutJson($"/v1/cpts/{finess}", new { name = "x", sectors = Array.Empty<string>() })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
    }

    [Fact]
    public async Task Client_scopes_are_validated_per_role()
    {
        await (await api.Admin().PostJson("/v1/clients", new { name = "x", role = "practitioner", scope = new[] { "123" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "scope[0]");
        await (await api.Admin().PostJson("/v1/clients", new { name = "x", role = "cpts", scope = new[] { "750712185" } }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "scope[0]");
        await (await api.Admin().PostJson("/v1/clients", new { name = "x", role = "superuser", scope = Array.Empty<string>() }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "role");
        await (await api.Admin().PostJson("/v1/clients", new { name = "x", role = "regulator", scope = Array.Empty<string>() }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "validation_failed", "scope");
    }

    [Fact]
    public async Task Api_keys_are_stored_only_as_hashes()
    {
        var created = await (await api.Admin().PostJson("/v1/clients", new { name = "Hash check", role = "admin" })).Expect(HttpStatusCode.Created);
        var key = created.GetProperty("apiKey").GetString()!;
        Assert.StartsWith("sas_", key);
        await (await api.WithKey(key).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);

        var rows = api.Rows("SELECT c.id, c.name, c.role, c.scope, k.id AS key_id, k.key_hash FROM clients c JOIN client_keys k ON k.client_id = c.id")
            .Select(r => string.Concat(((IDictionary<string, object?>)r).Values)).ToList();
        Assert.Contains(rows, row => row.Contains(ApiKeys.Hash(key), StringComparison.Ordinal));
        Assert.DoesNotContain(rows, row => row.Contains(key, StringComparison.Ordinal));
    }

    public static string Token(string role, string[] scope, string audience = "sas-booking-api", byte[]? key = null, string? sub = "regulation-software",
        string issuer = "https://idp.test", string algorithm = SecurityAlgorithms.HmacSha256) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(10),
            Subject = new ClaimsIdentity([.. sub is null ? Array.Empty<Claim>() : [new Claim("sub", sub)], new Claim("role", role), .. scope.Select(s => new Claim("sas_scope", s))]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SasApiFactory.JwtKey), algorithm),
        });

    [Fact]
    public async Task A_token_naming_no_client_or_from_another_issuer_or_with_another_algorithm_is_refused()
    {
        await (await api.WithToken(Token(Roles.Admin, [], sub: null)).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await api.WithToken(Token(Roles.Admin, [], issuer: "https://idp.evil")).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await api.WithToken(Token(Roles.Admin, [])).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
    }

    /// <summary>The host also knows a 64-byte key, so an HS512 signature verifies: only the pinned algorithm list refuses it.</summary>
    public sealed class TwoKeysApi : SasApiFactory
    {
        public static readonly byte[] LongKey = Enumerable.Range(1, 64).Select(i => (byte)(i * 3)).ToArray();
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Auth:Jwt:SigningKeys:1", Convert.ToBase64String(LongKey))];
    }

    [Fact]
    public async Task Only_the_pinned_algorithm_is_accepted_even_with_a_known_key()
    {
        using var host = new TwoKeysApi();
        await (await host.WithToken(Token(Roles.Admin, [], key: TwoKeysApi.LongKey, algorithm: SecurityAlgorithms.HmacSha512)).GetAsync("/v1/sectors"))
            .ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await host.WithToken(Token(Roles.Admin, [], key: TwoKeysApi.LongKey)).GetAsync("/v1/sectors")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Jwt_clients_are_told_apart_by_their_subject_even_a_long_one()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);
        var longSub = "f:" + new string('p', 80);
        var first = api.WithToken(Token(Roles.Regulator, [sector], sub: longSub));
        var second = api.WithToken(Token(Roles.Regulator, [sector], sub: "another-regulation-software"));
        await (await first.Book(BookingRequests.Body(slot), key: "shared-key")).Expect(HttpStatusCode.Created);
        // The same Idempotency-Key from another client is its own request (here refused: the slot is taken), not a replay.
        await (await second.Book(BookingRequests.Body(slot), key: "shared-key")).ExpectProblem(HttpStatusCode.Conflict, "slot_booked");
        var booked = (string)api.Rows("SELECT booked_by_client FROM bookings WHERE slot_id = @slot", new { slot }).Single().booked_by_client;
        Assert.StartsWith("jwt:", booked);
        Assert.True(booked.Length <= 36);
    }

    [Fact]
    public async Task A_jwt_carries_role_and_scope()
    {
        var sector = await world.Sector();
        var other = await world.Sector();
        var regulator = api.WithToken(Token(Roles.Regulator, [sector]));
        await (await regulator.GetAsync($"/v1/slots?sector={sector}")).Expect(HttpStatusCode.OK);
        await (await regulator.GetAsync($"/v1/slots?sector={other}")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
        await (await regulator.PutJson($"/v1/sectors/{World.NewCode()}", new { })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden_scope");
    }

    [Fact]
    public async Task A_jwt_with_a_wrong_key_or_audience_is_401()
    {
        await (await api.WithToken(Token(Roles.Admin, [], key: new byte[32])).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await api.WithToken(Token(Roles.Admin, [], audience: "someone-else")).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    /// <summary>A role the API does not know, or several: <see cref="Caller"/> reads one role, and policies would accept any of several.</summary>
    [Fact]
    public async Task A_token_with_an_unknown_role_or_several_roles_is_refused()
    {
        await (await api.WithToken(Token("sas_platform", [])).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await api.WithToken(Token("superuser", [])).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        var twoRoles = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://idp.test",
            Audience = "sas-booking-api",
            Expires = DateTime.UtcNow.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["sub"] = "two-hats", ["role"] = new[] { Roles.Regulator, Roles.Admin } },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(SasApiFactory.JwtKey), SecurityAlgorithms.HmacSha256),
        });
        await (await api.WithToken(twoRoles).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
