using Tributary.Core.Providers.Dataset;
using Tributary.Core.Providers.Http;
using Tributary.Core.Providers.Pattern;
using Tributary.Core.Providers.Vendors;
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
    private readonly Dictionary<string, IVendorVerifier> _verifiers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _recheckMinutes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<CancellationToken, Task<AccountCheck>>> _checks = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _types = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name of the vendors' HTTP client, whose log lines never carry a key (<see cref="VendorRequestLog"/>).</summary>
    public const string VendorHttpClient = "vendors";

    public ProviderRegistry(EnrichmentConfiguration configuration, ProviderEnvironment environment, IHttpClientFactory http,
        TributaryDbFactory dbs, IEmailVerifier verifier, TimeProvider time, Jobs.JobOptions? jobs = null, ServerSecrets? secrets = null)
    {
        Health = new ProviderHealth(time);
        Answers = new PendingAnswers(dbs, secrets, time);
        CatchAll = configuration.CatchAll;
        foreach (var (name, definition) in configuration.Providers)
        {
            _recheckMinutes[name] = definition.RecheckMinutes;
            _types[name] = definition.Type.ToLowerInvariant();
            if (VendorCatalog.Find(definition.Type) is { } vendor)
            {
                var context = new VendorContext(name, definition, vendor, http.CreateClient(VendorHttpClient), time)
                {
                    Quota = Quotas.ProviderQuota.IsConfigured(definition, vendor) ? new Quotas.ProviderQuota(name, definition, dbs, time, vendor) : null,
                    JobWorkers = jobs?.Workers ?? new Jobs.JobOptions().Workers,
                    JobWaitingItems = (jobs ?? new Jobs.JobOptions()).MaxWaitingItems,
                    Answers = Answers,
                };
                if (VendorAccounts.For(vendor.Type) is { } check)
                {
                    var client = new VendorClient(context, VendorFailures.UsuallyTransient);
                    _checks[name] = async token =>
                    {
                        try
                        {
                            return await check(client, token);
                        }
                        catch (Exception e) when (client.Failure(e, token) is { } failure)
                        {
                            return AccountCheck.Failed(failure);
                        }
                    };
                }
                if (vendor.Finder is { } finder) _providers[name] = finder(context);
                if (vendor.Verifier is { } makeVerifier) _verifiers[name] = makeVerifier(context);
                continue;
            }
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
            // A vendor is in a channel's waterfall only when it serves it (Apollo serves phones only with a PhoneWebhookUrl).
            _order[channel] = names.Where(n => _providers.TryGetValue(n, out var p) && (p is not VendorFinder f || f.Channels.Contains(channel))).ToList();
        Verifiers = configuration.Verifiers.Where(_verifiers.ContainsKey).Select(n => _verifiers[n]).ToList();
    }

    public ProviderHealth Health { get; }

    /// <summary>Vendor answers that come later, awaited through the database (DESIGN §5.4).</summary>
    public PendingAnswers Answers { get; }

    /// <summary>The configured type of <paramref name="name"/> (lower case), or null when no provider has that name.</summary>
    public string? TypeOf(string name) => _types.GetValueOrDefault(name);

    public CatchAllPolicy CatchAll { get; }

    /// <summary><c>Tributary:Verification:Providers</c>, in order; empty: the built-in checker decides.</summary>
    public IReadOnlyList<IVendorVerifier> Verifiers { get; }

    /// <summary>Every configured verifier by name, whether or not the verification list names it.</summary>
    public IEnumerable<IVendorVerifier> AllVerifiers => _verifiers.Values;

    public int RecheckMinutes(string name) => _recheckMinutes.GetValueOrDefault(name, 10);

    /// <summary>Every configured provider's name and type (finders and verifiers), in configuration order.</summary>
    public IEnumerable<(string Name, string Type)> Entries => _types.Select(t => (t.Key, t.Value));

    public bool Verifies(string name) => _verifiers.ContainsKey(name);

    /// <summary>
    /// Asks the vendor's account endpoint whether the key works; a working key makes the provider healthy again at once,
    /// a refused key or an empty account marks it down. Null when no provider has that name.
    /// </summary>
    public async Task<AccountCheck?> CheckAsync(string name, CancellationToken ct)
    {
        if (!_types.ContainsKey(name)) return null;
        if (!_checks.TryGetValue(name, out var check)) return AccountCheck.NotAvailable;
        var answer = await check(ct);
        Health.Record(name, answer.Outcome == AccountCheckOutcome.Ok
            ? ProviderResult.None
            : new ProviderResult.Failed(answer.Detail, Transient: false, answer.Failure ?? FailureKind.Other), RecheckMinutes(name));
        return answer;
    }

    public IReadOnlyList<string> OrderFor(string channel) => _order.GetValueOrDefault(channel) ?? [];

    public IEnrichmentProvider Get(string name) => _providers[name];

    public IEnumerable<IEnrichmentProvider> All => _providers.Values;

    /// <summary>Opens (or builds) every dataset index, so the first lookups do not wait for it.</summary>
    public Task WarmUpAsync() => Task.WhenAll(_providers.Values.OfType<DatasetProvider>().Select(d => d.WarmUpAsync()));
}
