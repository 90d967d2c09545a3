using System.Net;
using System.Net.Sockets;

namespace Tributary.Core.Webhooks;

public abstract record TargetCheck
{
    /// <summary>Every address the name resolved to may be reached; connect only to these.</summary>
    public sealed record Allowed(IReadOnlyList<IPAddress> Addresses) : TargetCheck;

    /// <summary>At least one address is in a range webhooks may not reach.</summary>
    public sealed record Refused(string Reason) : TargetCheck;

    /// <summary>The name did not resolve: a network error, retried like any other.</summary>
    public sealed record Unresolved(string Error) : TargetCheck;
}

/// <summary>
/// Keeps webhooks off the service's own network (SSRF, DESIGN §8). At submission, a URL must be http(s) and an IP-literal
/// host must be public; at delivery, the host name is resolved, refused when any of its addresses is not public, and the
/// connection goes to the addresses checked here (<see cref="ConnectAsync"/>), so a second, rebound DNS answer is never
/// used. <see cref="WebhookOptions.AllowPrivateNetworks"/> lifts the address rule, not the scheme rule.
/// </summary>
public sealed class WebhookTargetGuard(WebhookOptions options)
{
    /// <summary>The addresses <see cref="ResolveAsync"/> allowed, carried by the request to <see cref="ConnectAsync"/>.</summary>
    public static readonly HttpRequestOptionsKey<IReadOnlyList<IPAddress>> CheckedAddresses = new("tributary.webhooks.checked-addresses");

    public bool AllowPrivateNetworks => options.AllowPrivateNetworks;

    public const int MaxUrlLength = 2048;

    /// <summary>A webhook URL as logs may show it: without its query string or user info, which may carry a token.</summary>
    public static string ForLogs(Uri url) => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    /// <summary>Checks a URL a user submits as a webhook target; returns why it is refused, or null with the parsed URL.</summary>
    public string? CheckSubmission(string? url, out Uri? target)
    {
        target = null;
        if (url is { Length: > MaxUrlLength }) return $"must be at most {MaxUrlLength} characters";
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return "must be an absolute http(s) URL";
        if (uri.UserInfo.Length > 0) return "must not carry a user name or password (put a token in the path or query instead)";
        // System.Uri has already normalised numeric spellings (2130706433, 0x7f.1, 127.1) to dotted IPv4.
        if (!options.AllowPrivateNetworks && IPAddress.TryParse(uri.DnsSafeHost.TrimEnd('.'), out var address) && Forbidden(address) is { } range)
            return $"points to {address}, {range} address; webhooks may only target public addresses";
        target = uri;
        return null;
    }

    /// <summary>Resolves the target's host for one delivery attempt and decides whether it may be reached.</summary>
    public async Task<TargetCheck> ResolveAsync(Uri target, CancellationToken ct)
    {
        IReadOnlyList<IPAddress> addresses;
        if (IPAddress.TryParse(target.DnsSafeHost, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(target.DnsSafeHost, ct);
            }
            catch (SocketException e)
            {
                return new TargetCheck.Unresolved($"{target.DnsSafeHost} did not resolve: {e.Message}");
            }
            if (addresses.Count == 0) return new TargetCheck.Unresolved($"{target.DnsSafeHost} has no address");
        }
        if (!options.AllowPrivateNetworks)
            foreach (var address in addresses)
                if (Forbidden(address) is { } range)
                    return new TargetCheck.Refused($"{target.DnsSafeHost} resolves to {address}, {range} address; webhooks may only target public addresses");
        return new TargetCheck.Allowed(addresses);
    }

