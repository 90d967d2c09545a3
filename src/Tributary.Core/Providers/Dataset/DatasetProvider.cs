using System.Text.Json;
using Tributary.Core.Contacts;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Providers.Dataset;

/// <summary>
/// People and companies from operator-owned CSV or JSONL files (DESIGN §5.1), column names = channel names. People are
/// matched by email, LinkedIn URL, x/github handle, or first+last+company_domain; companies by domain.
/// </summary>
public sealed class DatasetProvider : IEnrichmentProvider
{
    /// <summary>Confidence of a value the operator's own data holds, unless a record says otherwise (<c>confidence</c>).</summary>
    public const double DefaultConfidence = 0.9;

    private readonly Lazy<Task<DatasetIndex>> _index;

    public DatasetProvider(string name, ProviderDefinition definition, string indexDirectory, Func<string, string> resolvePath)
    {
        Name = name;
        var people = definition.People.Select(resolvePath).ToList();
        var companies = definition.Companies.Select(resolvePath).ToList();
        foreach (var missing in people.Concat(companies).Where(f => !File.Exists(f)))
            throw new ConfigurationException($"Tributary:Providers:{name} names the file '{missing}', which does not exist");
        Channels = (definition.Channels.Count > 0
                ? definition.Channels
                : (people.Count > 0 ? Tributary.Core.Waterfall.Channels.Person : []).Concat(companies.Count > 0 ? Tributary.Core.Waterfall.Channels.Company : []))
            .ToHashSet(StringComparer.Ordinal);
        Requires = definition.Requires is { Count: > 0 } r ? r : IdentityHints.For(Channels);
        _index = new Lazy<Task<DatasetIndex>>(() => DatasetIndex.OpenAsync(name, people, companies, indexDirectory, CancellationToken.None));
    }

    public string Name { get; }
    public IReadOnlySet<string> Channels { get; }
    public IReadOnlyList<IReadOnlyList<string>> Requires { get; }

    /// <summary>Builds or opens the index ahead of the first lookup.</summary>
    public Task<DatasetIndex> WarmUpAsync() => _index.Value;

    public async Task<ProviderResult> LookupAsync(ProviderQuery query, CancellationToken ct)
    {
        var index = await _index.Value.WaitAsync(ct);
        var keys = new MatchKeys(Identity.EmailKey(query.Text("email")), Identity.LinkedinKey(query.Text("linkedin_url")),
            Identity.XKey(query.Text("x_handle")), Identity.GithubKey(query.Text("github_username")),
            Identity.NameKey(query.Text("first_name"), query.Text("last_name"), query.Text("company_domain") ?? query.Text("domain")));
        // Without a person to look for, a domain means the company itself (an account lookup).
        var companyLookup = keys.IsEmpty || query.Channels.All(Tributary.Core.Waterfall.Channels.IsCompany);
        JsonElement? record = null;
        if (companyLookup)
        {
            if (Identity.Domain(query.Text("domain") ?? query.Text("company_domain")) is { } domain)
                record = await index.FindCompanyAsync(domain, ct);
        }
        else record = await index.FindPersonAsync(keys, ct);
        if (record is not { ValueKind: JsonValueKind.Object } found) return ProviderResult.None;
        var confidence = found.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : DefaultConfidence;
        var values = new Dictionary<string, ProviderValue>(StringComparer.Ordinal);
        foreach (var channel in query.Channels)
        {
            var column = channel switch
            {
                Tributary.Core.Waterfall.Channels.WorkEmail when !found.TryGetProperty(channel, out _) => "email",
                Tributary.Core.Waterfall.Channels.CompanyName when companyLookup => "name",
                Tributary.Core.Waterfall.Channels.CompanyDomain when companyLookup => "domain",
                _ => channel,
            };
            if (!found.TryGetProperty(column, out var value) || value.ValueKind is JsonValueKind.Null) continue;
            if (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())) continue;
            if (channel == Tributary.Core.Waterfall.Channels.Signals) value = SignalsFilter.Apply(value, query.Signals);
            values[channel] = new ProviderValue(value.Clone(), confidence);
        }
        return values.Count == 0 ? ProviderResult.None : new ProviderResult.Found(values);
    }
}
