using System.Text.Json;
using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Providers.Vendors;

/// <summary>
/// The common part of every vendor finder: name, channels and eligibility from its configuration or the vendor's
/// defaults, and one rule — an exception of a call is a failure, never a miss.
/// </summary>
public abstract class VendorFinder : IEnrichmentProvider
{
    protected VendorFinder(VendorContext context, Func<VendorReply, bool> isTransient)
    {
        Name = context.Name;
        Channels = context.Channels;
        Requires = context.Requires;
        Client = new VendorClient(context, isTransient);
        Time = context.Time;
        Answers = context.Answers;
        _jobWorkers = context.JobWorkers;
        _jobWaitingItems = context.JobWaitingItems;
        _batchWindow = TimeSpan.FromMilliseconds(context.Definition.BatchWindowMs ?? context.Vendor.DefaultBatchWindowMs);
    }

    public string Name { get; }
    public IReadOnlySet<string> Channels { get; }
    public IReadOnlyList<IReadOnlyList<string>> Requires { get; }
    protected VendorClient Client { get; }
    protected TimeProvider Time { get; }
    /// <summary>Where answers that come after a run's deadline go (null in unit tests that build a finder alone).</summary>
    protected PendingAnswers? Answers { get; }

    /// <summary>Its <c>DailyLimit</c> is known to be spent today: it is skipped without a call.</summary>
    public bool DailyLimitSpent => Client.DailyLimitSpent;

    /// <summary>Vendors that answer in minutes (DESIGN §5.4): synchronous runs skip them.</summary>
    public virtual bool AnswersLater => false;

    /// <summary>
    /// The channels this vendor answers in minutes: synchronous runs do not ask it for them (all it serves when
    /// <see cref="AnswersLater"/>; Apollo: its phones).
    /// </summary>
    public virtual IReadOnlySet<string> LateChannels => AnswersLater ? Channels : NoChannels;

    private static readonly IReadOnlySet<string> NoChannels = new HashSet<string>();

    public async Task<ProviderResult> LookupAsync(ProviderQuery query, CancellationToken ct)
    {
        try
        {
            ProviderResult result;
            // A vendor that answers in minutes is waited for outside the job item's worker slot.
            await using (AnswersLater && query.MayWait ? await Jobs.WorkerSlot.StepOutAsync() : Jobs.WorkerSlot.Stay)
                result = query.MayWait && BulkMax > 1
                    ? await Batcher.JoinAsync(query, BatchKey(query), ct, LateSink(query), holdsSlot: AnswersLater && Jobs.WorkerSlot.Holding)
                    : await FindAsync(query, ct);
            result = await CompleteAsync(query, result, ct);
            // Some vendors repeat the key in their error messages: no reason leaves here with it.
            return result is ProviderResult.Failed failed ? failed with { Reason = Client.Redact(failed.Reason) } : result;
        }
        catch (Exception e) when (Client.Failure(e, ct) is { } failure)
        {
            return failure;
        }
    }

