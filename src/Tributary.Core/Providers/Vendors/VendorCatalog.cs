using Tributary.Core.Providers.Vendors.Apollo;
using Tributary.Core.Providers.Vendors.Dropcontact;
using Tributary.Core.Providers.Vendors.Findymail;
using Tributary.Core.Providers.Vendors.Hunter;
using Tributary.Core.Providers.Vendors.Icypeas;
using Tributary.Core.Providers.Vendors.LeadMagic;
using Tributary.Core.Providers.Vendors.MillionVerifier;
using Tributary.Core.Providers.Vendors.NeverBounce;
using Tributary.Core.Providers.Vendors.Pdl;
using Tributary.Core.Providers.Vendors.Prospeo;
using Tributary.Core.Providers.Vendors.Reacher;
using Tributary.Core.Providers.Vendors.ZeroBounce;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors;

/// <summary>
/// A native provider type for a real vendor (DESIGN §5.4, VENDORS.md): its public host, what it can return, its
/// documented minimum input, and how to build its finder and verifier.
/// </summary>
public sealed record VendorType
{
    public required string Type { get; init; }
    public required string DefaultBaseUrl { get; init; }
    /// <summary>Channels the vendor can return; empty for a verifier only.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];
    public IReadOnlyList<IReadOnlyList<string>> Requires { get; init; } = [];
    public bool NeedsKey { get; init; } = true;
    public int TimeoutMs { get; init; } = 10_000;
    /// <summary>
    /// <c>BatchWindowMs</c> when it is not configured. A vendor that answers in minutes waits longer: two seconds more on
    /// an answer that takes minutes lets the workers of the last batch come back and fill the next one, where 200 ms
    /// split them into part batches under load (measured: 20 Dropcontact requests for 1,000 records instead of 16).
    /// </summary>
    public int DefaultBatchWindowMs { get; init; } = 200;
    /// <summary>
    /// <c>FirstPollMs</c> when it is not configured, for a vendor whose requests are read back later. Dropcontact asks to be
    /// read "a few seconds" after a submit and says "try again in 30 seconds" while not ready: read at 5 s, then 15, 35
    /// and 75 s, a request ready after 30 s costs three reads (a 1,000-record job stays within ⌈n / 250⌉ + 2 calls × 3)
    /// while one ready at once is not kept waiting half a minute. Null: the vendor is not read so.
    /// </summary>
    public int? DefaultFirstPollMs { get; init; }
    /// <summary>
    /// The vendor's documented rate limits (VENDORS.md), kept when <c>RatePerSecond</c> / <c>RatePerMinute</c> are not
    /// configured. Vendors whose limits depend on the plan (Apollo, Prospeo) or on the operator (Reacher) have none:
    /// their 429s are retried as rate limits.
    /// </summary>
    public int? DefaultRatePerSecond { get; init; }
    public int? DefaultRatePerMinute { get; init; }
    /// <summary>What the vendor bills in its own credits, from VENDORS.md's billing lines, when <c>Cost</c> is not configured.</summary>
    public ProviderCost DefaultCost { get; init; } = ProviderCost.Free;
    /// <summary>Channels the vendor only sends to a webhook (<c>PhoneWebhookUrl</c>): not served without one (Apollo's phones).</summary>
    public IReadOnlyList<string> WebhookChannels { get; init; } = [];
    public Func<VendorContext, IEnrichmentProvider>? Finder { get; init; }
    public Func<VendorContext, IVendorVerifier>? Verifier { get; init; }

    public bool Finds => Finder is not null;
    public bool Verifies => Verifier is not null;