    /// <summary>
    /// The connect step of the webhook HTTP handler: connects to the addresses the request carries under
    /// <see cref="CheckedAddresses"/>, in order, never to a fresh DNS answer.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(CheckedAddresses, out var addresses) || addresses.Count == 0)
            throw new InvalidOperationException("A webhook request must carry the addresses the target guard checked");
        SocketException? last = null;
        foreach (var address in addresses)
        {
            Socket? socket = null;
            try
            {
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket?.Dispose();
                last = e;
            }
            catch
            {
                socket?.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>The kind of non-public range an address is in ("a loopback", "a private", …), or null for a public address.</summary>
    public static string? Forbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return ForbiddenV4(address.MapToIPv4().GetAddressBytes());
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork) return ForbiddenV4(b);
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "a non-IP";
        if (IPAddress.IPv6Loopback.Equals(address)) return "a loopback";
        if (IPAddress.IPv6Any.Equals(address)) return "an unspecified";
        // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 address in their last 4 bytes.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return ForbiddenV4(b[12..]);
        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..]) return ForbiddenV4(b[12..]);
        // 6to4 (2002::/16) carries one in bytes 2 to 5.
        if (b is [0x20, 0x02, ..]) return ForbiddenV4(b[2..6]);
        if (address.Equals(Ec2Metadata)) return "a cloud metadata";
        return b switch
        {
            [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..] => "a local-use NAT64 (64:ff9b:1::/48)",
            [0x01, 0x00, 0, 0, 0, 0, 0, 0, ..] => "a discard-only (100::/64)",
            [0x01, 0x00, 0, 0, 0, 0, 0, 1, ..] => "a dummy (100:0:0:1::/64)",
            // Teredo hides an IPv4 address behind the relay's: refused outright.
            [0x20, 0x01, 0x00, 0x00, ..] => "a Teredo (2001::/32)",
            [0x20, 0x01, 0x0d, 0xb8, ..] => "a documentation (2001:db8::/32)",
            // 2001::/23 is the IETF's protocol block; only its AMT, AS112 and ORCHIDv2 parts are globally reachable.
            [0x20, 0x01, 0x00, 0x03, ..] or [0x20, 0x01, 0x00, 0x04, 0x01, 0x12, ..] => null,
            [0x20, 0x01, 0x00, var z, ..] when (z & 0xf0) == 0x20 => null,
            [0x20, 0x01, var y, ..] when (y & 0xfe) == 0x00 => "an IETF protocol-assignment (2001::/23)",
            [0x3f, var y, ..] when (y & 0xf0) == 0xf0 => "a documentation (3fff::/20)",
            [0x5f, 0x00, ..] => "a segment-routing (5f00::/16)",
            [var x, ..] when (x & 0xfe) == 0xfc => "a unique-local",
            [0xfe, var y, ..] when (y & 0xc0) == 0x80 => "a link-local",
            [0xfe, var y, ..] when (y & 0xc0) == 0xc0 => "a site-local",
            [0xff, ..] => "a multicast",
            _ => null,
        };
    }

    private static readonly IPAddress Ec2Metadata = IPAddress.Parse("fd00:ec2::254");

    /// <summary>The blocks of the IANA IPv4 Special-Purpose Address Registry that are not globally reachable, and multicast.</summary>
    private static string? ForbiddenV4(ReadOnlySpan<byte> b) => b switch
    {
        [0, ..] => "a this-network (0.0.0.0/8)",
        [10, ..] => "a private",
        [100, var x, ..] when (x & 0xc0) == 64 => "a carrier-grade NAT",
        [127, ..] => "a loopback",
        [169, 254, 169, 254] => "a cloud metadata",
        [169, 254, ..] => "a link-local",
        [172, var x, ..] when (x & 0xf0) == 16 => "a private",
        [192, 0, 0, 9 or 10] => null, // the PCP and TURN anycast addresses are globally reachable
        [192, 0, 0, _] => "an IETF protocol-assignment (192.0.0.0/24)",
        [192, 0, 2, _] => "a documentation (192.0.2.0/24)",
        [192, 88, 99, _] => "a 6to4 relay anycast (192.88.99.0/24)",
        [192, 168, ..] => "a private",
        [198, var x, ..] when (x & 0xfe) == 18 => "a benchmarking (198.18.0.0/15)",
        [198, 51, 100, _] => "a documentation (198.51.100.0/24)",
        [203, 0, 113, _] => "a documentation (203.0.113.0/24)",
        [>= 224, ..] => "a multicast or reserved",
        _ => null,
    };
}
