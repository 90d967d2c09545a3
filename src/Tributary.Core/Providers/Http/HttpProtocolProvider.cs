using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Providers.Http;

/// <summary>
/// A provider reached over the Tributary provider protocol (DESIGN §5.3): POST {query, channels, options} to its URL,
/// 200 {"fields": {channel: {value, confidence}}} back; <c>{"fields":{}}</c> or 404 is no match; 429 and 5xx are
/// transient failures, other 4xx permanent.
/// </summary>
public sealed class HttpProtocolProvider : IEnrichmentProvider
{
    private readonly ProviderDefinition _definition;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public HttpProtocolProvider(string name, ProviderDefinition definition, HttpClient http, TimeProvider time)
    {
        Name = name;
        _definition = definition;
        _http = http;
        _pipeline = ProviderResilience.Build(definition, time);
        Channels = definition.Channels.ToHashSet(StringComparer.Ordinal);
        Requires = definition.Requires is { Count: > 0 } r ? r : IdentityHints.For(Channels);
    }

    public string Name { get; }
    public IReadOnlySet<string> Channels { get; }
    public IReadOnlyList<IReadOnlyList<string>> Requires { get; }

    public async Task<ProviderResult> LookupAsync(ProviderQuery query, CancellationToken ct)
    {
        var body = RequestBody(query);
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                // Serialised up front so the request carries Content-Length: JsonContent streams it chunked, which minimal servers cannot read (§5.3).
                using var request = new HttpRequestMessage(HttpMethod.Post, _definition.Url) { Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                foreach (var (k, v) in _definition.Headers) request.Headers.TryAddWithoutValidation(k, v);
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            }, ct);
            return await ReadAsync(response, ct);
        }
        catch (Exception e) when (ProviderFailures.FromException(e, _definition.Timeout, ct) is { } failure)
        {
            return failure;
        }
    }

    private static JsonObject RequestBody(ProviderQuery query)
    {
        var known = new JsonObject();
        foreach (var (name, value) in query.Known)
        {
            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) continue;
            known[name] = value.ValueKind == JsonValueKind.String ? JsonValue.Create(value.GetString()!.Trim()) : JsonNode.Parse(value.GetRawText());
        }
        var body = new JsonObject
        {
            ["query"] = known,
            ["channels"] = new JsonArray(query.Channels.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()),
        };
        var options = new JsonObject();
        if (query.Signals is { ValueKind: JsonValueKind.Object } signals) options["signals"] = JsonNode.Parse(signals.GetRawText());
        body["options"] = options;
        return body;
    }

    private static async Task<ProviderResult> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.NotFound) return ProviderResult.None;
        if (!response.IsSuccessStatusCode)
            return new ProviderResult.Failed($"HTTP {(int)response.StatusCode}", ProviderResilience.IsTransient(response));
        JsonElement root;
        try
        {
            root = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).Clone();
        }
        catch (JsonException)
        {
            return new ProviderResult.Failed("response is not JSON", Transient: false);
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Object)
            return new ProviderResult.Failed("response has no \"fields\" object", Transient: false);
        var values = new Dictionary<string, ProviderValue>(StringComparer.Ordinal);
        foreach (var field in fields.EnumerateObject())
        {
            var f = field.Value;
            if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("value", out var value)) continue;
            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) continue;
            if (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())) continue;
            var confidence = f.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? Math.Clamp(c.GetDouble(), 0, 1) : 1.0;
            // An email may carry the provider's own verdict (§5.3); a word outside §5.2's set is no verdict.
            var status = f.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String ? EmailStatuses.Parse(st.GetString()) : null;
            values[field.Name] = new ProviderValue(value.Clone(), confidence, status);
        }
        return values.Count == 0 ? ProviderResult.None : new ProviderResult.Found(values);
    }
}
