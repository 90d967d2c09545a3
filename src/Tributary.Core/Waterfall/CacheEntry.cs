namespace Tributary.Core.Waterfall;

/// <summary>
/// One cached answer (DESIGN §6.2): per workspace, identity key and channel; a found value or a miss. A miss only counts
/// while the channel's provider list and the workspace's min_confidence are what they were (<see cref="ConfigHash"/>).
/// </summary>
public sealed class CacheEntry
{
    public Guid WorkspaceId { get; set; }
    public required string IdentityKey { get; set; }
    public required string Channel { get; set; }
    public bool Found { get; set; }
    public string? ValueJson { get; set; }
    public string? Source { get; set; }
    public double Confidence { get; set; }
    public DateTime EnrichedAt { get; set; }
    public bool? Verified { get; set; }
    public string? EmailStatus { get; set; }
    public required string ConfigHash { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>A stored enrichment run: its trace, readable at <c>GET /v1/enrichments/{id}/trace</c>.</summary>
public sealed class EnrichmentRecord
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Surface { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string TraceJson { get; set; }
}
