using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Core.Waterfall;

/// <summary>One run of the waterfall for one record.</summary>
public sealed record WaterfallRequest
{
    public required Guid WorkspaceId { get; init; }
    /// <summary>Every known value by input name (email, linkedin_url, first_name, …, domain for companies).</summary>
    public required IReadOnlyDictionary<string, JsonElement> Known { get; init; }
    /// <summary>Wanted channels, in the order the caller listed them.</summary>
    public required IReadOnlyList<string> Channels { get; init; }
    public double MinConfidence { get; init; } = 0.5;
    public JsonElement? Signals { get; init; }
    public bool IsCompany { get; init; }
    /// <summary>Channels the cache (or a run this one joined) already answered: known inputs, not asked again, not priced.</summary>
    public IReadOnlyDictionary<string, ChannelResult> Cached { get; init; } = new Dictionary<string, ChannelResult>();
    /// <summary>A caller waiting on the answer: vendors that answer in minutes are skipped (DESIGN §5.4).</summary>
    public bool Synchronous { get; init; }
    /// <summary>Where a vendor answer that comes after this run belongs (asynchronous runs only).</summary>
    public Providers.LaterAnswer? Later { get; init; }
}

/// <summary>A found channel value with its provenance.</summary>
public sealed record ChannelResult(
    string Channel,
    JsonElement Value,
    string Source,
    double Confidence,
    DateTime EnrichedAt,
    bool? Verified,
    string? EmailStatus,
    bool FromCache);

public sealed record TraceStep
{
    [JsonPropertyName("provider")] public required string Provider { get; init; }
    /// <summary>found, no_match, failed, skipped, or cache_hit / cache_miss for cache lookups.</summary>
    [JsonPropertyName("outcome")] public required string Outcome { get; init; }
    [JsonPropertyName("channels_asked")] public IReadOnlyList<string> ChannelsAsked { get; init; } = [];
    [JsonPropertyName("channels_accepted")] public IReadOnlyList<string> ChannelsAccepted { get; init; } = [];
    [JsonPropertyName("rejected")] public IReadOnlyList<RejectedValue> Rejected { get; init; } = [];
    [JsonPropertyName("latency_ms")] public long LatencyMs { get; init; }
    [JsonPropertyName("detail")] public string? Detail { get; init; }
}

public sealed record RejectedValue(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("reason")] string Reason);

public sealed class WaterfallOutcome
{
    public Dictionary<string, ChannelResult> Found { get; } = new(StringComparer.Ordinal);
    public List<TraceStep> Trace { get; } = [];
    public int ProviderCalls { get; set; }
    /// <summary>The identity keys known at the end of the run, and what to cache under them.</summary>
    public IReadOnlyList<string> CacheKeys { get; set; } = [];
    public IReadOnlyList<(string Channel, ChannelResult? Result, string ConfigHash)> CacheAnswers { get; set; } = [];
    /// <summary>
    /// Found channels to keep only <c>Cache:MissTtlDays</c>: a catch-all candidate delivered while a later eligible provider
    /// failed, which might have had a better email (DESIGN §5.2).
    /// </summary>
    public HashSet<string> ShortLived { get; } = new(StringComparer.Ordinal);

    /// <summary>Channels a vendor was asked for and answers after the deadline (<see cref="Providers.ProviderResult.Found.Later"/>).</summary>
    public HashSet<string> Later { get; } = new(StringComparer.Ordinal);

    /// <summary>The deadline passed before every channel was settled.</summary>
    public bool TimedOut { get; set; }
    /// <summary>Channels whose value came from providers in this run (not from the cache): what is priced.</summary>
    public IEnumerable<string> NewlyFound => Found.Values.Where(r => !r.FromCache).Select(r => r.Channel);
}
