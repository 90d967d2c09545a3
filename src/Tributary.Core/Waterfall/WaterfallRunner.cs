using System.Diagnostics;
using System.Text.Json;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Phones;
using Tributary.Core.Providers.Usage;
using Tributary.Core.Providers.Vendors;
using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Waterfall;

/// <summary>
/// Runs the waterfall of DESIGN §5 for one record: providers one at a time, each at most once, in the configured order
/// of the first still-missing channel that has an eligible provider left. It touches no database: what the cache
/// already answered comes in with the request (<see cref="WaterfallRequest.Cached"/>), what the run found goes out in the
/// outcome, and the caller stores both.
/// </summary>
public sealed class WaterfallRunner
{
    private readonly ProviderRegistry providers;
    private readonly WaterfallMetrics metrics;
    private readonly ProviderUsage usage;
    private readonly TimeProvider time;
    private readonly EmailVerdicts _verdicts;

    public WaterfallRunner(ProviderRegistry providers, IEmailVerifier verifier, WaterfallMetrics metrics, ProviderUsage usage, TimeProvider time)
    {
        (this.providers, this.metrics, this.usage, this.time) = (providers, metrics, usage, time);
        _verdicts = new EmailVerdicts(providers, verifier, (name, answer, latency) =>
        {
            var answered = answer is VerifierAnswer.Verdict;
            var cost = usage.Verified(name, answered, billed: answer is VerifierAnswer.Verdict { Billed: true });
            metrics.VerifierCalled(name, answered, latency, cost, usage.CreditPrice(name));
        });
    }

