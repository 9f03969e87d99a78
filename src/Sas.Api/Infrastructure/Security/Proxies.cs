using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Sas.Api.Infrastructure.Security;

/// <summary>
/// Section <c>ForwardedHeaders</c>: the TLS-terminating proxies (load balancer, ingress) in front of the nodes. Only a
/// request whose TCP peer is one of them has its <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> read, and only
/// they may forward the SAS platform's client certificate (<c>Fhir:Mtls:ForwardedCertificateHeader</c>).
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>The proxies' own addresses, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>The proxies' networks, in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool Any => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    /// <summary>Whether <paramref name="peer"/>, a TCP peer, is one of the proxies.</summary>
    public bool IsProxy(IPAddress? peer)
    {
        if (peer is null) return false;
        if (peer.IsIPv4MappedToIPv6) peer = peer.MapToIPv4();
        foreach (var proxy in KnownProxies)
            if (IPAddress.TryParse(proxy.Trim(), out var address) && (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).Equals(peer)) return true;
        foreach (var network in KnownNetworks)
            if (System.Net.IPNetwork.TryParse(network.Trim(), out var range) && range.Contains(peer)) return true;
        return false;
    }
}

/// <summary>
/// The address of the TCP peer of a request, as the connection had it before any forwarded-headers step: the one thing a
/// caller cannot write into its own request. Security decisions about proxies read this, never
/// <see cref="ConnectionInfo.RemoteIpAddress"/>, which a forwarded-headers step rewrites from headers.
/// </summary>
public sealed class TcpPeerFeature(IPAddress? address)
{
    public IPAddress? Address { get; } = address;

    public static IPAddress? Of(HttpContext http) => http.Features.Get<TcpPeerFeature>()?.Address;
}

public static class Proxies
{
    /// <summary>The host setting behind <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>: it trusts forwarded headers from anyone.</summary>
    public const string HostForwardingSetting = "ForwardedHeaders_Enabled";

    public static IServiceCollection AddSasProxies(this IServiceCollection services)
    {
        services.AddValidatedOptions<ProxyOptions>(ProxyOptions.Section)
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p.Trim(), out _)), "ForwardedHeaders:KnownProxies: every entry must be an IP address.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n.Trim(), out _)), "ForwardedHeaders:KnownNetworks: every entry must be a network in CIDR notation (10.0.0.0/24).")
            .Validate<IConfiguration, IHostEnvironment>((_, config, env) => !env.IsProduction() || !config.GetValue(HostForwardingSetting, false),
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED is true: it reads X-Forwarded-For from anyone. Name the proxies in ForwardedHeaders:KnownProxies (or KnownNetworks) instead.")
            ;
        // First of all start-up filters, so first in the pipeline: before the host's own forwarded-headers step, if an
        // operator still turns it on, and before ours.
        services.Insert(0, ServiceDescriptor.Singleton<IStartupFilter, TcpPeerStartupFilter>());
        return services;
    }

    /// <summary>Reads <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from the known proxies only; nothing without any.</summary>
    public static WebApplication UseSasForwardedHeaders(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<ProxyOptions>();
        if (!proxies.Any) return app;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies.KnownProxies) options.KnownProxies.Add(IPAddress.Parse(proxy.Trim()));
        foreach (var network in proxies.KnownNetworks) options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network.Trim()));
        app.UseForwardedHeaders(options);
        return app;
    }

    private sealed class TcpPeerStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextStep) =>
            {
                http.Features.Set(new TcpPeerFeature(http.Connection.RemoteIpAddress));
                return nextStep(http);
            });
            next(app);
        };
    }
}
