using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Http;
using Tributary.Core.Providers.Verification;

namespace Tributary.Tests.Waterfall;

/// <summary>DESIGN §5.3's additions, against a minimal server on a raw socket: it reads a request by its Content-Length only.</summary>
public sealed class HttpProtocolAdditionsTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    /// <summary>Accepts one connection, reads the head and exactly Content-Length bytes of body, then answers (or hangs up if null).</summary>
    private static async Task<(string Head, string Body)> ServeOnceAsync(TcpListener listener, string? answerJson)
    {
        using var socket = await listener.AcceptSocketAsync();
        await using var stream = new NetworkStream(socket);
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!Encoding.ASCII.GetString(buffer.ToArray()).EndsWith("\r\n\r\n"))
        {
            if (await stream.ReadAsync(one) == 0) throw new IOException("closed before the head ended");
            buffer.Add(one[0]);
        }
        var head = Encoding.ASCII.GetString(buffer.ToArray());
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                         ?? throw new InvalidOperationException("no Content-Length: " + head);
        var body = new byte[int.Parse(lengthLine.Split(':')[1].Trim())];
        await stream.ReadExactlyAsync(body);
        if (answerJson is null)
        {
            socket.Shutdown(SocketShutdown.Both);
            return (head, Encoding.UTF8.GetString(body));
        }
        var answer = Encoding.UTF8.GetBytes(answerJson);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {answer.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(answer);
        return (head, Encoding.UTF8.GetString(body));
    }

    private static HttpProtocolProvider Provider(TcpListener listener) => new("minimal", new ProviderDefinition
    {
        Type = "http", Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/lookup", Channels = ["work_email"], Retries = 0,
    }, Http, TimeProvider.System);

    private static ProviderQuery Query() => new(Guid.Empty,
        new Dictionary<string, JsonElement> { ["email"] = JsonSerializer.SerializeToElement("ada@acme.test") }, ["work_email"]);

    [Fact]
    public async Task An_email_value_carries_the_providers_own_status_and_the_request_has_content_length()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var served = ServeOnceAsync(listener, """{"fields":{"work_email":{"value":"ada@acme.test","confidence":0.9,"status":"catch_all"}}}""");
            var result = await Provider(listener).LookupAsync(Query(), CancellationToken.None);
            var (head, body) = await served;
            head.ShouldNotContain("Transfer-Encoding", Case.Insensitive);
            JsonDocument.Parse(body).RootElement.GetProperty("query").GetProperty("email").GetString().ShouldBe("ada@acme.test");
            result.ShouldBeOfType<ProviderResult.Found>().Values["work_email"].Status.ShouldBe(EmailStatus.CatchAll);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task A_connection_closed_before_an_answer_is_a_transient_failure_that_says_so()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var served = ServeOnceAsync(listener, answerJson: null);
            var result = await Provider(listener).LookupAsync(Query(), CancellationToken.None);
            await served;
            var failed = result.ShouldBeOfType<ProviderResult.Failed>();
            failed.Reason.ShouldBe("the connection closed before an answer");
            failed.Transient.ShouldBeTrue();
        }
        finally
        {
            listener.Stop();
        }
    }
}
