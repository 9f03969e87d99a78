using System.Net;
using Hl7.Fhir.Model;
using Sas.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace Sas.Api.Tests;

/// <summary>Behind a TLS-terminating proxy that forwards the client certificate in a header, on a real port (127.0.0.1).</summary>
public abstract class ForwardingApiFactory : KestrelSasApiFactory
{
    public const string Header = "X-SSL-Client-Cert";
    public TestCertificates Pki { get; } = new();

    protected abstract string Proxy { get; }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Fhir:Mtls:TrustedCaFiles:0", Pki.CaPemFile),
        new("Fhir:Mtls:AllowedCommonNames:0", TestCertificates.PlatformCn),
        new("Fhir:Mtls:AllowedOrganizationalUnits:0", TestCertificates.PlatformOu),
        new("Fhir:Mtls:ForwardedCertificateHeader", Header),
        new("ForwardedHeaders:KnownProxies:0", Proxy),
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Pki.Dispose();
    }
}

public sealed class LocalProxyApi : ForwardingApiFactory
{
    protected override string Proxy => "127.0.0.1";
}

public sealed class RemoteProxyApi : ForwardingApiFactory
{
    protected override string Proxy => "10.20.30.40";
}

public class FhirForwardedCertificateTests(LocalProxyApi viaProxy, RemoteProxyApi direct) : IClassFixture<LocalProxyApi>, IClassFixture<RemoteProxyApi>
{
    private static async Task<HttpResponseMessage> Query(ForwardingApiFactory api)
    {
        var world = new World(api);
        var sector = await world.Sector();
        var gp = await world.Practitioner([sector]);
        await world.PublishedSlot(gp, TimeSpan.FromHours(2), sector);
        var from = SasApiFactory.Start.ToOffset(TimeSpan.FromHours(1));
        using var client = api.Outside();
        client.DefaultRequestHeaders.Add(ForwardingApiFactory.Header, Convert.ToBase64String(api.Pki.Platform.RawData));
        return await client.GetAsync("/fhir/Slot?" + FhirBundles.GuideQuery(from, from.AddDays(1), false, gp));
    }

    [Fact]
    public async Task The_certificate_forwarded_by_the_configured_proxy_opens_fhir()
    {
        await (await Query(viaProxy)).ExpectFhir<Bundle>(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_same_header_from_anyone_else_is_ignored()
    {
        await (await Query(direct)).ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
    }
}

/// <summary>
/// The reported bypass: the host's own forwarded-headers step (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>) rewrote the
/// caller's address from <c>X-Forwarded-For</c>, sent by anyone, before the certificate's proxy check read it.
/// </summary>
public sealed class SpoofedProxyApi : ForwardingApiFactory
{
    protected override string Proxy => "10.9.9.9";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [.. base.Settings, new("ForwardedHeaders_Enabled", "true")];
}

public class FhirSpoofedProxyTests(SpoofedProxyApi api) : IClassFixture<SpoofedProxyApi>
{
    [Fact]
    public async Task A_caller_naming_the_proxy_in_x_forwarded_for_is_not_the_proxy()
    {
        using var client = api.Outside();
        client.DefaultRequestHeaders.Add(ForwardingApiFactory.Header, Convert.ToBase64String(api.Pki.Platform.RawData));
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "10.9.9.9");
        var answer = await client.GetAsync("/fhir/Slot?_count=1");
        await answer.ExpectFhir<OperationOutcome>(HttpStatusCode.Unauthorized);
    }
}
