using System.Text.Json;

namespace Tributary.Core.Providers;

/// <summary>
/// A source of channel values (DESIGN §5). A provider answers one lookup at a time; the waterfall decides whom to ask,
/// in what order, and what to accept.
/// </summary>
public interface IEnrichmentProvider
{
    string Name { get; }

    /// <summary>The channels this provider can return.</summary>
    IReadOnlySet<string> Channels { get; }

    /// <summary>Alternative sets of inputs, any one of which makes the provider eligible.</summary>
    IReadOnlyList<IReadOnlyList<string>> Requires { get; }

    Task<ProviderResult> LookupAsync(ProviderQuery query, CancellationToken ct);
}

/// <summary>What is known about the subject (every value by input name) and what is asked of the provider.</summary>
public sealed record ProviderQuery(
    Guid WorkspaceId,
    IReadOnlyDictionary<string, JsonElement> Known,
    IReadOnlyList<string> Channels,
    JsonElement? Signals = null)
{
    /// <summary>Asked for a job item or an asynchronous record, which may wait for a bulk call with others (DESIGN §5.4).</summary>
    public bool MayWait { get; init; }

    /// <summary>
    /// Where an answer that comes after the run belongs (its job item, contact and deadline), for vendors that answer
    /// later (DESIGN §5.4); null for synchronous runs.
    /// </summary>
    public LaterAnswer? Later { get; init; }

    public string? Text(string name) =>
        Known.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>The run a late vendor answer belongs to: what stores it should the run's deadline come first.</summary>
public sealed record LaterAnswer(Guid? JobItemId, Guid? ContactId, DateTime Deadline);

/// <summary>
/// One offered value. <paramref name="Status"/> is the provider's own verdict on an email it returned (DESIGN §5.2),
/// null when it gave none.
/// </summary>
public sealed record ProviderValue(JsonElement Value, double Confidence, Verification.EmailStatus? Status = null);

/// <summary>Why a provider failed, as far as it tells: what decides whether it is skipped for a while (DESIGN §5.4).</summary>
public enum FailureKind
{
    Other,
    /// <summary>The vendor refused the key.</summary>
    BadKey,
    /// <summary>The vendor account has no credits left.</summary>
    OutOfCredits,
    /// <summary>The vendor asked to slow down.</summary>
    RateLimited,
    /// <summary>The provider's <c>DailyLimit</c> is spent for the UTC day: it was not asked.</summary>
    DailyLimit,
}

public abstract record ProviderResult
{
    /// <summary>
    /// What the vendor billed this answer as, where its values do not tell: vendors bill what they returned, asked for or
    /// not (Dropcontact an email found for a run that wanted a company domain), a match that had no value asked for (PDL),
    /// and nothing for a record answered before (Prospeo). Null: a found answer is a match billed for its values.
    /// </summary>
    public VendorBilling? Billing { get; init; }

    public sealed record Found(IReadOnlyDictionary<string, ProviderValue> Values) : ProviderResult
    {
        /// <summary>
        /// Channels the vendor was asked for and will answer after this run's deadline: not found, never a miss; the
        /// answer is stored when it comes (DESIGN §5.4).
        /// </summary>
        public IReadOnlyList<string> Later { get; init; } = [];
    }
    public sealed record NoMatch : ProviderResult;
    /// <summary>An error, timeout or open circuit; <paramref name="Transient"/> tells whether a later call may succeed.</summary>
    public sealed record Failed(string Reason, bool Transient, FailureKind Kind = FailureKind.Other) : ProviderResult;

    public static readonly NoMatch None = new();
}

/// <summary>What a vendor bills one answer as (DESIGN §5.4 <c>Cost</c>): whether it counted a match, and the channels it returned.</summary>
public sealed record VendorBilling(bool Matched, IReadOnlySet<string> Returned)
{
    public static readonly VendorBilling Free = new(false, new HashSet<string>());
}

/// <summary>The default eligibility of a provider: any identity hint of the kind of subject it serves.</summary>
public static class IdentityHints
{
    public static readonly IReadOnlyList<IReadOnlyList<string>> Person =
    [
        ["email"], ["linkedin_url"], ["x_handle"], ["github_username"], ["first_name", "last_name", "company_domain"],
    ];

    public static readonly IReadOnlyList<IReadOnlyList<string>> Company = [["domain"]];

    public static IReadOnlyList<IReadOnlyList<string>> For(IEnumerable<string> channels)
    {
        var list = channels.ToList();
        var person = list.Any(c => !Waterfall.Channels.IsCompany(c));
        var company = list.Any(Waterfall.Channels.IsCompany);
        return (person, company) switch
        {
            (true, true) => [.. Person, .. Company],
            (false, true) => Company,
            _ => Person,
        };
    }

    public static bool IsEligible(IReadOnlyList<IReadOnlyList<string>> requires, IReadOnlyDictionary<string, JsonElement> known) =>
        requires.Any(set => set.All(name => known.TryGetValue(name, out var v) && HasValue(v)));

    private static bool HasValue(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => !string.IsNullOrWhiteSpace(v.GetString()),
        JsonValueKind.Null or JsonValueKind.Undefined => false,
        _ => true,
    };
}
