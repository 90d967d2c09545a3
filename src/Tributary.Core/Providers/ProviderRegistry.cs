using Tributary.Core.Providers.Dataset;
using Tributary.Core.Providers.Http;
using Tributary.Core.Providers.Pattern;
using Tributary.Core.Providers.Verification;
using Tributary.Core.Storage;

namespace Tributary.Core.Providers;

public sealed class ProviderEnvironment
{
    /// <summary>Relative dataset paths resolve against this folder (the server's content root).</summary>
    public required string ContentRoot { get; init; }
    /// <summary>Where dataset indexes are kept between starts.</summary>
    public required string IndexDirectory { get; init; }
}

/// <summary>The configured providers by name, and each channel's waterfall order.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IEnrichmentProvider> _providers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IReadOnlyList<string>> _order = new(StringComparer.Ordinal);

    public ProviderRegistry(EnrichmentConfiguration configuration, ProviderEnvironment environment, IHttpClientFactory http,
        TributaryDbFactory dbs, IEmailVerifier verifier, TimeProvider time)
    {
        foreach (var (name, definition) in configuration.Providers)
        {
            _providers[name] = definition.Type.ToLowerInvariant() switch
            {
                ProviderTypes.Http => new HttpProtocolProvider(name, definition, http.CreateClient("providers"), time),
                ProviderTypes.Dataset => new DatasetProvider(name, definition, environment.IndexDirectory,
                    path => Path.GetFullPath(path, environment.ContentRoot)),
                ProviderTypes.Pattern => new PatternProvider(name, definition, dbs, verifier, () => _providers.Values.OfType<DatasetProvider>()),
                var t => throw new InvalidOperationException($"Tributary:Providers:{name}:Type '{t}' is not a provider type"),
            };
        }
        foreach (var (channel, names) in configuration.Waterfall)
            _order[channel] = names.Where(_providers.ContainsKey).ToList();
    }

    public IReadOnlyList<string> OrderFor(string channel) => _order.GetValueOrDefault(channel) ?? [];

    public IEnrichmentProvider Get(string name) => _providers[name];

    public IEnumerable<IEnrichmentProvider> All => _providers.Values;

    /// <summary>Opens (or builds) every dataset index, so the first lookups do not wait for it.</summary>
    public Task WarmUpAsync() => Task.WhenAll(_providers.Values.OfType<DatasetProvider>().Select(d => d.WarmUpAsync()));
}