    public IEnumerable<string> Validate(string key, ProviderDefinition p)
    {
        if (NeedsKey && string.IsNullOrWhiteSpace(p.ApiKey)) yield return $"{key}:ApiKey is required for type {Type}";
        if (p.BaseUrl is not null && VendorClient.ParseBaseUrl(p.BaseUrl) is null)
            yield return $"{key}:BaseUrl must be an absolute http(s) URL of scheme, host and port only (the vendor's paths are added), not '{p.BaseUrl}'";
        if (p.Url is not null) yield return $"{key}:Url is for type http; a {Type} provider takes BaseUrl";
        if (p.Headers.Count > 0) yield return $"{key}:Headers is for type http; a {Type} provider sends its ApiKey as the vendor documents";
        if (p.FirstPollMs is not null && DefaultFirstPollMs is null) yield return $"{key}:FirstPollMs is only for types whose requests are read back later (dropcontact)";
        if (!Finds && p.Channels.Count > 0) yield return $"{key}:Channels: {Type} is a verifier and returns no channel";
        foreach (var c in p.Channels.Where(c => WaterfallChannels.IsKnown(c) && !Channels.Contains(c)))
            yield return $"{key}:Channels has '{c}', which {Type} cannot return (it returns {string.Join(", ", Channels)})";
        if (p.PhoneWebhookUrl is { } hook)
        {
            if (WebhookChannels.Count == 0) yield return $"{key}:PhoneWebhookUrl is only for type apollo";
            else if (!Uri.TryCreate(hook.Replace("{secret}", "s"), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                yield return $"{key}:PhoneWebhookUrl must be an absolute https URL that reaches POST /hooks/apollo/{{name}}/{{secret}}";
        }
        else
            foreach (var c in p.Channels.Where(WebhookChannels.Contains))
                yield return $"{key}:Channels has '{c}', which {Type} sends only to a webhook: set {key}:PhoneWebhookUrl";
    }
}

/// <summary>What a vendor provider is built from.</summary>
public sealed record VendorContext(string Name, ProviderDefinition Definition, VendorType Vendor, HttpClient Http, TimeProvider Time)
{
    /// <summary>The provider's quotas, shared by its finder, its verifier and every server process; null when none is configured.</summary>
    public Quotas.ProviderQuota? Quota { get; init; }

    /// <summary><c>Jobs:Workers</c>: no more job items than this can wait for one bulk call, unless they step out of their slots.</summary>
    public int JobWorkers { get; init; } = 64;

    /// <summary><c>Jobs:WaitingItems</c>: how many job items may wait out of their slots on a vendor that answers later.</summary>
    public int JobWaitingItems { get; init; } = 256;

    /// <summary>Late answers awaited through the database (Apollo's phones); null where nothing waits (unit tests).</summary>
    public PendingAnswers? Answers { get; init; }

    public IReadOnlySet<string> Channels => (Definition.Channels.Count > 0 ? Definition.Channels : Vendor.Channels)
        .Where(c => HasWebhook || !Vendor.WebhookChannels.Contains(c)).ToHashSet(StringComparer.Ordinal);

    public bool HasWebhook => !string.IsNullOrWhiteSpace(Definition.PhoneWebhookUrl);
    public IReadOnlyList<IReadOnlyList<string>> Requires => Definition.Requires is { Count: > 0 } r ? r : Vendor.Requires;
}

public static class VendorCatalog
{
    private static readonly string[] NameAtDomain = ["first_name", "last_name", "company_domain"];
    private static readonly string[] NameAtCompany = ["first_name", "last_name", "company_name"];
    private static readonly string[] FullNameAtDomain = ["full_name", "company_domain"];
    private static readonly string[] FullNameAtCompany = ["full_name", "company_name"];

    public static readonly IReadOnlyList<VendorType> All =
    [
        new()
        {
            Type = "hunter", DefaultBaseUrl = "https://api.hunter.io",
            Channels = [WaterfallChannels.WorkEmail, WaterfallChannels.JobTitle, WaterfallChannels.LinkedinUrl, WaterfallChannels.XHandle,
                WaterfallChannels.Phone, WaterfallChannels.CompanyName],
            Requires = [NameAtDomain, FullNameAtDomain, NameAtCompany, FullNameAtCompany],
            TimeoutMs = 20_000,
            DefaultRatePerSecond = 15, DefaultRatePerMinute = 500,
            DefaultCost = new() { PerFound = { [WaterfallChannels.WorkEmail] = 1 }, PerVerification = 1 },
            Finder = c => new HunterFinder(c), Verifier = c => new HunterVerifier(c),
        },
        new()
        {
            Type = "apollo", DefaultBaseUrl = "https://api.apollo.io",
            Channels = [WaterfallChannels.WorkEmail, WaterfallChannels.LinkedinUrl, WaterfallChannels.JobTitle, WaterfallChannels.FullName,
                WaterfallChannels.CompanyName, WaterfallChannels.CompanyDomain, WaterfallChannels.Phone],
            WebhookChannels = [WaterfallChannels.Phone],
            Requires = [["email"], ["linkedin_url"], NameAtDomain, NameAtCompany, FullNameAtDomain, FullNameAtCompany],
            DefaultCost = new() { PerMatch = 1, PerFound = { [WaterfallChannels.Phone] = 8 } },
            Finder = c => new ApolloFinder(c),
        },
        new()
        {
            Type = "pdl", DefaultBaseUrl = "https://api.peopledatalabs.com",
            Channels = [WaterfallChannels.WorkEmail, WaterfallChannels.PersonalEmail, WaterfallChannels.Phone, WaterfallChannels.LinkedinUrl,
                WaterfallChannels.JobTitle, WaterfallChannels.FullName, WaterfallChannels.CompanyName, WaterfallChannels.CompanyDomain,
                WaterfallChannels.Location],
            Requires = [["linkedin_url"], ["email"], ["phone"], NameAtDomain, NameAtCompany, FullNameAtDomain, FullNameAtCompany,
                ["first_name", "last_name", "location"], ["full_name", "location"]],
            DefaultRatePerMinute = 1000,
            DefaultCost = new() { PerMatch = 1 },
            Finder = c => new PdlFinder(c),
        },
        new()
        {
            Type = "prospeo", DefaultBaseUrl = "https://api.prospeo.io",
            Channels = [WaterfallChannels.WorkEmail, WaterfallChannels.Phone, WaterfallChannels.LinkedinUrl, WaterfallChannels.JobTitle,
                WaterfallChannels.FullName, WaterfallChannels.CompanyName],
            Requires = [["linkedin_url"], ["email"], NameAtDomain, NameAtCompany, FullNameAtDomain, FullNameAtCompany],
            DefaultCost = new() { PerMatch = 1, PerFound = { [WaterfallChannels.Phone] = 9 } },
            Finder = c => new ProspeoFinder(c),
        },
        new()
        {
            Type = "leadmagic", DefaultBaseUrl = "https://api.leadmagic.io",
            Channels = [WaterfallChannels.WorkEmail, WaterfallChannels.CompanyName],
            Requires = [NameAtDomain, NameAtCompany, FullNameAtDomain, FullNameAtCompany],
            DefaultRatePerMinute = 3000,
            DefaultCost = new() { PerFound = { [WaterfallChannels.WorkEmail] = 1 }, PerVerification = 0.25m },
            Finder = c => new LeadMagicFinder(c), Verifier = c => new LeadMagicVerifier(c),
        },
        new()
        {
            Type = "findymail", DefaultBaseUrl = "https://app.findymail.com",
            Channels = [WaterfallChannels.WorkEmail],
            Requires = [NameAtDomain, FullNameAtDomain, NameAtCompany, FullNameAtCompany],
            TimeoutMs = 30_000,
            DefaultCost = new() { PerFound = { [WaterfallChannels.WorkEmail] = 1 }, PerVerification = 1 },
            Finder = c => new FindymailFinder(c), Verifier = c => new FindymailVerifier(c),
        },
        new()
        {
            Type = "icypeas", DefaultBaseUrl = "https://app.icypeas.com",
            Channels = [WaterfallChannels.WorkEmail],
            Requires = [["first_name", "company_domain"], ["last_name", "company_domain"], ["first_name", "company_name"], ["last_name", "company_name"]],
            DefaultRatePerSecond = 10,
            DefaultCost = new() { PerFound = { [WaterfallChannels.WorkEmail] = 1 }, PerVerification = 0.1m },
            Finder = c => new IcypeasFinder(c), Verifier = c => new IcypeasVerifier(c),
        },
        new()
        {
            Type = "dropcontact", DefaultBaseUrl = "https://api.dropcontact.com",
            Channels = [WaterfallChannels.WorkEmail, WaterfallChannels.Phone, WaterfallChannels.LinkedinUrl, WaterfallChannels.JobTitle,
                WaterfallChannels.CompanyName, WaterfallChannels.CompanyDomain],
            Requires = [["email"], NameAtDomain, NameAtCompany, FullNameAtDomain, FullNameAtCompany],
            DefaultRatePerSecond = 60,
            DefaultCost = new() { PerFound = { [WaterfallChannels.WorkEmail] = 1 } },
            DefaultBatchWindowMs = 2000,
            DefaultFirstPollMs = 5_000,
            Finder = c => new DropcontactFinder(c),
        },
        new() { Type = "zerobounce", DefaultBaseUrl = "https://api.zerobounce.net", DefaultCost = new() { PerVerification = 1 }, Verifier = c => new ZeroBounceVerifier(c) },
        new() { Type = "neverbounce", DefaultBaseUrl = "https://api.neverbounce.com", DefaultCost = new() { PerVerification = 1 }, Verifier = c => new NeverBounceVerifier(c) },
        new() { Type = "millionverifier", DefaultBaseUrl = "https://api.millionverifier.com", TimeoutMs = 25_000, DefaultCost = new() { PerVerification = 1 }, Verifier = c => new MillionVerifierVerifier(c) },
        new() { Type = "reacher", DefaultBaseUrl = "http://localhost:8080", NeedsKey = false, TimeoutMs = 60_000, Verifier = c => new ReacherVerifier(c) },
    ];

    public static IReadOnlyList<string> Types { get; } = All.Select(v => v.Type).ToList();
    public static IReadOnlyList<string> Verifiers { get; } = All.Where(v => v.Verifies).Select(v => v.Type).ToList();

    public static VendorType? Find(string? type) => All.FirstOrDefault(v => v.Type.Equals(type, StringComparison.OrdinalIgnoreCase));
}
