using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tributary.Core.Providers.Verification;

/// <summary>One SMTP reply; <see cref="Text"/> joins the lines of a multi-line reply.</summary>
internal sealed record SmtpReply(int Code, string Text)
{
    public bool IsPositive => Code is >= 200 and < 300;

    public bool IsTransient => Code is >= 400 and < 500;

    public bool IsPermanent => Code is >= 500 and < 600;

    /// <summary>The RFC 3463 enhanced status code at the start of the text (<c>5.1.1</c>), if the server sent one.</summary>
    public string? EnhancedStatus
    {
        get
        {
            var first = Text.Split(' ', 2)[0];
            var parts = first.Split('.');
            return parts.Length == 3 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)) ? first : null;
        }
    }
}

/// <summary>
/// A plain-text SMTP client session, just enough to ask about a recipient. Every connect and every command waits at
/// most the step timeout; a step that runs out throws <see cref="TimeoutException"/>.
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    private const int MaxLineBytes = 4096;
    private const int MaxReplyLines = 64;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly TimeSpan _timeout;
    private readonly byte[] _buffer = new byte[MaxLineBytes];
    private int _start;
    private int _end;

    private SmtpConnection(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _timeout = timeout;
    }

    public static async Task<SmtpConnection> ConnectAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var step = Step(timeout, ct);
            try
            {
                await socket.ConnectAsync(endPoint, step.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"Connecting to {endPoint} took longer than {timeout.TotalMilliseconds} ms.");
            }
            return new SmtpConnection(socket, timeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<SmtpReply> ReadReplyAsync(CancellationToken ct)
    {
        using var step = Step(_timeout, ct);
        try
        {
            return await ReadReplyCoreAsync(step.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No SMTP reply within {_timeout.TotalMilliseconds} ms.");
        }
    }

    public async Task<SmtpReply> CommandAsync(string command, CancellationToken ct)
    {
        if (command.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException("An SMTP command is one line.", nameof(command));
        using var step = Step(_timeout, ct);
        try
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), step.Token);
            return await ReadReplyCoreAsync(step.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No SMTP reply to {command.Split(' ')[0]} within {_timeout.TotalMilliseconds} ms.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private async Task<SmtpReply> ReadReplyCoreAsync(CancellationToken ct)
    {
        var text = new StringBuilder();
        for (var lines = 0; lines < MaxReplyLines; lines++)
        {
            var line = await ReadLineAsync(ct);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code) || code is < 200 or > 599)
                throw new IOException($"Malformed SMTP reply line '{Truncate(line)}'.");
            if (line.Length > 3 && line[3] is not (' ' or '-'))
                throw new IOException($"Malformed SMTP reply line '{Truncate(line)}'.");
            if (text.Length > 0) text.Append(' ');
            text.Append(line.Length > 4 ? line[4..].Trim() : "");
            if (line.Length == 3 || line[3] == ' ') return new SmtpReply(code, text.ToString());
        }
        throw new IOException($"SMTP reply longer than {MaxReplyLines} lines.");
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new IOException($"SMTP reply line longer than {MaxLineBytes} bytes.");
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (read == 0) throw new IOException("The SMTP server closed the connection.");
            _end += read;
        }
    }

    private static CancellationTokenSource Step(TimeSpan timeout, CancellationToken ct)
    {
        var step = CancellationTokenSource.CreateLinkedTokenSource(ct);
        step.CancelAfter(timeout);
        return step;
    }

    private static string Truncate(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
