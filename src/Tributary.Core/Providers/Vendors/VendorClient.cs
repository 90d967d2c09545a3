using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Tributary.Core.Providers.Http;

namespace Tributary.Core.Providers.Vendors;

/// <summary>
/// One vendor's HTTP calls: the documented path under the configured <c>BaseUrl</c>, a body sent with Content-Length,
/// the answer read whole and classified by the vendor's own rules before the resilience pipeline of the <c>http</c>
/// provider decides whether to retry it.
/// </summary>
public sealed class VendorClient
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<VendorReply> _pipeline;
    private readonly ResiliencePipeline<VendorReply> _attempt;
    private readonly Uri _base;
    private readonly int _timeoutMs;
    private readonly Quotas.ProviderQuota? _quota;

    public VendorClient(VendorContext context, Func<VendorReply, bool> isTransient)
    {
        _http = context.Http;
        _base = ParseBaseUrl(context.Definition.BaseUrl ?? context.Vendor.DefaultBaseUrl)
                ?? throw new ConfigurationException($"Tributary:Providers:{context.Name}:BaseUrl is not a base URL");
        _timeoutMs = context.Definition.Timeout;
        _quota = context.Quota;
        ApiKey = string.IsNullOrWhiteSpace(context.Definition.ApiKey) ? null : context.Definition.ApiKey.Trim();
        _pipeline = ProviderResilience.Build(context.Definition, context.Time, isTransient, r => r?.RetryAfter, withTimeout: false);
        _attempt = ProviderResilience.AttemptTimeout<VendorReply>(context.Definition, context.Time);
    }

    public string? ApiKey { get; }

    /// <summary>Scheme, host and port only; a path other than "/" is refused, since the vendor's paths are added to it.</summary>
    public static Uri? ParseBaseUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.AbsolutePath is "/" or "" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? new Uri(uri.GetLeftPart(UriPartial.Authority))
            : null;

    /// <param name="path">The vendor's documented path, e.g. <c>/v2/email-finder</c>.</param>
    /// <param name="query">Query parameters; null values are left out.</param>
    /// <param name="json">The JSON body, or null for none.</param>
    /// <param name="auth">Adds the key (and any header the vendor wants) to the request.</param>
    /// <param name="permits">How many requests the vendor's quota counts this call as.</param>
    public async Task<VendorReply> SendAsync(HttpMethod method, string path, IEnumerable<(string Name, string? Value)>? query, JsonNode? json,
        Action<HttpRequestHeaders>? auth, CancellationToken ct, int permits = 1)
    {
        return await _pipeline.ExecuteAsync(async token =>
        {
            // Every attempt is a request the vendor counts, retries included. Its permit waits for the per-second and
            // per-minute windows within the run's deadline before the attempt's timeout starts, and counts until the answer.
            await using var permit = _quota is null ? null : await _quota.AcquireAsync(token, permits);
            return await _attempt.ExecuteAsync(async attempt =>
            {
                using var request = new HttpRequestMessage(method, Url(path, query));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (json is not null)
                {
                    // Serialised up front so the request carries Content-Length, never chunked (§5.3).
                    request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json.ToJsonString()));
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                }
                else if (method == HttpMethod.Post)
                {
                    request.Content = new ByteArrayContent([]);
                }
                auth?.Invoke(request.Headers);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt);
                var bytes = await response.Content.ReadAsByteArrayAsync(attempt);
                var parsed = Parse(bytes);
                return new VendorReply((int)response.StatusCode, parsed, ProviderResilience.RetryAfter(response))
                {
                    Text = parsed.ValueKind == JsonValueKind.Undefined && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 500)) : null,
                };
            }, token);
        }, ct);
    }

    /// <summary>The failure an exception of a call stands for (its text without the key), or null for one that is not a provider failure.</summary>
    public ProviderResult.Failed? Failure(Exception e, CancellationToken ct) => e is Quotas.DailyLimitSpentException
        ? new ProviderResult.Failed(e.Message, Transient: true, FailureKind.DailyLimit)
        : ProviderFailures.FromException(e, _timeoutMs, ct) is { } f ? f with { Reason = Redact(f.Reason) } : null;

    /// <summary>The provider's daily limit is known to be spent for today.</summary>
    public bool DailyLimitSpent => _quota?.DaySpent == true;

    /// <summary>Any text that might hold the key, with the key taken out (traces and logs must never carry it).</summary>
    public string Redact(string text) => ApiKey is { Length: > 0 } key ? text.Replace(key, "***", StringComparison.Ordinal) : text;

    private Uri Url(string path, IEnumerable<(string Name, string? Value)>? query)
    {
        var builder = new StringBuilder(path);
        var first = true;
        foreach (var (name, value) in query ?? [])
        {
            if (value is null) continue;
            builder.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return new Uri(_base, builder.ToString());
    }

    private static JsonElement Parse(byte[] bytes)
    {
        if (bytes.Length == 0) return default;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
