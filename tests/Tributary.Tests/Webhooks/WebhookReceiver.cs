using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tributary.Tests.Webhooks;

public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredWith, DateTimeOffset At)
{
    public string Id => Headers["webhook-id"];
    public string Timestamp => Headers["webhook-timestamp"];
    public string Signature => Headers["webhook-signature"];
}

/// <summary>How the receiver answers one request.</summary>
public sealed record Reply(int Status, string Body = "{}", string ContentType = "application/json", int DelayMs = 0);

/// <summary>A webhook receiver on a real loopback port; answers the n-th request with <c>answer(n)</c> and records it.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly Func<int, Reply> _answer;
    private int _count;

    public WebhookReceiver(Func<int, Reply>? answer = null)
    {
        _answer = answer ?? (_ => new Reply(200));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hook", Receive);
        _app.StartAsync().GetAwaiter().GetResult();
        Port = new Uri(_app.Urls.First()).Port;
    }

    /// <summary>Answers with these statuses in turn, then 200.</summary>
    public static WebhookReceiver Answering(params int[] statuses) =>
        new(n => new Reply(n < statuses.Length ? statuses[n] : 200));

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook";
    /// <summary>The same receiver by a host name that resolves to loopback.</summary>
    public string LocalhostUrl => $"http://localhost:{Port}/hook";
    public IReadOnlyList<ReceivedWebhook> Received => _received.ToList();

    /// <summary>A loopback URL where nothing listens: connections are refused.</summary>
    public static string Unreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook";
    }

    private async Task Receive(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        var reply = _answer(Interlocked.Increment(ref _count) - 1);
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        _received.Enqueue(new ReceivedWebhook(headers, body.ToArray(), reply.Status, DateTimeOffset.UtcNow));
        if (reply.DelayMs > 0)
        {
            try { await Task.Delay(reply.DelayMs, http.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = reply.ContentType;
        await http.Response.WriteAsync(reply.Body);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
