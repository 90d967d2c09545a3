using Tributary.Core.Providers;
using Tributary.Core.Waterfall;

namespace Tributary.Server.Demo;

/// <summary>
/// The waterfall of a Development server that configures none: the shipped synthetic dataset, then the email pattern
/// learner, so the README's examples answer offline.
/// </summary>
public static class DemoProviders
{
    public const string Dataset = "demo";
    public const string Pattern = "pattern";

    /// <summary>In Development, a configuration with neither providers nor a waterfall runs the demo's.</summary>
    public static void UnlessConfigured(EnrichmentConfiguration configuration, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment() || configuration.Providers.Count > 0 || configuration.Waterfall.Count > 0) return;
        var demo = Configuration();
        foreach (var (name, provider) in demo.Providers) configuration.Providers[name] = provider;
        foreach (var (channel, order) in demo.Waterfall) configuration.Waterfall[channel] = order;
    }

    private static EnrichmentConfiguration Configuration()
    {
        var waterfall = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var channel in Channels.Person.Concat(Channels.Company)) waterfall[channel] = [Dataset];
        waterfall[Channels.WorkEmail] = [Dataset, Pattern];
        return new EnrichmentConfiguration
        {
            Providers = new Dictionary<string, ProviderDefinition>(StringComparer.OrdinalIgnoreCase)
            {
                [Dataset] = new() { Type = ProviderTypes.Dataset, People = ["data/demo/people.jsonl"], Companies = ["data/demo/companies.jsonl"] },
                [Pattern] = new() { Type = ProviderTypes.Pattern, MinSamples = 3 },
            },
            Waterfall = waterfall,
        };
    }
}
