using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Contacts;
using Tributary.Core.Providers.Dataset;
using Tributary.Core.Providers.Verification;
using Tributary.Core.Storage;

namespace Tributary.Core.Providers.Pattern;

/// <summary>
/// Derives a work email from first/last name and domain (DESIGN §5.1). Each domain's pattern is learned from emails
/// already known in the workspace and in the datasets; a candidate counts when the pattern holds for at least
/// <c>MinSamples</c> known emails (confidence = the share of known emails that fit it), or when an SMTP probe says the
/// mailbox is valid.
/// </summary>
public sealed class PatternProvider(
    string name,
    ProviderDefinition definition,
    TributaryDbFactory dbs,
    IEmailVerifier verifier,
    Func<IEnumerable<DatasetProvider>> datasets) : IEnrichmentProvider
{
    public const int MaxSamples = 500;
    public const double ProbedConfidence = 0.9;

    public string Name { get; } = name;
    public IReadOnlySet<string> Channels { get; } = new HashSet<string> { Tributary.Core.Waterfall.Channels.WorkEmail };
    public IReadOnlyList<IReadOnlyList<string>> Requires { get; } =
        definition.Requires is { Count: > 0 } r ? r : [["first_name", "last_name", "company_domain"], ["first_name", "last_name", "domain"]];

    public async Task<ProviderResult> LookupAsync(ProviderQuery query, CancellationToken ct)
    {
        var first = query.Text("first_name");
        var last = query.Text("last_name");
        var domain = Identity.Domain(query.Text("company_domain") ?? query.Text("domain"));
        if (first is null || last is null || domain is null) return ProviderResult.None;

        var samples = await SamplesAsync(query.WorkspaceId, domain, ct);
        if (samples.Count > 0)
        {
            var (pattern, fits) = EmailPatterns.All
                .Select(p => (Pattern: p, Fits: samples.Count(s => EmailPatterns.Fitting(s.First, s.Last, s.Email).Contains(p))))
                .MaxBy(x => x.Fits);
            if (fits >= definition.MinSamples && EmailPatterns.Local(pattern, first, last) is { } local)
                return Found($"{local}@{domain}", (double)fits / samples.Count);
        }

        // Not enough evidence: an SMTP probe may still confirm a candidate (only when probing is switched on).
        foreach (var pattern in EmailPatterns.All.Take(6))
        {
            if (EmailPatterns.Local(pattern, first, last) is not { } local) continue;
            var verification = await verifier.VerifyAsync($"{local}@{domain}", ct);
            if (verification.Status == EmailStatus.Valid) return Found($"{local}@{domain}", ProbedConfidence);
            // Answers that would be the same for every candidate of this domain: probing further tells nothing.
            if (verification.Reason is VerificationReasons.NotChecked or VerificationReasons.NoProbe or VerificationReasons.NoMx
                or VerificationReasons.DnsError or VerificationReasons.CatchAll or VerificationReasons.Syntax or VerificationReasons.Disposable) break;
        }
        return ProviderResult.None;
    }

    private static ProviderResult Found(string email, double confidence) =>
        new ProviderResult.Found(new Dictionary<string, ProviderValue>
        {
            [Tributary.Core.Waterfall.Channels.WorkEmail] = new(JsonSerializer.SerializeToElement(email), Math.Round(confidence, 4)),
        });

    private async Task<List<(string First, string Last, string Email)>> SamplesAsync(Guid workspaceId, string domain, CancellationToken ct)
    {
        var suffix = "@" + domain;
        await using var db = dbs.Create();
        var samples = (await db.Contacts.AsNoTracking()
                .Where(c => c.WorkspaceId == workspaceId && c.EmailKey != null && c.EmailKey.EndsWith(suffix)
                            && c.FirstName != null && c.LastName != null)
                .Select(c => new { c.FirstName, c.LastName, c.EmailKey })
                .Take(MaxSamples)
                .ToListAsync(ct))
            .Select(c => (c.FirstName!, c.LastName!, c.EmailKey!)).ToList();
        foreach (var dataset in datasets())
        {
            if (samples.Count >= MaxSamples) break;
            var index = await dataset.WarmUpAsync().WaitAsync(ct);
            samples.AddRange(await index.PeopleAtDomainAsync(domain, MaxSamples - samples.Count, ct));
        }
        return samples.DistinctBy(s => s.Item3).ToList();
    }
}
