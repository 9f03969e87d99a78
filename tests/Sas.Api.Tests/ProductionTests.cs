using System.Net;
using Microsoft.AspNetCore.Hosting;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests;

public class ProductionTests
{
    private sealed class Host(string environment, params (string Key, string? Value)[] settings) : SasApiFactory
    {
        public bool Jwt { get; init; } = true;

        protected override bool WithTestJwtKey => Jwt;

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => settings.Select(s => KeyValuePair.Create(s.Key, s.Value));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
        }
    }

    [Theory]
    [InlineData("Sas:DemoData", "true", "Sas:DemoData is on in Production")]
    [InlineData("Jobs:Dashboard:AllowNonAdmins", "true", "dashboard must stay admin-only")]
    [InlineData("Fhir:Mtls:TrustedCaFiles:0", "/nonexistent/igc-sante.pem", "does not exist")]
    [InlineData("Fhir:Mtls:TrustedCaFiles:0", "/nonexistent/igc-sante.pem", "AllowedCommonNames or AllowedOrganizationalUnits is empty")]
    public void Production_refuses_unsafe_settings(string key, string value, string message)
    {
        using var host = new Host("Production", (key, value));
        var error = Assert.Throws<InvalidOperationException>(() => host.CreateClient());
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Production_refuses_jwt_enabled_without_an_authority_or_keys()
    {
        using var host = new Host("Production", ("Auth:Jwt:Enabled", "true")) { Jwt = false };
        var error = Assert.Throws<InvalidOperationException>(() => host.CreateClient());
        Assert.Contains("Auth:Jwt:Enabled is true", error.Message);
    }

    [Fact]
    public async Task Production_redirects_to_https_and_sends_hsts()
    {
        using var host = new Host("Production");
        var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var plain = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal("https", plain.Headers.Location!.Scheme);

        var secure = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://api.sas.example"), AllowAutoRedirect = false });
        var answer = await secure.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("max-age=31536000", answer.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task A_developer_may_open_the_dashboard_outside_production()
    {
        using var host = new Host("Development", ("Jobs:Dashboard:AllowNonAdmins", "true"), ("Sas:DemoData", "false"));
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task Cors_answers_configured_origins_only()
    {
        using var host = new Host("Testing", ("Cors:AllowedOrigins:0", "https://regulation.sas.example"));
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/v1/sectors");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "GET");
            return await host.CreateClient().SendAsync(request);
        }
        Assert.Equal("https://regulation.sas.example", (await Preflight("https://regulation.sas.example")).Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False((await Preflight("https://evil.example")).Headers.Contains("Access-Control-Allow-Origin"));
    }
}
