using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers;

/// <summary>One entry of <c>Tributary:Providers:&lt;name&gt;</c> (DESIGN §5.1, §5.3).</summary>
public sealed class ProviderDefinition
{
    public string Type { get; set; } = "";

    // http
    public string? Url { get; set; }
    public List<string> Channels { get; set; } = [];
    public List<List<string>>? Requires { get; set; }
    public int TimeoutMs { get; set; } = 3000;
    public int MaxConcurrency { get; set; } = 16;
    public Dictionary<string, string> Headers { get; set; } = [];
    public int Retries { get; set; } = 2;
    /// <summary>Failures within 30 s, at a 50 % failure ratio, that open the circuit.</summary>
    public int CircuitMinimumThroughput { get; set; } = 10;
    public int CircuitBreakSeconds { get; set; } = 30;

    // dataset
    public List<string> People { get; set; } = [];
    public List<string> Companies { get; set; } = [];

    // pattern
    public int MinSamples { get; set; } = 3;
}

public static class ProviderTypes
{
    public const string Http = "http";
    public const string Dataset = "dataset";
    public const string Pattern = "pattern";
    public static readonly IReadOnlyList<string> All = [Http, Dataset, Pattern];
}

/// <summary>The configured providers and, per channel, the order to ask them in.</summary>
public sealed class EnrichmentConfiguration : IValidatedOptions
{
    /// <summary>Bound from the whole section: its <c>Providers</c> and <c>Waterfall</c> keys.</summary>
    public static string Section => "Tributary";

    public Dictionary<string, ProviderDefinition> Providers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, List<string>> Waterfall { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every problem that would make the waterfall misbehave, each naming its configuration key.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (name, p) in Providers)
        {
            var key = $"Tributary:Providers:{name}";
            if (!ProviderTypes.All.Contains(p.Type.ToLowerInvariant()))
            {
                yield return $"{key}:Type must be one of {string.Join(", ", ProviderTypes.All)}, not '{p.Type}'";
                continue;
            }
            foreach (var c in p.Channels.Where(c => !WaterfallChannels.IsKnown(c)))
                yield return $"{key}:Channels has an unknown channel '{c}'";
            if (p.Type.Equals(ProviderTypes.Http, StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(p.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    yield return $"{key}:Url must be an absolute http(s) URL";
                if (p.Channels.Count == 0) yield return $"{key}:Channels must list the channels it returns";
            }
            if (p.TimeoutMs is < 1 or > 600_000) yield return $"{key}:TimeoutMs must be from 1 to 600000";
            if (p.MaxConcurrency is < 1 or > 10_000) yield return $"{key}:MaxConcurrency must be from 1 to 10000";
            if (p.Retries is < 0 or > 10) yield return $"{key}:Retries must be from 0 to 10";
            if (p.CircuitMinimumThroughput < 2) yield return $"{key}:CircuitMinimumThroughput must be at least 2";
            if (p.CircuitBreakSeconds < 1) yield return $"{key}:CircuitBreakSeconds must be at least 1";
            if (p.MinSamples < 1) yield return $"{key}:MinSamples must be at least 1";
            if (p.Type.Equals(ProviderTypes.Dataset, StringComparison.OrdinalIgnoreCase) && p.People.Count + p.Companies.Count == 0)
                yield return $"{key} must list People or Companies files";
        }
        foreach (var (channel, names) in Waterfall)
        {
            if (!WaterfallChannels.IsKnown(channel)) yield return $"Tributary:Waterfall:{channel} is not a known channel";
            foreach (var n in names.Where(n => !Providers.ContainsKey(n)))
                yield return $"Tributary:Waterfall:{channel} names '{n}', which is not defined under Tributary:Providers";
        }
    }
}
