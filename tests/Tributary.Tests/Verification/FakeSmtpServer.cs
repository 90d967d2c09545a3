using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tributary.Tests.Verification;

public enum FakeSmtpBehaviour
{
    /// <summary>Speaks SMTP with scripted RCPT replies.</summary>
    Normal,

    /// <summary>Like <see cref="Normal"/>, but answers EHLO with 502 so the client has to fall back to HELO.</summary>
    RejectEhlo,

    /// <summary>Accepts connections and never says a word.</summary>
    Silent,
}

/// <summary>
/// An SMTP server on a loopback TCP port with scripted replies per recipient: a recipient's replies are used in turn
/// (the last one repeats); unscripted recipients are accepted at accept-all domains and refused with 550 elsewhere.
/// Every session's commands are recorded.
/// </summary>
public sealed class FakeSmtpServer : IDisposable
{
    public const string Accept = "250 2.1.5 OK";
    public const string UserUnknown = "550 5.1.1 Recipient address rejected: User unknown";
    public const string MailboxFull = "552 5.2.2 Mailbox full";
    public const string Greylisted = "450 4.7.1 Greylisted, please try again later";
    public const string PolicyBlock = "550 5.7.1 Client host rejected by policy";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly FakeSmtpBehaviour _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, string[]> _scripts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _acceptAll = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _asked = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ConcurrentQueue<string>> _sessions = new();
    private readonly Task _loop;

    public FakeSmtpServer(FakeSmtpBehaviour behaviour = FakeSmtpBehaviour.Normal)
    {
        _behaviour = behaviour;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public FakeSmtpServer Recipient(string address, params string[] replies)
    {
        _scripts[address] = replies;
        return this;
    }

    public FakeSmtpServer AcceptAll(string domain)
    {
        _acceptAll[domain] = true;
        return this;
    }

    /// <summary>The commands of every session so far, one list per connection, in the order they were opened.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Sessions => [.. _sessions.Select(s => s.ToList())];

    /// <summary>The sessions in which <paramref name="address"/> was asked about.</summary>
    public IReadOnlyList<IReadOnlyList<string>> SessionsAsking(string address) =>
        [.. Sessions.Where(s => s.Contains(RcptTo(address), StringComparer.OrdinalIgnoreCase))];

    public int TimesAsked(string address) => _asked.GetValueOrDefault(address);

    /// <summary>Recipients asked about at <paramref name="domain"/>, scripted or not, in order.</summary>
    public IReadOnlyList<string> RecipientsAt(string domain) =>
    [
        .. Sessions.SelectMany(s => s)
            .Where(c => c.StartsWith("RCPT TO:<", StringComparison.OrdinalIgnoreCase))
            .Select(c => c["RCPT TO:<".Length..].TrimEnd('>'))
            .Where(a => a.EndsWith("@" + domain, StringComparison.OrdinalIgnoreCase)),
    ];

    public static string RcptTo(string address) => $"RCPT TO:<{address}>";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var log = new ConcurrentQueue<string>();
        _sessions.Enqueue(log);
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                if (_behaviour == FakeSmtpBehaviour.Silent)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 mx.fake.test ESMTP ready");
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    log.Enqueue(line);
                    var verb = line.Split(' ', ':')[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO" when _behaviour == FakeSmtpBehaviour.RejectEhlo:
                            await writer.WriteLineAsync("502 5.5.2 Command not recognized");
                            break;
                        case "EHLO":
                            await writer.WriteLineAsync("250-mx.fake.test greets you");
                            await writer.WriteLineAsync("250-PIPELINING");
                            await writer.WriteLineAsync("250 8BITMIME");
                            break;
                        case "HELO":
                            await writer.WriteLineAsync("250 mx.fake.test");
                            break;
                        case "MAIL":
                        case "RSET":
                        case "NOOP":
                            await writer.WriteLineAsync("250 2.0.0 OK");
                            break;
                        case "RCPT":
                            await writer.WriteLineAsync(ReplyTo(line));
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 2.0.0 Bye");
                            return;
                        default:
                            await writer.WriteLineAsync("500 5.5.1 Unknown command");
                            break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }
    }

    private string ReplyTo(string rcptLine)
    {
        var start = rcptLine.IndexOf('<');
        var end = rcptLine.LastIndexOf('>');
        if (start < 0 || end <= start) return "501 5.1.3 Bad recipient address syntax";
        var address = rcptLine[(start + 1)..end];
        var seen = _asked.AddOrUpdate(address, 1, (_, n) => n + 1) - 1;
        if (_scripts.TryGetValue(address, out var replies)) return replies[Math.Min(seen, replies.Length - 1)];
        var domain = address[(address.LastIndexOf('@') + 1)..];
        return _acceptAll.ContainsKey(domain) ? Accept : UserUnknown;
    }
}
