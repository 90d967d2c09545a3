namespace Tributary.Core.Companies;

/// <summary>An account: one record per domain in a workspace, holding the company channels.</summary>
public sealed class Company
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>Normalised (lower case, no scheme, no www.).</summary>
    public required string Domain { get; set; }
    public string? Name { get; set; }
    public string? Industry { get; set; }
    public int? EmployeeCount { get; set; }
    public string? RevenueBand { get; set; }
    public int? FoundedYear { get; set; }
    public string? HqCountry { get; set; }
    public string? HqCity { get; set; }
    /// <summary>JSON array of strings, or null when unknown.</summary>
    public string? TechStackJson { get; set; }
    public string? FundingStage { get; set; }
    public string? LastFundingDate { get; set; }
    public long? TotalRaisedUsd { get; set; }
    public string? Description { get; set; }
    public string? LogoUrl { get; set; }
    public string? CompanyLinkedinUrl { get; set; }
    public string FieldSourcesJson { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
