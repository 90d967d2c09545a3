using System.Text.RegularExpressions;

namespace Tributary.Server.Observability;

/// <summary>
/// Gives every request an id: a sane incoming <c>X-Request-ID</c> is echoed, anything else is replaced. The id is the
/// request's TraceIdentifier, so logs and error bodies carry it too.
/// </summary>
public sealed partial class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string Header = "X-Request-ID";

    public async Task InvokeAsync(HttpContext http)
    {
        var incoming = http.Request.Headers[Header].ToString();
        var id = incoming.Length is > 0 and <= 128 && SaneId().IsMatch(incoming) ? incoming : "req_" + Guid.NewGuid().ToString("N");
        http.TraceIdentifier = id;
        http.Response.OnStarting(() =>
        {
            http.Response.Headers[Header] = id;
            return Task.CompletedTask;
        });
        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = id }))
            await next(http);
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex SaneId();
}
