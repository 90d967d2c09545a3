using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Tributary.Core.Providers.Verification;

internal enum MailRouteKind
{
    /// <summary>Mail goes to <see cref="MailRoute.Hosts"/>, best preference first.</summary>
    Hosts,

    /// <summary>The domain does not exist, has neither MX nor address records, or publishes a null MX (RFC 7505).</summary>
    NoMail,

    /// <summary>DNS failed or timed out; nothing can be concluded.</summary>
    Error,
}

internal sealed record MailRoute(MailRouteKind Kind, IReadOnlyList<string> Hosts)
{
    public static readonly MailRoute NoMail = new(MailRouteKind.NoMail, []);
    public static readonly MailRoute Error = new(MailRouteKind.Error, []);
}

internal enum AddressLookup
{
    Found,
    None,
    Error,
}

/// <summary>MX and address lookups through DnsClient, each bounded by the verification timeout.</summary>
internal sealed class MailDns
{
    private readonly LookupClient _client;
    private readonly TimeSpan _timeout;

    public MailDns(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout)
    {
        NameServer[] nameServers = servers.Count > 0
            ? [.. servers.Select(s => new NameServer(s))]
            : [.. NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false)];
        var options = nameServers.Length > 0 ? new LookupClientOptions(nameServers) : new LookupClientOptions();
        // The verifier caches per domain itself and decides which answers are worth keeping.
        options.UseCache = false;
        options.ThrowDnsErrors = false;
        options.ContinueOnEmptyResponse = false;
        options.Retries = 0;
        // Several servers share one step's budget, so a dead first server still leaves time to ask the next.
        options.Timeout = TimeSpan.FromMilliseconds(Math.Max(1, timeout.TotalMilliseconds / Math.Max(1, nameServers.Length)));
        _client = new LookupClient(options);
        _timeout = timeout;
    }

    public async Task<MailRoute> LookupMxAsync(string domain, CancellationToken ct)
    {
        var (status, records) = await QueryAsync(domain, QueryType.MX, ct);
        if (status == DnsStatus.Error) return MailRoute.Error;
        if (status == DnsStatus.NoDomain) return MailRoute.NoMail;

        var mx = records.OfType<MxRecord>().ToList();
        if (mx.Count > 0)
        {
            var hosts = mx
                .Where(r => !IsNullMx(r))
                .OrderBy(r => r.Preference)
                .Select(r => HostName(r.Exchange.Value))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            return hosts.Count > 0 ? new MailRoute(MailRouteKind.Hosts, hosts) : MailRoute.NoMail;
        }

        // RFC 5321 §5.1: without MX records the domain's own address is the mail host.
        return await LookupAddressesAsync(domain, ct) switch
        {
            (AddressLookup.Found, _) => new MailRoute(MailRouteKind.Hosts, [domain]),
            (AddressLookup.None, _) => MailRoute.NoMail,
            _ => MailRoute.Error,
        };
    }

    /// <summary>IPv4 addresses of a host, or its IPv6 addresses when it has none.</summary>
    public async Task<(AddressLookup Result, IReadOnlyList<IPAddress> Addresses)> LookupAddressesAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal)) return (AddressLookup.Found, [literal]);

        var (status, records) = await QueryAsync(host, QueryType.A, ct);
        if (status == DnsStatus.Error) return (AddressLookup.Error, []);
        var addresses = records.OfType<ARecord>().Select(r => r.Address).ToList();
        if (addresses.Count > 0) return (AddressLookup.Found, addresses);
        if (status == DnsStatus.NoDomain) return (AddressLookup.None, []);

        (status, records) = await QueryAsync(host, QueryType.AAAA, ct);
        if (status == DnsStatus.Error) return (AddressLookup.Error, []);
        addresses = records.OfType<AaaaRecord>().Select(r => r.Address).ToList();
        return addresses.Count > 0 ? (AddressLookup.Found, addresses) : (AddressLookup.None, []);
    }

    private async Task<(DnsStatus Status, IReadOnlyList<DnsResourceRecord> Records)> QueryAsync(string name, QueryType type, CancellationToken ct)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(ct);
        step.CancelAfter(_timeout);
        try
        {
            var response = await _client.QueryAsync(name, type, QueryClass.IN, step.Token).WaitAsync(step.Token);
            return response.Header.ResponseCode switch
            {
                DnsHeaderResponseCode.NoError => (DnsStatus.Answer, response.Answers),
                DnsHeaderResponseCode.NotExistentDomain => (DnsStatus.NoDomain, []),
                _ => (DnsStatus.Error, []),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (DnsStatus.Error, []);
        }
        catch (Exception e) when (e is DnsResponseException or SocketException or IOException)
        {
            return (DnsStatus.Error, []);
        }
    }

    private static bool IsNullMx(MxRecord record) => HostName(record.Exchange.Value).Length == 0;

    private static string HostName(string fqdn) => fqdn.TrimEnd('.').ToLowerInvariant();

    private enum DnsStatus
    {
        Answer,
        NoDomain,
        Error,
    }
}
