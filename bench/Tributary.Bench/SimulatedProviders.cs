using System.Collections.Concurrent;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Tributary.Bench;

/// <summary>How one simulated provider behaves: its latency, the share of records it knows, the share of calls that fail.</summary>
public sealed record ProviderProfile(string Name, string[] Channels, int LatencyMs, double HitRate, double FailureRate = 0);

/// <summary>
/// Providers speaking the Tributary provider protocol on a loopback port. Whether a provider knows a record is decided by
/// a hash of (provider, identity), so hit rates are exact over many records, independent between providers, and the same
/// in every run. Latency is waited with a timer, so the simulated time is the provider's own, whatever the load.
/// </summary>
public sealed class SimulatedProviders : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, ProviderProfile> _profiles;
    private readonly ConcurrentDictionary<string, long> _calls = new();
    private readonly ConcurrentBag<double> _latencies = [];

    public SimulatedProviders(IEnumerable<ProviderProfile> profiles)
    {
        _profiles = profiles.ToDictionary(p => p.Name);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/p/{name}", Lookup);
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = _app.Urls.First();
    }

    public string BaseUrl { get; }
    public long Calls(string name) => _calls.GetValueOrDefault(name);
    public long TotalCalls => _calls.Values.Sum();
    public IReadOnlyCollection<double> LatenciesMs => _latencies;

    public void Reset()
    {
        _calls.Clear();
        _latencies.Clear();
    }

    /// <summary>The <c>Tributary:Providers</c> entries for these providers.</summary>
    public Dictionary<string, object> Configuration(int maxConcurrency) => _profiles.Values.ToDictionary(p => p.Name, p => (object)new
    {
        Type = "http", Url = $"{BaseUrl}/p/{p.Name}", p.Channels, TimeoutMs = 10_000, MaxConcurrency = maxConcurrency, Retries = 0,
    });

    public static bool Knows(string provider, string identity, double rate) => Hash(provider + "|" + identity) % 10_000 < rate * 10_000;

    private static uint Hash(string text) => BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private async Task<IResult> Lookup(string name, HttpContext http)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
        var profile = _profiles[name];
        _calls.AddOrUpdate(name, 1, (_, n) => n + 1);
        var query = body["query"]!.AsObject();
        var identity = query["linkedin_url"]?.ToString() ?? query["email"]?.ToString() ?? query["first_name"] + "|" + query["last_name"];
        if (profile.LatencyMs > 0) await Task.Delay(profile.LatencyMs);
        try
        {
            if (profile.FailureRate > 0 && Knows(name + "#fail", identity + Random.Shared.Next(), profile.FailureRate))
                return Results.Json(new { error = "simulated failure" }, statusCode: 503);
            if (!Knows(name, identity, profile.HitRate)) return Results.Json(new { fields = new { } });
            var slug = identity.TrimEnd('/').Split('/').Last();
            var fields = new JsonObject();
            foreach (var channel in body["channels"]!.AsArray().Select(c => c!.ToString()).Where(profile.Channels.Contains))
                fields[channel] = channel switch
                {
                    "work_email" => new JsonObject { ["value"] = $"{slug}@bench-corp.com", ["confidence"] = 0.95, ["status"] = "valid" },
                    "phone" => new JsonObject { ["value"] = "+1415555" + (Hash(slug) % 10_000).ToString("D4"), ["confidence"] = 0.9 },
                    _ => new JsonObject { ["value"] = $"{channel} of {slug}", ["confidence"] = 0.9 },
                };
            return Results.Json(new { fields });
        }
        finally
        {
            _latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
