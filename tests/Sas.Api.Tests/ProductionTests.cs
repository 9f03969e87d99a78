using Microsoft.Extensions.DependencyInjection;
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

        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            KeyRingCertificate.Settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)).Concat(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
        }
    }

    /// <summary>Refused as an operator sees it: one line saying why, exit code 1, no stack trace (it used to end in SIGABRT).</summary>
    [Trait(Tier.Name, Tier.Process)]
    [Theory]
    [InlineData("Production", "Sas:DemoData", "true", "Sas:DemoData is on in Production")]
    [InlineData("Production", "Jobs:Dashboard:AllowNonAdmins", "true", "dashboard must stay admin-only")]
    [InlineData("Production", "Fhir:Mtls:TrustedCaFiles:0", "/nonexistent/igc-sante.pem", "does not exist")]
    [InlineData("Production", "Fhir:Mtls:TrustedCaFiles:0", "/nonexistent/igc-sante.pem", "AllowedCommonNames or AllowedOrganizationalUnits is empty")]
    [InlineData("Production", "Auth:Jwt:Enabled", "true", "Auth:Jwt:Enabled is true")]
    [InlineData("Production", "Fhir:Mtls:ForwardedCertificateHeader", "X-SSL-Client-Cert", "ForwardedHeaders:KnownProxies and KnownNetworks are empty")]
    [InlineData("Production", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true", "reads X-Forwarded-For from anyone")]
    [InlineData("Testing", "Fhir:Mtls:TrustedProxies:0", "10.0.0.5", "replaced by ForwardedHeaders:KnownProxies")]
    [InlineData("Production", "ForwardedHeaders:KnownProxies:0", "proxy.internal", "every entry must be an IP address")]
    [InlineData("Production", "Fhir:SasPlatform:BaseUrl", "https://sas.sante.fr/fhir", "Fhir:SasPlatform:AppointmentIdentifierSystem is the placeholder")]
    [InlineData("Production", "Fhir:SasPlatform:BaseUrl", "https://sas.sante.fr/fhir", "Fhir:SasPlatform:RegulatorScope is empty")]
    [InlineData("Production", "Fhir:Mtls:TrustedCaFiles:0", "/nonexistent/igc-sante.pem", "Fhir:SiteIdentifierSystem is the placeholder")]
    [InlineData("Production", "Https:Port", "443", "DataProtection:CertificateFile is not set")]
    [InlineData("Staging", "Sas:DemoData", "true", "Sas:DemoData is on in Staging")]
    [InlineData("production", "Sas:DemoData", "true", "for Development only")]
    [InlineData("Development", "Sas:BootstrapAdminKey", "short", "Sas:BootstrapAdminKey must be at least 16 characters")]
    [InlineData("Development", "Database:Provider", "SqlServer", "Database:Provider is SqlServer but ConnectionStrings:Sas is not set")]
    // Each feature's numbers, checked at start (Https:Port=0 used to start, then answer 500 to every request).
    [InlineData("Production", "Https:Port", "0", "Https:Port: The field Port must be between 1 and 65535.")]
    [InlineData("Development", "Webhooks:AttemptTimeout", "00:00:00", "Webhooks:AttemptTimeout:")]
    [InlineData("Development", "Webhooks:Lease", "00:00:20", "Webhooks:Lease must be longer")]
    [InlineData("Development", "RateLimit:TokenLimit", "0", "RateLimit:TokenLimit:")]
    [InlineData("Development", "Limits:MaxBodyBytes", "-1", "Limits:MaxBodyBytes:")]
    [InlineData("Development", "Booking:HoldMinutes", "0", "Booking:HoldMinutes:")]
    [InlineData("Development", "Cors:AllowedOrigins:0", "https://regulation.example.fr/app", "Cors:AllowedOrigins: every entry must be an origin")]
    [InlineData("Development", "Metrics:Port", "70000", "Metrics:Port:")]
    [InlineData("Development", "Auth:Jwt:SigningKeys:0", "c2hvcnQ=", "every key must be base64, of 32 bytes at least")]
    [InlineData("Development", "Fhir:DefaultTimeZone", "Europe/Nowhere", "Fhir:DefaultTimeZone is not a known time zone")]
    public async Task A_refused_configuration_prints_one_line_and_exits_with_code_1(string environment, string key, string value, string message)
    {
        var settings = new List<(string, string)> { (key, value) };
        if (!message.StartsWith("DataProtection", StringComparison.Ordinal)) settings.AddRange(KeyRingCertificate.Settings); // else that refusal joins every line
        if (key == "Database:Provider") settings.Add(("ConnectionStrings:Sas", ""));
        var ended = await ApiProcess.RunUntilExitAsync(environment, [.. settings]);

        Assert.Equal(1, ended.ExitCode);
        var line = Assert.Single(ended.ErrorLines);
        Assert.Contains(message, line);
        Assert.DoesNotContain("Unhandled exception", ended.Error + ended.Out);
        Assert.DoesNotContain("   at ", ended.Error + ended.Out);
    }

    /// <summary>
    /// The API's runtime settings, as <c>dotnet Sas.Api.dll</c> reads them beside the assembly: the server collector, and
    /// thread-pool workers that do not spin for work (CPU a two-core node needs for its requests).
    /// </summary>
    [Fact]
    public void The_published_api_runs_the_server_collector_and_workers_that_do_not_spin()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Sas.Api.runtimeconfig.json");
        var properties = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    [Fact]
    public void Production_checks_the_platforms_certificate_for_revocation_online()
    {
        using var host = new Host("Production");
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Certificate.CertificateAuthenticationOptions>>()
            .Get(Sas.Api.Fhir.PlatformCertificates.SchemeName);
        Assert.Equal(System.Security.Cryptography.X509Certificates.X509RevocationMode.Online, options.RevocationMode);
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

    /// <summary>The key ring behind the console's sessions is in the database, encrypted with DataProtection:CertificateFile.</summary>
    [Fact]
    public void The_key_ring_is_kept_in_the_database_encrypted_at_rest()
    {
        using var host = new Host("Production");
        var protector = host.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector("test");
        Assert.Equal("x", Microsoft.AspNetCore.DataProtection.DataProtectionCommonExtensions.Unprotect(protector, Microsoft.AspNetCore.DataProtection.DataProtectionCommonExtensions.Protect(protector, "x")));
        var xml = string.Concat(host.Rows("SELECT xml FROM data_protection_keys").Select(r => (string)r.xml));
        Assert.Contains("EncryptedData", xml);
        Assert.DoesNotContain("<value>", xml); // the master key's clear form
    }
}