    /// <summary>
    /// Runs to the end, or until <paramref name="deadline"/> fires: then no further provider is called, what was found
    /// stands, and nothing is cached as a miss.
    /// </summary>
    public async Task<WaterfallOutcome> RunAsync(WaterfallRequest request, CancellationToken ct, CancellationToken deadline = default)
    {
        var outcome = new WaterfallOutcome();
        var known = new Dictionary<string, JsonElement>(request.Known, StringComparer.Ordinal);
        if (!request.IsCompany && known.TryGetValue("company_domain", out var companyDomain) && !known.ContainsKey("domain"))
            known["domain"] = companyDomain;
        foreach (var (channel, cached) in request.Cached)
        {
            outcome.Found[channel] = cached;
            known[Channels.InputName(channel)] = cached.Value;
            if (channel == Channels.CompanyDomain && !request.IsCompany) known["domain"] = cached.Value;
        }
        var wanted = request.Channels.Distinct().Where(c => !request.Cached.ContainsKey(c)).ToList();
        var missing = new List<string>(wanted);
        var hashes = wanted.ToDictionary(c => c, c => ConfigHash(c, request.MinConfidence));

        var tried = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ran = new HashSet<string>(missing.Where(c => providers.OrderFor(c).Count > 0));
        // A channel any of whose providers failed (outage, timeout, open circuit) is never remembered as a miss (§6.2).
        var failedFor = new HashSet<string>(StringComparer.Ordinal);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline);
        var cutByDeadline = false;
        // Emails kept while later providers are asked for a better one (Verification:CatchAll = continue, §5.2).
        var candidates = new Dictionary<string, ChannelResult>(StringComparer.Ordinal);
        while (!deadline.IsCancellationRequested && NextProvider(missing, tried, known) is { } provider)
        {
            tried.Add(provider.Name);
            var ask = missing.Where(provider.Channels.Contains).ToList();
            if (WhySkipped(provider) is { } skippedBecause)
            {
                // Not asked is not a miss: the channel may well be found once the provider can be asked.
                failedFor.UnionWith(ask);
                outcome.Trace.Add(new TraceStep { Provider = provider.Name, Outcome = "skipped", ChannelsAsked = ask, Detail = skippedBecause });
                continue;
            }
            if (request.Synchronous && provider is VendorFinder { LateChannels.Count: > 0 } answersLater
                && ask.Where(answersLater.LateChannels.Contains).ToList() is { Count: > 0 } tooSlow)
            {
                // What it answers in minutes (all it serves, or Apollo's phones) is not asked; it is asked for the rest, if any.
                failedFor.UnionWith(tooSlow);
                ask.RemoveAll(tooSlow.Contains);
                outcome.Trace.Add(new TraceStep
                {
                    Provider = provider.Name, Outcome = "skipped", ChannelsAsked = tooSlow, Detail = "too slow for a synchronous call",
                });
                if (ask.Count == 0) continue;
            }
            var started = Stopwatch.GetTimestamp();
            ProviderResult result;
            try
            {
                result = await provider.LookupAsync(new ProviderQuery(request.WorkspaceId, known, ask, request.Signals)
                {
                    MayWait = !request.Synchronous, Later = request.Synchronous ? null : request.Later,
                }, linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                result = new ProviderResult.Failed("the request's deadline passed", Transient: true);
            }
            providers.Health.Record(provider.Name, result, providers.RecheckMinutes(provider.Name));
            outcome.ProviderCalls++;
            cutByDeadline |= deadline.IsCancellationRequested && result is ProviderResult.Failed;
            if (result is ProviderResult.Failed) failedFor.UnionWith(ask);
            var latency = Stopwatch.GetElapsedTime(started);
            var accepted = new List<string>();
            var kept = new List<string>();
            var rejected = new List<RejectedValue>();
            var verifications = new List<TraceStep>();
            var later = (result as ProviderResult.Found)?.Later.Where(missing.Contains).ToList() ?? [];
            // Asked, and to be answered after this run: neither found nor a miss (it is stored when it comes).
            failedFor.UnionWith(later);
            outcome.Later.UnionWith(later);
            cutByDeadline |= later.Count > 0;
            if (result is ProviderResult.Found found)
            {
                foreach (var (channel, value) in found.Values)
                {
                    if (!missing.Contains(channel)) continue;
                    if (!providers.OrderFor(channel).Contains(provider.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        rejected.Add(new(channel, "this provider is not in the channel's waterfall"));
                        continue;
                    }
                    if (value.Confidence < request.MinConfidence)
                    {
                        rejected.Add(new(channel, $"confidence {value.Confidence:0.##} is below min_confidence {request.MinConfidence:0.##}"));
                        continue;
                    }
                    var (accept, reason) = await AcceptAsync(channel, value, provider.Name, verifications, linked.Token, ct);
                    if (accept is null)
                    {
                        rejected.Add(new(channel, reason!));
                        continue;
                    }
                    if (EmailStatuses.Parse(accept.EmailStatus) is { } status && EmailStatuses.KeepsLooking(status))
                    {
                        var name = EmailStatuses.Name(status);
                        if (providers.CatchAll == CatchAllPolicy.Reject)
                        {
                            rejected.Add(new(channel, $"email status {name}: Verification:CatchAll is reject"));
                            continue;
                        }
                        if (providers.CatchAll == CatchAllPolicy.Continue)
                        {
                            if (!candidates.TryGetValue(channel, out var held) || Better(accept, held)) candidates[channel] = accept;
                            kept.Add(channel);
                            rejected.Add(new(channel, $"email status {name}: kept as a candidate while later providers are asked for a better one"));
                            continue;
                        }
                    }
                    candidates.Remove(channel);
                    outcome.Found[channel] = accept;
                    known[Channels.InputName(channel)] = accept.Value;
                    if (channel == Channels.CompanyDomain && !request.IsCompany) known["domain"] = accept.Value;
                    missing.Remove(channel);
                    accepted.Add(channel);
                }
            }
            var outcomeName = result switch
            {
                ProviderResult.Failed { Kind: FailureKind.DailyLimit } => "skipped",
                ProviderResult.Found when accepted.Count > 0 => "found",
                ProviderResult.Found when kept.Count > 0 => "candidate",
                ProviderResult.Found when later.Count > 0 && rejected.Count == 0 => "pending",
                ProviderResult.Found => "rejected",
                ProviderResult.Failed => "failed",
                _ => "no_match",
            };
            if (usage.Looked(provider.Name, result) is { } cost)
                metrics.ProviderCalled(provider.Name, outcomeName, accepted.Count > 0, latency, cost, usage.CreditPrice(provider.Name));
            outcome.Trace.Add(new TraceStep
            {
                Provider = provider.Name, Outcome = outcomeName, ChannelsAsked = ask, ChannelsAccepted = accepted, Rejected = rejected,
                LatencyMs = (long)latency.TotalMilliseconds,
                Detail = (result as ProviderResult.Failed)?.Reason
                         ?? (later.Count > 0 ? $"{string.Join(", ", later)}: the vendor answers after this run's deadline; stored when it comes" : null),
            });
            outcome.Trace.AddRange(verifications);
        }

        // The best candidate of each channel nobody answered better is delivered, and priced, once.
        foreach (var (channel, candidate) in candidates)
        {
            if (!missing.Remove(channel)) continue;
            outcome.Found[channel] = candidate;
            if (failedFor.Contains(channel)) outcome.ShortLived.Add(channel);
            outcome.Trace.Add(new TraceStep
            {
                Provider = candidate.Source, Outcome = "found", ChannelsAccepted = [channel],
                Detail = $"the best candidate ({candidate.EmailStatus}) is delivered: no later provider had a better email",
            });
        }

        // Timed out only when the deadline stopped something: a call it cut, or a provider left unasked. A run whose last
        // provider answered "no match" as the deadline fired simply found nothing.
        outcome.TimedOut = deadline.IsCancellationRequested && missing.Count > 0
                           && (cutByDeadline || NextProvider(missing, tried, known) is not null);
        AddSkipped(wanted, tried, known, outcome);
        metrics.RunFinished(outcome.ProviderCalls, request.Cached.Count);
        outcome.CacheKeys = CacheKeys.From(known, request.IsCompany);
        outcome.CacheAnswers = ran.Select(c => (c, outcome.Found.GetValueOrDefault(c) is { FromCache: false } r ? r : null, hashes[c]))
            .Where(a => a.Item2 is not null || (!outcome.Found.ContainsKey(a.c) && !outcome.TimedOut && !failedFor.Contains(a.c)))
            .ToList();
        return outcome;
    }

    /// <summary>What a cached miss of <paramref name="channel"/> depends on (its provider list and min_confidence).</summary>
    public string ConfigHash(string channel, double minConfidence) => CacheKeys.ConfigHash(providers.OrderFor(channel), minConfidence);

    private IEnrichmentProvider? NextProvider(List<string> missing, HashSet<string> tried, Dictionary<string, JsonElement> known)
    {
        foreach (var channel in missing)
        foreach (var name in providers.OrderFor(channel))
        {
            if (tried.Contains(name)) continue;
            var provider = providers.Get(name);
            if (IdentityHints.IsEligible(provider.Requires, known)) return provider;
        }
        return null;
    }

    /// <summary>Why <paramref name="provider"/> is not asked in this run, or null when it is.</summary>
    private string? WhySkipped(IEnrichmentProvider provider)
    {
        if (providers.Health.Unhealthy(provider.Name) is { } unhealthy) return unhealthy;
        if (provider is VendorFinder { DailyLimitSpent: true }) return "quota: daily limit";
        return null;
    }

    /// <summary>Status rank (valid &gt; probable &gt; unknown &gt; catch_all &gt; risky), then confidence.</summary>
    private static bool Better(ChannelResult a, ChannelResult b)
    {
        var (ra, rb) = (EmailStatuses.Rank(EmailStatuses.Parse(a.EmailStatus) ?? EmailStatus.Unknown),
            EmailStatuses.Rank(EmailStatuses.Parse(b.EmailStatus) ?? EmailStatus.Unknown));
        return ra != rb ? ra > rb : a.Confidence > b.Confidence;
    }

    /// <summary>A phone value in E.164 where it parses (as offered where it does not); other channels' values as they are.</summary>
    internal static JsonElement PhoneInE164(string channel, JsonElement value, IReadOnlyList<string>? countries = null) =>
        channel == Channels.Phone && value.ValueKind == JsonValueKind.String && PhoneNormalizer.TryNormalize(value.GetString(), countries) is { } phone
            ? JsonSerializer.SerializeToElement(phone.E164)
            : value;

    /// <summary>Normalises an offered value; emails get their status (§5.2) and an invalid one is never found.</summary>
    private async Task<(ChannelResult? Result, string? Reason)> AcceptAsync(string channel, ProviderValue value, string source,
        List<TraceStep> verifications, CancellationToken deadline, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var v = PhoneInE164(channel, value.Value);
        if (!Channels.Emails.Contains(channel)) return (new ChannelResult(channel, v, source, value.Confidence, now, null, null, false), null);
        if (v.ValueKind != JsonValueKind.String) return (null, "an email must be a string");
        var email = v.GetString()!.Trim().ToLowerInvariant();
        var verdict = await _verdicts.DecideAsync(email, value.Status, source, channel, deadline, ct);
        verifications.AddRange(verdict.Steps);
        if (verdict.Status == EmailStatus.Invalid)
            return (null, verdict.Source == "built-in"
                ? $"email verification: invalid ({verdict.Reason})"
                : $"email verification: invalid ({verdict.Source}: {verdict.Reason})");
        return (new ChannelResult(channel, JsonSerializer.SerializeToElement(verdict.Email), source, value.Confidence, now,
            verdict.Verified, EmailStatuses.Name(verdict.Status), false), null);
    }

    private void AddSkipped(List<string> wanted, HashSet<string> tried, Dictionary<string, JsonElement> known, WaterfallOutcome outcome)
    {
        var skipped = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // A channel nobody can answer says so: it is never found and never charged (DESIGN §5.3).
        foreach (var channel in wanted.Where(c => providers.OrderFor(c).Count == 0))
            outcome.Trace.Add(new TraceStep
            {
                Provider = "none", Outcome = "skipped", ChannelsAsked = [channel], Detail = $"no provider is configured for {channel}",
            });
        foreach (var channel in wanted)
        foreach (var name in providers.OrderFor(channel))
        {
            if (tried.Contains(name) || !skipped.Add(name)) continue;
            var provider = providers.Get(name);
            var why = IdentityHints.IsEligible(provider.Requires, known)
                ? "not needed: the channels it serves were found earlier or answered from the cache"
                : "missing inputs: needs one of " + string.Join(" or ", provider.Requires.Select(set => "[" + string.Join(", ", set) + "]"));
            outcome.Trace.Add(new TraceStep { Provider = name, Outcome = "skipped", Detail = why });
        }
    }
}
