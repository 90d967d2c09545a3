using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Waterfall;

namespace Tributary.Server.Surfaces.Channels;

/// <summary>Body of <c>POST /enrichment</c> and <c>/enrichment/discover</c>, and one record of <c>/enrichment/bulk</c>.</summary>
public sealed record ChannelEnrichRequest
{
    public string? Email { get; init; }
    public string? LinkedinUrl { get; init; }
    public string? CompanyDomain { get; init; }
    public string? CompanyName { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? FullName { get; init; }
    public string? XHandle { get; init; }
    public string? GithubUsername { get; init; }
    public string? Phone { get; init; }
    public List<string>? Channels { get; init; }
    public bool Force { get; init; }
}

public sealed record AccountEnrichRequest(string? Domain, bool Force = false);

public sealed record ChannelValue(
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("enriched_at")] DateTime EnrichedAt,
    [property: JsonPropertyName("verified")] bool? Verified)
{
    public static ChannelValue Of(ChannelResult r) => new(r.Value, r.Source, r.Confidence, r.EnrichedAt, r.Verified);
}

public sealed record ChannelEnrichResponse(
    [property: JsonPropertyName("record_id")] Guid? RecordId,
    [property: JsonPropertyName("channels")] IReadOnlyDictionary<string, ChannelValue?> Channels,
    [property: JsonPropertyName("credits_used")] long CreditsUsed);

public sealed record AccountEnrichResponse(
    [property: JsonPropertyName("account_id")] Guid? AccountId,
    [property: JsonPropertyName("domain")] string Domain,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, JsonElement?> Fields,
    [property: JsonPropertyName("credits_used")] long CreditsUsed);
