using System.Net;
using System.Net.Sockets;

namespace Sas.Api.Notifications;

/// <summary>
/// Where webhooks may be sent. A client registers any URL, and the API then makes requests to it from inside the
/// hosting network: without a rule, <c>https://169.254.169.254/</c> or an internal admin port would be reachable, and
/// the deliveries list would tell the caller what answered. Only public addresses are dialled, checked when the URL is
/// registered and again at every connection (after DNS, so a name that later resolves inward is caught too), except for
/// the hosts named in <c>Webhooks:AllowedPrivateHosts</c> (on-premise receivers).
/// </summary>
public sealed class WebhookTargets(WebhookOptions options)
{
    /// <summary>Thrown (and carried inside the HttpClient's exception) when the only addresses a receiver has are not public.</summary>
    public sealed class TargetRefusedException() : IOException("refused: the receiver's address is not public (see Webhooks:AllowedPrivateHosts)");

    /// <summary>The refusal's message when <paramref name="e"/> comes from one, else null.</summary>
    public static string? RefusalIn(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is TargetRefusedException refused) return refused.Message;
        return null;
    }

    public bool IsAllowedPrivateHost(string host) =>
        options.AllowedPrivateHosts.Any(h => string.Equals(h.Trim().Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether an address is one no webhook may reach: loopback, private, link-local, multicast, unspecified, shared or reserved.</summary>
    public static bool IsNonPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC            // fc00::/7 unique local
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8); // 2001:db8::/32 documentation
        }
        var v = address.GetAddressBytes();
        return v[0] == 0 || v[0] == 10 || v[0] == 127                 // "this" network, private, loopback
            || (v[0] == 100 && v[1] >= 64 && v[1] < 128)              // 100.64/10 shared (carrier NAT)
            || (v[0] == 169 && v[1] == 254)                           // link-local, cloud metadata
            || (v[0] == 172 && v[1] >= 16 && v[1] < 32)               // private
            || (v[0] == 192 && v[1] == 168)                           // private
            || (v[0] == 192 && v[1] == 0 && v[2] is 0 or 2)           // IETF protocol assignments, documentation
            || (v[0] == 198 && v[1] is 18 or 19)                      // benchmarking
            || (v[0] == 198 && v[1] == 51 && v[2] == 100) || (v[0] == 203 && v[1] == 0 && v[2] == 113) // documentation
            || v[0] >= 224;                                           // multicast, reserved, broadcast
    }

    /// <summary>The addresses of <paramref name="host"/> this API may dial; an empty list when it may dial none.</summary>
    public async Task<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        return IsAllowedPrivateHost(host) ? addresses : addresses.Where(a => !IsNonPublic(a)).ToArray();
    }

    /// <summary>
    /// Dials only allowed addresses: given to the webhooks' <see cref="SocketsHttpHandler"/>, so that the check happens
    /// at connection time, on the addresses actually dialled.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await AllowedAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new TargetRefusedException();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