    protected abstract Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct);

    /// <summary>
    /// For a vendor that answers in minutes: the answer of a job item's lookup that comes after its deadline is still kept
    /// (DESIGN §5.4), as a late answer stored by whichever process runs <c>LateAnswers</c>.
    /// </summary>
    private Action<ProviderResult>? LateSink(ProviderQuery query)
    {
        if (!AnswersLater || Answers is null || query.Later is null) return null;
        return answer =>
        {
            if (answer is not ProviderResult.Found { Values.Count: > 0 } found) return;
            _ = Answers.KeepLateAsync(Name, query, found.Values.Where(v => query.Channels.Contains(v.Key)).ToDictionary());
        };
    }

    /// <summary>What a vendor that sends part of its answer later adds to the answer of the call (Apollo's phones).</summary>
    protected virtual Task<ProviderResult> CompleteAsync(ProviderQuery query, ProviderResult answered, CancellationToken ct) =>
        Task.FromResult(answered);

    /// <summary>The most records the vendor's bulk endpoint takes in one call; 0 for a vendor without one.</summary>
    protected virtual int BulkMax => 0;

    /// <summary>One call of the vendor's bulk endpoint: an answer per query, in the queries' order.</summary>
    protected virtual Task<IReadOnlyList<ProviderResult>> FindManyAsync(IReadOnlyList<ProviderQuery> queries, CancellationToken ct) =>
        throw new NotSupportedException($"{Name} has no bulk endpoint");

    /// <summary>Queries that need a different bulk request (not only different records) have different keys.</summary>
    protected virtual string BatchKey(ProviderQuery query) => "";

    private LookupBatcher? _batcher;
    private readonly int _jobWorkers, _jobWaitingItems;
    private readonly TimeSpan _batchWindow;

    /// <summary>
    /// Gathers job items' lookups into bulk calls, sized to the vendor's maximum or the job workers, if fewer. Items waiting
    /// on a vendor that answers later give up their slots, so more of them than workers wait together: their batches are
    /// sized to the vendor's maximum or the items that may wait so (measured on Dropcontact, 1,000 records with 64 workers:
    /// 16 requests of 64, each read twice, 48 calls; in requests of 250, 8 to 14).
    /// </summary>
    private LookupBatcher Batcher => LazyInitializer.EnsureInitialized(ref _batcher, () => new LookupBatcher(
        Math.Max(1, Math.Min(BulkMax, AnswersLater ? Math.Max(_jobWorkers, _jobWaitingItems) : _jobWorkers)), _batchWindow, Time,
        // The batch is no single caller's: each waiting lookup keeps its own deadline and stops waiting when it passes.
        queries => FindManyAsync(queries, CancellationToken.None), query => FindAsync(query, CancellationToken.None)));

    /// <summary>
    /// The found values of one answer, kept to the channels this run asked of the provider; none is a no match. What the
    /// vendor returned, asked for or not, is what it bills (<see cref="ProviderResult.Billing"/>).
    /// </summary>
    protected sealed class Values(IReadOnlySet<string> channels)
    {
        private readonly Dictionary<string, ProviderValue> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _returned = new(StringComparer.Ordinal);

        public Values Add(string channel, string? value, double confidence, EmailStatus? status = null)
        {
            if (string.IsNullOrWhiteSpace(value)) return this;
            _returned.Add(channel);
            if (channels.Contains(channel) && !_values.ContainsKey(channel))
                _values[channel] = new ProviderValue(JsonSerializer.SerializeToElement(value.Trim()), Math.Clamp(confidence, 0, 1), status);
            return this;
        }

        /// <summary>A channel the vendor bills as returned though it sent no value for it (Dropcontact: an email it was given to verify).</summary>
        public Values Billed(string channel)
        {
            _returned.Add(channel);
            return this;
        }

        /// <summary>An email with its vendor verdict; without a number, the confidence follows the verdict (VENDORS.md).</summary>
        public Values AddEmail(string channel, string? email, EmailStatus status, double? confidence = null) =>
            Add(channel, email, confidence ?? EmailStatuses.DefaultConfidence(status), status);

        /// <param name="matched">Whether the vendor billed the answer as a match; by default, when it returned anything.</param>
        /// <param name="free">The vendor said it charged nothing for this answer (Prospeo: a record it answered before).</param>
        public ProviderResult Result(bool? matched = null, bool free = false)
        {
            var billing = free ? VendorBilling.Free : new VendorBilling(matched ?? _returned.Count > 0, _returned);
            if (_values.Count > 0) return new ProviderResult.Found(_values) { Billing = billing };
            return billing.Matched || billing.Returned.Count > 0 ? ProviderResult.None with { Billing = billing } : ProviderResult.None;
        }
    }

    /// <summary>Values of the channels this run asked of the provider; what else the vendor returned is left out.</summary>
    protected Values NewValues(ProviderQuery query) => new(Channels.Intersect(query.Channels).ToHashSet(StringComparer.Ordinal));

    /// <summary>Confidence of a non-email value the vendor returned with the person it matched.</summary>
    protected const double MatchedConfidence = 0.9;
}

/// <summary>Known values a vendor request is built from, trimmed, with names split or joined as a vendor needs them.</summary>
public static class KnownValues
{
    public static string? FirstName(ProviderQuery q) => q.Text("first_name")?.Trim() is { Length: > 0 } f ? f : null;
    public static string? LastName(ProviderQuery q) => q.Text("last_name")?.Trim() is { Length: > 0 } l ? l : null;

    public static string? FullName(ProviderQuery q) =>
        q.Text("full_name")?.Trim() is { Length: > 0 } full ? full
        : string.Join(' ', new[] { FirstName(q), LastName(q) }.Where(s => s is not null)) is { Length: > 0 } joined ? joined : null;

    public static string? Domain(ProviderQuery q) =>
        (q.Text("company_domain") ?? q.Text("domain"))?.Trim() is { Length: > 0 } d ? d : null;

    public static string? Company(ProviderQuery q) => q.Text("company_name")?.Trim() is { Length: > 0 } c ? c : null;
    public static string? Email(ProviderQuery q) => q.Text("email")?.Trim() is { Length: > 0 } e ? e : null;
    public static string? Linkedin(ProviderQuery q) => q.Text("linkedin_url")?.Trim() is { Length: > 0 } l ? l : null;
    public static string? Phone(ProviderQuery q) => q.Text("phone")?.Trim() is { Length: > 0 } p ? p : null;
    public static string? Location(ProviderQuery q) => q.Text("location")?.Trim() is { Length: > 0 } l ? l : null;
}

/// <summary>The common part of every verifier: an exception of a call is a failure (the next verifier is asked), never a verdict.</summary>
public abstract class VendorVerifier : IVendorVerifier
{
    protected VendorVerifier(VendorContext context, Func<VendorReply, bool> isTransient)
    {
        Name = context.Name;
        Client = new VendorClient(context, isTransient);
        Time = context.Time;
    }

    public string Name { get; }
    protected VendorClient Client { get; }
    protected TimeProvider Time { get; }

    public async Task<VerifierAnswer> VerifyAsync(string email, CancellationToken ct)
    {
        try
        {
            var answer = await CheckAsync(email, ct);
            return answer is VerifierAnswer.Failed failed
                ? new VerifierAnswer.Failed(failed.Failure with { Reason = Client.Redact(failed.Failure.Reason) })
                : answer;
        }
        catch (Exception e) when (Client.Failure(e, ct) is { } failure)
        {
            return new VerifierAnswer.Failed(failure);
        }
    }

    protected abstract Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct);

    protected static VerifierAnswer Verdict(EmailStatus status, string? word, bool billed = true) =>
        new VerifierAnswer.Verdict(status, word ?? "") { Billed = billed };
    protected static VerifierAnswer Fail(ProviderResult.Failed failure) => new VerifierAnswer.Failed(failure);
}
