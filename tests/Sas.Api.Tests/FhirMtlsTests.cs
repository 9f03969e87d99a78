using System.Net;
using System.Security.Cryptography.X509Certificates;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Sas.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace Sas.Api.Tests;

/// <summary>The API on real Kestrel with HTTPS, trusting the test PKI's root (and knowing its intermediate) for /fhir.</summary>
public class MtlsApiFactory : SasApiFactory
{
    public TestCertificates Pki { get; } = new();

    protected virtual string[] CaFiles => [Pki.CaPemFile, Pki.IntermediatePemFile];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. CaFiles.Select((file, i) => new KeyValuePair<string, string?>($"Fhir:Mtls:TrustedCaFiles:{i}", file)),
        new("Fhir:Mtls:AllowedCommonNames:0", TestCertificates.PlatformCn),
        new("Fhir:Mtls:AllowedOrganizationalUnits:0", TestCertificates.PlatformOu),
    ];

    public MtlsApiFactory()
    {
        // The app's own Kestrel wiring (FhirSetup) asks TLS clients for a certificate; the test only gives the server one.
        // Plain HTTP first, for the setup calls of World (the test host's own client); HTTPS for the mTLS calls.
        UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(Pki.Server));
        });
        StartServer();
        ClientOptions.BaseAddress = new Uri(Addresses.Single(a => a.StartsWith("http:")));
    }

    private ICollection<string> Addresses => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;

    public Uri BaseAddress => new(Addresses.Single(a => a.StartsWith("https:")));

    /// <summary>An HTTPS client presenting <paramref name="certificate"/> (or none), trusting the test server.</summary>
    public HttpClient Tls(X509Certificate2? certificate)
    {
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == Pki.Server.Thumbprint };
        if (certificate is not null) handler.ClientCertificates.Add(certificate);
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Pki.Dispose();
    }
}

/// <summary>
/// Test-kit requirements agg-psindiv@1 to @3: the platform authenticates by mutual TLS, and the server
/// checks the chain (to the configured IGC-Santé CA only), the CN and the OU. Real TLS handshakes.
/// </summary>
public sealed class FhirMtlsTests(MtlsApiFactory api) : IClassFixture<MtlsApiFactory>
{
    private readonly World world = new(api);

    private async Task<string> Query()
    {
        var sector = await world.Sector();
        var gp = await world.Practitioner([sector]);
        await world.PublishedSlot(gp, TimeSpan.FromHours(2), sector);
        var from = SasApiFactory.Start.ToOffset(TimeSpan.FromHours(1));
        return "/fhir/Slot?" + FhirBundles.GuideQuery(from, from.AddDays(1), false, gp);
    }

    [Fact]
    public async Task Req1_the_platform_certificate_opens_fhir_over_mutual_tls()
    {
        var bundle = await (await api.Tls(api.Pki.Platform).GetAsync(await Query())).ExpectFhir<Bundle>(HttpStatusCode.OK);
        Assert.Single(bundle.All<Slot>());
    }

    [Fact]
    public async Task Req1_a_certificate_from_the_roots_issuing_ca_is_accepted_the_intermediate_completing_the_chain()
    {
        await (await api.Tls(api.Pki.ViaIntermediate).GetAsync(await Query())).ExpectFhir<Bundle>(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refused_certificates_are_counted_by_reason_not_logged_one_warning_each()
    {
        using var refused = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            api.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Sas.Api.Infrastructure.Telemetry.SasMetrics.MeterName, "sas.fhir.certificates.refused");
        var query = await Query();
        await (await api.Tls(api.Pki.Rogue).GetAsync(query)).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
        await (await api.Tls(api.Pki.WrongOu).GetAsync(query)).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
        await (await api.Tls(null).GetAsync(query)).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized); // no certificate: nothing refused
        Assert.Equal(2, refused.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(2, refused.GetMeasurementSnapshot().Select(m => m.Tags["reason"]).Distinct().Count());
    }

    [Fact]
    public async Task Req1_without_a_certificate_fhir_is_closed()
    {
        var outcome = await (await api.Tls(null).GetAsync(await Query())).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
        Assert.Equal(OperationOutcome.IssueType.Login, outcome.Issue[0].Code);
    }

    [Fact]
    public async Task Req2_a_look_alike_certificate_from_an_unknown_ca_is_refused()
    {
        Assert.Equal(api.Pki.Platform.Subject, api.Pki.Rogue.Subject);
        await (await api.Tls(api.Pki.Rogue).GetAsync(await Query())).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Req3_a_certificate_of_the_trusted_ca_with_another_ou_is_refused()
    {
        await (await api.Tls(api.Pki.WrongOu).GetAsync(await Query())).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_platform_certificate_opens_nothing_but_fhir_and_api_keys_do_not_open_fhir()
    {
        await (await api.Tls(api.Pki.Platform).GetAsync("/v1/sectors")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthenticated");
        var admin = api.Tls(null);
        admin.DefaultRequestHeaders.Add("X-Api-Key", SasApiFactory.AdminKey);
        await (await admin.GetAsync(await Query())).ExpectFhir<OperationOutcome>(HttpStatusCode.Forbidden); // Fhir:AllowApiKeys is off
    }

    /// <summary>The platform is the holder of its certificate: a token claiming the platform's role is not the platform.</summary>
    [Fact]
    public async Task A_token_with_the_platforms_role_does_not_open_fhir()
    {
        var client = api.Tls(null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AuthTests.Token("sas_platform", []));
        var answer = await client.GetAsync(await Query());
        Assert.True(answer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"got {(int)answer.StatusCode}");
        await answer.ExpectFhir<OperationOutcome>(answer.StatusCode);
    }
}

/// <summary>Only the issuing CA configured, not its root.</summary>
public sealed class IntermediateOnlyApiFactory : MtlsApiFactory
{
    protected override string[] CaFiles => [Pki.IntermediatePemFile];
}

/// <summary>An intermediate CA is never a trust anchor: trusting it alone would accept what it issued even after its root revoked it.</summary>
public sealed class FhirIntermediateTrustTests(IntermediateOnlyApiFactory api) : IClassFixture<IntermediateOnlyApiFactory>
{
    [Fact]
    public async Task Req1_an_intermediate_configured_without_its_root_anchors_nothing()
    {
        var world = new World(api);
        var sector = await world.Sector();
        var gp = await world.Practitioner([sector]);
        var from = SasApiFactory.Start.ToOffset(TimeSpan.FromHours(1));
        var query = "/fhir/Slot?" + FhirBundles.GuideQuery(from, from.AddDays(1), false, gp);
        await (await api.Tls(api.Pki.ViaIntermediate).GetAsync(query)).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void Revocation_is_checked_online_in_production_unless_switched_off()
    {
        var options = api.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Certificate.CertificateAuthenticationOptions>>()
            .Get(Sas.Api.Fhir.PlatformCertificates.SchemeName);
        Assert.Equal(X509RevocationMode.NoCheck, options.RevocationMode); // a test host: not Production
        Assert.Empty(options.CustomTrustStore); // the intermediate is not an anchor
        Assert.Single(options.AdditionalChainCertificates);
    }
}
