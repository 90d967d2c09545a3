using System.Diagnostics.Metrics;

namespace Tributary.Core.Waterfall;

/// <summary>Per-provider calls, hits, failures and latency, and the depth of each run (DESIGN §10).</summary>
public sealed class WaterfallMetrics
{
    public const string MeterName = "Tributary";
    private readonly Counter<long> _calls, _hits, _failures, _cacheHits, _expiredUnbilled;
    private readonly Counter<double> _cost, _spend;
    private readonly Histogram<double> _latency;
    private readonly Histogram<int> _depth;

    /// <summary>Buckets for durations in seconds, from 1 ms to a minute (the exporter's defaults are for milliseconds).</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public WaterfallMetrics(IMeterFactory meters, Providers.ProviderRegistry providers)
    {
        var meter = meters.Create(MeterName);
        // 1 while a provider may be asked, 0 while it is skipped for a refused key or an empty vendor account (DESIGN §5.4).
        meter.CreateObservableGauge("tributary.provider.healthy", () => providers.Entries.Select(e => new Measurement<int>(
                providers.Health.Unhealthy(e.Name) is null ? 1 : 0, new KeyValuePair<string, object?>("provider", e.Name))),
            description: "Whether the provider is asked (0: skipped for a bad key or no vendor credits)");
        _calls = meter.CreateCounter<long>("tributary.provider.calls", description: "Provider lookups made");
        _hits = meter.CreateCounter<long>("tributary.provider.hits", description: "Provider lookups that returned an accepted value");
        _failures = meter.CreateCounter<long>("tributary.provider.failures", description: "Provider lookups that failed (error, timeout, open circuit)");
        _cost = meter.CreateCounter<double>("tributary.provider.cost",
            description: "What provider calls cost in the vendor's own credits (Providers:<name>:Cost, DESIGN §5.4)");
        _spend = meter.CreateCounter<double>("tributary.provider.spend",
            description: "What provider calls cost in the operator's currency (Providers:<name>:CreditPrice)");
        _latency = meter.CreateHistogram("tributary.provider.latency", unit: "s", description: "Provider lookup latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _depth = meter.CreateHistogram("tributary.waterfall.depth", description: "Providers called in one waterfall run",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5, 6, 8, 10] });
        _cacheHits = meter.CreateCounter<long>("tributary.cache.hits", description: "Channels answered from the result cache");
        _expiredUnbilled = meter.CreateCounter<long>("tributary.credits.expired_unbilled",
            description: "Credits not charged for values delivered by requests whose reservation expired while they ran (DESIGN §6)");
    }

    public void ExpiredUnbilled(long credits) => _expiredUnbilled.Add(credits);

    public void ProviderCalled(string provider, string outcome, bool hit, TimeSpan latency, decimal cost = 0, decimal? creditPrice = null)
    {
        var tag = new KeyValuePair<string, object?>("provider", provider);
        _calls.Add(1, tag, new KeyValuePair<string, object?>("outcome", outcome));
        if (hit) _hits.Add(1, tag);
        if (outcome == "failed") _failures.Add(1, tag);
        _latency.Record(latency.TotalSeconds, tag);
        if (cost > 0)
        {
            _cost.Add((double)cost, tag);
            if (creditPrice is { } price) _spend.Add((double)(cost * price), tag);
        }
    }

    /// <summary>A verifier call: counted with the provider calls, outcome <c>verified</c> or <c>failed</c>.</summary>
    public void VerifierCalled(string provider, bool answered, TimeSpan latency, decimal cost, decimal? creditPrice) =>
        ProviderCalled(provider, answered ? "verified" : "failed", false, latency, cost, creditPrice);

    public void RunFinished(int providerCalls, int cacheHits)
    {
        _depth.Record(providerCalls);
        if (cacheHits > 0) _cacheHits.Add(cacheHits);
    }
}
