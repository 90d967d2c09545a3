using System.Diagnostics;
using System.Text.Json;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Phones;
using Tributary.Core.Providers.Verification;
using Tributary.Core.Storage;

namespace Tributary.Core.Waterfall;

/// <summary>
/// Runs the waterfall of DESIGN §5 for one record: cached answers first, then providers one at a time, each at most
/// once, in the configured order of the first still-missing channel that has an eligible provider left.
/// </summary>
public sealed class WaterfallRunner(
    ProviderRegistry providers,
    IEmailVerifier verifier,
    ResultCache cache,
    TributaryDbFactory dbs,
    WaterfallMetrics metrics,
    TimeProvider time)
{
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
        var wanted = request.Channels.Distinct().ToList();
        var missing = new List<string>(wanted);
        var hashes = wanted.ToDictionary(c => c, c => CacheKeys.ConfigHash(providers.OrderFor(c), request.MinConfidence));

        var cacheHits = await ReadCacheAsync(request, known, missing, hashes, outcome, ct);
        var tried = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ran = new HashSet<string>(missing.Where(c => providers.OrderFor(c).Count > 0));

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline);
        var cutByDeadline = false;
        while (!deadline.IsCancellationRequested && NextProvider(missing, tried, known) is { } provider)
        {
            tried.Add(provider.Name);
            var ask = missing.Where(provider.Channels.Contains).ToList();
            var started = Stopwatch.GetTimestamp();
            ProviderResult result;
            try
            {
                result = await provider.LookupAsync(new ProviderQuery(request.WorkspaceId, known, ask, request.Signals), linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                result = new ProviderResult.Failed("the request's deadline passed", Transient: true);
            }
            outcome.ProviderCalls++;
            cutByDeadline |= deadline.IsCancellationRequested && result is ProviderResult.Failed;
            var latency = Stopwatch.GetElapsedTime(started);
            var accepted = new List<string>();
            var rejected = new List<RejectedValue>();
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
                    var (accept, reason) = await AcceptAsync(channel, value, provider.Name, ct);
                    if (accept is null)
                    {
                        rejected.Add(new(channel, reason!));
                        continue;
                    }
                    outcome.Found[channel] = accept;
                    known[Channels.InputName(channel)] = accept.Value;
                    if (channel == Channels.CompanyDomain && !request.IsCompany) known["domain"] = accept.Value;
                    missing.Remove(channel);
                    accepted.Add(channel);
                }
            }
            var outcomeName = result switch
            {
                ProviderResult.Found when accepted.Count > 0 => "found",
                ProviderResult.Found => "rejected",
                ProviderResult.Failed => "failed",
                _ => "no_match",
            };
            metrics.ProviderCalled(provider.Name, outcomeName, accepted.Count > 0, latency);
            outcome.Trace.Add(new TraceStep
            {
                Provider = provider.Name, Outcome = outcomeName, ChannelsAsked = ask, ChannelsAccepted = accepted, Rejected = rejected,
                LatencyMs = (long)latency.TotalMilliseconds, Detail = (result as ProviderResult.Failed)?.Reason,
            });
        }

        // Timed out only when the deadline stopped something: a call it cut, or a provider left unasked. A run whose last
        // provider answered "no match" as the deadline fired simply found nothing.
        outcome.TimedOut = deadline.IsCancellationRequested && missing.Count > 0
                           && (cutByDeadline || NextProvider(missing, tried, known) is not null);
        AddSkipped(wanted, tried, known, outcome);
        metrics.RunFinished(outcome.ProviderCalls, cacheHits);
        outcome.CacheKeys = CacheKeys.From(known, request.IsCompany);
        outcome.CacheAnswers = ran.Select(c => (c, outcome.Found.GetValueOrDefault(c) is { FromCache: false } r ? r : null, hashes[c]))
            .Where(a => a.Item2 is not null || (!outcome.Found.ContainsKey(a.c) && !outcome.TimedOut))
            .ToList();
        return outcome;
    }

    private async Task<int> ReadCacheAsync(WaterfallRequest request, Dictionary<string, JsonElement> known, List<string> missing,
        Dictionary<string, string> hashes, WaterfallOutcome outcome, CancellationToken ct)
    {
        if (request.Force) return 0;
        var keys = CacheKeys.From(known, request.IsCompany);
        await using var db = dbs.Create();
        var entries = await cache.LookupAsync(db, request.WorkspaceId, keys, missing, ct);
        var hits = 0;
        foreach (var channel in missing.ToList())
        {
            var forChannel = entries.Where(e => e.Channel == channel).OrderBy(e => keys.IndexOf(e.IdentityKey)).ToList();
            if (forChannel.FirstOrDefault(e => e.Found) is { } hit)
            {
                var result = ResultCache.ToResult(hit);
                outcome.Found[channel] = result;
                known[Channels.InputName(channel)] = result.Value;
                missing.Remove(channel);
                hits++;
                outcome.Trace.Add(new TraceStep { Provider = "cache", Outcome = "cache_hit", ChannelsAccepted = [channel], Detail = $"{hit.IdentityKey} (from {hit.Source})" });
            }
            else if (forChannel.FirstOrDefault(e => !e.Found && e.ConfigHash == hashes[channel]) is { } miss)
            {
                missing.Remove(channel);
                outcome.Trace.Add(new TraceStep { Provider = "cache", Outcome = "cache_miss", ChannelsAsked = [channel], Detail = $"{miss.IdentityKey}: no provider had it" });
            }
        }
        return hits;
    }

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

    /// <summary>Normalises an offered value; emails must pass verification (an invalid one is never found).</summary>
    private async Task<(ChannelResult? Result, string? Reason)> AcceptAsync(string channel, ProviderValue value, string source, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var v = value.Value;
        if (channel == Channels.Phone && v.ValueKind == JsonValueKind.String && PhoneNormalizer.TryNormalize(v.GetString()) is { } phone)
            v = JsonSerializer.SerializeToElement(phone.E164);
        if (!Channels.Emails.Contains(channel)) return (new ChannelResult(channel, v, source, value.Confidence, now, null, null, false), null);
        if (v.ValueKind != JsonValueKind.String) return (null, "an email must be a string");
        var email = v.GetString()!.Trim().ToLowerInvariant();
        var verification = await verifier.VerifyAsync(email, ct);
        if (verification.Status == EmailStatus.Invalid) return (null, $"email verification: invalid ({verification.Reason})");
        return (new ChannelResult(channel, JsonSerializer.SerializeToElement(email), source, value.Confidence, now,
            verification.Verified, verification.StatusName, false), null);
    }

    private void AddSkipped(List<string> wanted, HashSet<string> tried, Dictionary<string, JsonElement> known, WaterfallOutcome outcome)
    {
        var skipped = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
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

    /// <summary>
    /// Files a run's answers in the cache. Callers do it in the transaction that stores and charges the run, so a run
    /// that never committed (a crash, a lost lease) leaves nothing cached that was not paid for.
    /// </summary>
    public Task StoreInCacheAsync(TributaryDb db, Guid workspaceId, WaterfallOutcome outcome, CancellationToken ct) =>
        outcome.CacheKeys.Count == 0 || outcome.CacheAnswers.Count == 0
            ? Task.CompletedTask
            : cache.StoreAsync(db, workspaceId, outcome.CacheKeys, outcome.CacheAnswers, ct);
}
