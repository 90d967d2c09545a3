using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Tributary.Core.Providers.Vendors;

/// <summary>
/// The vendors' HTTP client logs through this handler only (HttpClientFactory's own loggers are removed): some vendors
/// take their key in the query string (ZeroBounce <c>api_key</c>, NeverBounce <c>key</c>, MillionVerifier <c>api</c>), so
/// every query value that can hold a key is masked before a URL reaches a log line, and no header is logged.
/// </summary>
public sealed partial class VendorRequestLog(ILogger<VendorRequestLog> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, ct);
            LogCall(logger, request.Method.Method, Redacted(request.RequestUri), (int)response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            LogFailure(logger, request.Method.Method, Redacted(request.RequestUri), e.GetType().Name);
            throw;
        }
    }

    /// <summary>The URL with the value of every key-like query parameter replaced by <c>***</c>.</summary>
    public static string Redacted(Uri? uri) => uri is null ? "" : KeyParameter().Replace(uri.ToString(), "$1***");

    [GeneratedRegex(@"([?&](?:api_key|apikey|api|key|token|access_token|secret)=)[^&#]*", RegexOptions.IgnoreCase)]
    private static partial Regex KeyParameter();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Vendor call {Method} {Url}: HTTP {Status} in {ElapsedMs} ms")]
    private static partial void LogCall(ILogger logger, string method, string url, int status, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Vendor call {Method} {Url} failed: {Error}")]
    private static partial void LogFailure(ILogger logger, string method, string url, string error);
}
