using Tributary.Core.Providers.Vendors;
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
    /// <summary>Per attempt; unset: 3000 for <c>http</c>, the vendor's own default for vendor types (<see cref="Timeout"/>).</summary>
    public int? TimeoutMs { get; set; }
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

    // vendor types (DESIGN §5.4)
    public string? ApiKey { get; set; }
    /// <summary>Replaces the scheme, host and port of the vendor's documented URLs; its paths stay as documented.</summary>
    public string? BaseUrl { get; set; }
    /// <summary>How long a provider that refused its key or ran out of vendor credits is skipped before it is asked again.</summary>
    public int RecheckMinutes { get; set; } = 10;
    public int? RatePerSecond { get; set; }
    public int? RatePerMinute { get; set; }
    public int? DailyLimit { get; set; }
    public ProviderCost? Cost { get; set; }
    public decimal? CreditPrice { get; set; }
    /// <summary>How long a bulk batch of job items waits to fill (DESIGN §5.4); unset: 200, or 2000 for vendors that answer in minutes.</summary>
    public int? BatchWindowMs { get; set; }
    /// <summary>
    /// For a vendor whose requests are read back later (Dropcontact): how long after a request is sent it is first read;
    /// later reads back off, doubling, up to two minutes apart. Unset: the vendor's typical delay (Dropcontact 30 s).
    /// </summary>
    public int? FirstPollMs { get; set; }
    public string? PhoneWebhookUrl { get; set; }

    public const int DefaultTimeoutMs = 3000;

    /// <summary>The timeout of one attempt, as configured or by type.</summary>
    public int Timeout => TimeoutMs ?? VendorCatalog.Find(Type)?.TimeoutMs ?? DefaultTimeoutMs;
}

/// <summary>
/// What the vendor charges in its own credits (DESIGN §5.4 <c>Cost</c>): per call asked, per lookup that matched a person
/// (<c>PerMatch</c>, how PDL, Apollo and Prospeo bill), per channel it returned, and per email it verified. A configured
/// <c>Cost</c> replaces the vendor's documented one whole (<see cref="VendorType.DefaultCost"/>).
/// </summary>
public sealed class ProviderCost
{
    public decimal PerCall { get; set; }
    public decimal PerMatch { get; set; }
    public Dictionary<string, decimal> PerFound { get; set; } = [];
    public decimal PerVerification { get; set; }

    public static readonly ProviderCost Free = new();

    /// <summary>
    /// What one lookup cost: its call, and as the vendor billed it (<see cref="ProviderResult.Billing"/>), the match and
    /// each channel it returned; without a billing, a found answer is a match and its values are the channels returned.
    /// </summary>
    public decimal OfLookup(ProviderResult result)
    {
        if (result.Billing is { } billing)
            return PerCall + (billing.Matched ? PerMatch : 0) + billing.Returned.Sum(channel => PerFound.GetValueOrDefault(channel));
        return PerCall + (result is ProviderResult.Found found ? PerMatch + found.Values.Keys.Sum(channel => PerFound.GetValueOrDefault(channel)) : 0);
    }

    /// <summary>What one verification cost: its call, and the verification when the vendor billed it.</summary>
    public decimal OfVerification(bool billed) => PerCall + (billed ? PerVerification : 0);
}

public static class ProviderTypes
{
    public const string Http = "http";
    public const string Dataset = "dataset";
    public const string Pattern = "pattern";
    public static readonly IReadOnlyList<string> BuiltIn = [Http, Dataset, Pattern];
    public static readonly IReadOnlyList<string> All = [.. BuiltIn, .. VendorCatalog.Types];
}

/// <summary>The configured providers and, per channel, the order to ask them in.</summary>
public sealed class EnrichmentConfiguration : IValidatedOptions
{
    /// <summary>Bound from the whole section: its <c>Providers</c>, <c>Waterfall</c> and <c>Verification:Providers|CatchAll</c> keys.</summary>
    public static string Section => "Tributary";

