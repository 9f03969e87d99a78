using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Sas.Api.Tests.Support;

/// <summary>
/// The API on a real Kestrel port on loopback, for what the in-memory test server cannot show: clients that
/// drop their connection, redirects, sockets. <see cref="Address"/> is its base URL.
/// </summary>
public class KestrelSasApiFactory : SasApiFactory
{
    public KestrelSasApiFactory()
    {
        UseKestrel(0);
        StartServer();
        Address = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public Uri Address { get; }

    /// <summary>A client of its own (its own connections), with this key; its answers are checked against openapi.yaml unless <paramref name="checkContract"/> is false (a client that drops answers halfway).</summary>
    public HttpClient Outside(string? key = null, bool checkContract = true)
    {
        var sockets = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        var client = new HttpClient(checkContract ? new ContractCheckingHandler(sockets) : sockets) { BaseAddress = Address };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }
}
