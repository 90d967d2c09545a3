using System.Text.Json;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Enrichment;

/// <summary>
/// The rules every surface applies to a person enrichment before it runs (DESIGN §6): which identity hints are enough,
/// which channels exist, what is asked when a request names none, and what discover needs. Surfaces decide only how a
/// broken rule is spelt in their own error body; consent for personal email is enforced by <see cref="EnrichmentService"/>
/// itself.
/// </summary>
public static class EnrichmentRules
{
    /// <summary>The identity hints that each identify a person on their own.</summary>
    public static readonly IReadOnlyList<string> SingleHints = ["email", "linkedin_url", "x_handle", "github_username"];

    /// <summary>The hints that identify a person together (and that discover needs).</summary>
    public static readonly IReadOnlyList<string> NameAtCompany = ["first_name", "last_name", "company_domain"];

    public const string IdentityHintRequired =
        "At least one identity hint is required: email, linkedin_url, x_handle, github_username, or first_name + last_name + company_domain";

    public const string DiscoverNeedsNameAtCompany = "discover needs first_name, last_name and company_domain";

    /// <summary>What a request that names no channel asks for (seed 004's default).</summary>
    public static readonly IReadOnlyList<string> DefaultPersonChannels =
        [Channels.WorkEmail, Channels.PersonalEmail, Channels.Phone, Channels.LinkedinUrl];

    /// <summary>Whether the known values identify a person: one single hint, or a name at a company domain.</summary>
    public static bool HasIdentityHint(IReadOnlyDictionary<string, JsonElement> known) =>
        SingleHints.Any(h => HasValue(known, h)) || CanDiscover(known);

    /// <summary>Discover looks a person up by name at a company: all three must be known.</summary>
    public static bool CanDiscover(IReadOnlyDictionary<string, JsonElement> known) => NameAtCompany.All(h => HasValue(known, h));

    /// <summary>The names among <paramref name="channels"/> that are not person channels.</summary>
    public static List<string> UnknownPersonChannels(IEnumerable<string> channels) => channels.Where(c => !Channels.Person.Contains(c)).ToList();

    /// <summary>The names among <paramref name="channels"/> that are no channel at all (person or company).</summary>
    public static List<string> UnknownChannels(IEnumerable<string> channels) => channels.Where(c => !Channels.IsKnown(c)).ToList();

    /// <summary>The first known value a run must not take (DESIGN §9: NUL, lone surrogate, over-long), in words; null when none.</summary>
    public static string? BadValue(IReadOnlyDictionary<string, JsonElement> known) =>
        known.Where(k => k.Value.ValueKind == JsonValueKind.String)
            .Select(k => Common.TextLimits.Problem(k.Key, k.Value.GetString()!)).FirstOrDefault(p => p is not null);

    private static bool HasValue(IReadOnlyDictionary<string, JsonElement> known, string name) =>
        known.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString());
}
