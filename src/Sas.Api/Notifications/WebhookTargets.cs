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

    /// <summary>
    /// Whether an address is one no webhook may reach: loopback, private, link-local, multicast, unspecified, shared or
    /// reserved; an IPv6 address that carries an IPv4 one (NAT64, 6to4, Teredo, IPv4-compatible) is judged by the IPv4
    /// addresses it leads to, since a translator or relay on the way would deliver it there.
    /// </summary>
    public static bool IsNonPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (IsLocalNat64(address)) return true;
            var embedded = EmbeddedIPv4(address);
            if (embedded.Length > 0) return embedded.Any(IsNonPublic);
        }
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

    /// <summary>64:ff9b:1::/48, the NAT64 prefix for local use (RFC 8215): it leads into the operator's own network.</summary>
    private static bool IsLocalNat64(IPAddress v6)
    {
        var b = v6.GetAddressBytes();
        return b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4] == 0x00 && b[5] == 0x01;
    }

    /// <summary>The IPv4 addresses an IPv6 address carries, by the prefixes that carry one; none for a plain IPv6 address.</summary>
    public static IPAddress[] EmbeddedIPv4(IPAddress v6)
    {
        var b = v6.GetAddressBytes();
        IPAddress At(int offset, bool inverted = false) =>
            new(inverted ? [(byte)~b[offset], (byte)~b[offset + 1], (byte)~b[offset + 2], (byte)~b[offset + 3]] : b.AsSpan(offset, 4).ToArray());
        // 64:ff9b::/96, NAT64's well-known prefix (RFC 6052): the IPv4 address in the last 32 bits.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0) return [At(12)];
        // 2002::/16, 6to4 (RFC 3056): the relay's IPv4 address in bits 16-47.
        if (b[0] == 0x20 && b[1] == 0x02) return [At(2)];
        // 2001:0::/32, Teredo (RFC 4380): the server in bits 32-63, the client inverted in the last 32 bits.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) return [At(4), At(12, inverted: true)];
        // ::a.b.c.d, IPv4-compatible (deprecated, RFC 4291), beyond :: and ::1 which are judged as IPv6.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !v6.Equals(IPAddress.IPv6Any) && !v6.Equals(IPAddress.IPv6Loopback)) return [At(12)];
        return [];
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
