using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tributary.Tests.Verification;

/// <summary>
/// An authoritative DNS server on a loopback UDP port that answers from a scripted zone: MX, A and AAAA records,
/// names that exist without records, names that answer SERVFAIL and names whose queries are dropped. Any other name
/// is NXDOMAIN. Every query is recorded.
/// </summary>
public sealed class FakeDnsServer : IDisposable
{
    public const ushort TypeA = 1;
    public const ushort TypeMx = 15;
    public const ushort TypeAaaa = 28;

    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<(string Name, ushort Type), List<byte[]>> _records = new();
    private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _servFail = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _silent = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<(string Name, ushort Type)> _queries = new();
    private readonly Task _loop;

    public FakeDnsServer() => _loop = Task.Run(ServeAsync);

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public string Endpoint => $"127.0.0.1:{Port}";

    public FakeDnsServer Mx(string domain, params (ushort Preference, string Host)[] hosts)
    {
        foreach (var (preference, host) in hosts)
        {
            var rdata = new List<byte>();
            rdata.Add((byte)(preference >> 8));
            rdata.Add((byte)preference);
            rdata.AddRange(EncodeName(host));
            Add(domain, TypeMx, [.. rdata]);
        }
        return this;
    }

    public FakeDnsServer A(string name, string address) => Add(name, TypeA, IPAddress.Parse(address).GetAddressBytes());

    public FakeDnsServer Aaaa(string name, string address) => Add(name, TypeAaaa, IPAddress.Parse(address).GetAddressBytes());

    /// <summary>The name exists (NOERROR) but has no records of the asked type.</summary>
    public FakeDnsServer Exists(string name)
    {
        _names[name] = true;
        return this;
    }

    public FakeDnsServer ServFail(string name)
    {
        _servFail[name] = true;
        return this;
    }

    /// <summary>Queries for the name are received and never answered.</summary>
    public FakeDnsServer Silent(string name)
    {
        _silent[name] = true;
        return this;
    }

    public int QueriesFor(string name, ushort? type = null) =>
        _queries.Count(q => string.Equals(q.Name, name, StringComparison.OrdinalIgnoreCase) && (type is null || q.Type == type));

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    private FakeDnsServer Add(string name, ushort type, byte[] rdata)
    {
        _names[name] = true;
        _records.GetOrAdd((name.ToLowerInvariant(), type), _ => []).Add(rdata);
        return this;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var response = Answer(received.Buffer);
            if (response is null) continue;
            try
            {
                await _udp.SendAsync(response, received.RemoteEndPoint, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1) return null;
        var offset = 12;
        var labels = new List<string>();
        while (query[offset] != 0)
        {
            int length = query[offset];
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, length));
            offset += length + 1;
        }
        offset++;
        var name = string.Join('.', labels).ToLowerInvariant();
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset));
        var questionEnd = offset + 4;
        _queries.Enqueue((name, type));

        if (_silent.ContainsKey(name)) return null;
        var records = _records.TryGetValue((name, type), out var found) ? found : [];
        var rcode = _servFail.ContainsKey(name) ? 2 : _names.ContainsKey(name) ? 0 : 3;
        if (rcode != 0) records = [];

        var response = new List<byte>(query.AsSpan(0, questionEnd).ToArray());
        var requestFlags = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(2));
        // QR, the query's opcode and RD, AA and RA, then the response code.
        var flags = (ushort)(0x8000 | (requestFlags & 0x7900) | 0x0400 | 0x0080 | rcode);
        response[2] = (byte)(flags >> 8);
        response[3] = (byte)flags;
        response[6] = (byte)(records.Count >> 8);
        response[7] = (byte)records.Count;
        for (var i = 8; i < 12; i++) response[i] = 0;
        foreach (var rdata in records)
        {
            response.AddRange([0xC0, 0x0C]);
            response.AddRange([(byte)(type >> 8), (byte)type, 0x00, 0x01]);
            response.AddRange([0x00, 0x00, 0x00, 0x3C]);
            response.AddRange([(byte)(rdata.Length >> 8), (byte)rdata.Length]);
            response.AddRange(rdata);
        }
        return [.. response];
    }

    private static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }
}