    public Dictionary<string, ProviderDefinition> Providers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, List<string>> Waterfall { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary><c>Tributary:Verification:Providers</c>: configured verifiers, asked in order; empty uses the built-in checker.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("Verification:Providers")]
    public List<string> Verifiers { get; init; } = [];
    /// <summary><c>Tributary:Verification:CatchAll</c>: what a catch-all or risky email does to the run (DESIGN §5.2).</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("Verification:CatchAll")]
    public CatchAllPolicy CatchAll { get; init; } = CatchAllPolicy.Continue;

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
            if (VendorCatalog.Find(p.Type) is { } vendor)
                foreach (var error in vendor.Validate(key, p)) yield return error;
            else if (p.ApiKey is not null || p.BaseUrl is not null)
                yield return $"{key}:{(p.ApiKey is not null ? "ApiKey" : "BaseUrl")} is only for vendor types ({string.Join(", ", VendorCatalog.Types)})";
            if (p.Type.Equals(ProviderTypes.Http, StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(p.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    yield return $"{key}:Url must be an absolute http(s) URL";
                if (p.Channels.Count == 0) yield return $"{key}:Channels must list the channels it returns";
            }
            if (p.TimeoutMs is < 1 or > 600_000) yield return $"{key}:TimeoutMs must be from 1 to 600000";
            if (p.RecheckMinutes is < 1 or > 10_080) yield return $"{key}:RecheckMinutes must be from 1 to 10080";
            if (p.RatePerSecond is < 1) yield return $"{key}:RatePerSecond must be at least 1";
            if (p.RatePerMinute is < 1) yield return $"{key}:RatePerMinute must be at least 1";
            if (p.DailyLimit is < 1) yield return $"{key}:DailyLimit must be at least 1";
            if (p.CreditPrice is < 0) yield return $"{key}:CreditPrice must not be negative";
            if (p.BatchWindowMs is < 0 or > 60_000) yield return $"{key}:BatchWindowMs must be from 0 to 60000";
            if (p.FirstPollMs is < 1 or > 600_000) yield return $"{key}:FirstPollMs must be from 1 to 600000";
            if (p.Cost is { } cost)
            {
                if (cost.PerCall < 0) yield return $"{key}:Cost:PerCall must not be negative";
                if (cost.PerMatch < 0) yield return $"{key}:Cost:PerMatch must not be negative";
                if (cost.PerVerification < 0) yield return $"{key}:Cost:PerVerification must not be negative";
                foreach (var (channel, credits) in cost.PerFound)
                    if (!WaterfallChannels.IsKnown(channel)) yield return $"{key}:Cost:PerFound has an unknown channel '{channel}'";
                    else if (credits < 0) yield return $"{key}:Cost:PerFound:{channel} must not be negative";
            }
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
            foreach (var n in names)
                if (!Providers.TryGetValue(n, out var p))
                    yield return $"Tributary:Waterfall:{channel} names '{n}', which is not defined under Tributary:Providers";
                else if (VendorCatalog.Find(p.Type) is { Finds: false } verifierOnly)
                    yield return $"Tributary:Waterfall:{channel} names '{n}', a {verifierOnly.Type} verifier: name it in Tributary:Verification:Providers";
        }
        foreach (var n in Verifiers)
            if (!Providers.TryGetValue(n, out var p))
                yield return $"Tributary:Verification:Providers names '{n}', which is not defined under Tributary:Providers";
            else if (VendorCatalog.Find(p.Type) is not { Verifies: true })
                yield return $"Tributary:Verification:Providers names '{n}' of type {p.Type}, which cannot verify emails "
                             + $"(verifier types: {string.Join(", ", VendorCatalog.Verifiers)})";
    }
}

/// <summary><c>Tributary:Verification:CatchAll</c>: what a catch_all or risky email does to the run (DESIGN §5.2).</summary>
public enum CatchAllPolicy
{
    /// <summary>Kept as a candidate while later eligible providers are asked for a better one.</summary>
    Continue,
    /// <summary>Stops the channel like a valid email.</summary>
    Accept,
    /// <summary>Never counts as found.</summary>
    Reject,
}
