namespace Tributary.Core.Contacts;

/// <summary>A person in a workspace (also called a lead). Key columns hold normalised identities for matching.</summary>
public sealed class Contact
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }

    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? FullName { get; set; }
    public string? Email { get; set; }
    public string? PersonalEmail { get; set; }
    public string? Phone { get; set; }
    public string? JobTitle { get; set; }
    public string? Seniority { get; set; }
    public string? CompanyName { get; set; }
    public string? CompanyDomain { get; set; }
    public string? LinkedinUrl { get; set; }
    public string? XHandle { get; set; }
    public string? GithubUsername { get; set; }
    public string? Location { get; set; }
    /// <summary>JSON array of strings.</summary>
    public string TagsJson { get; set; } = "[]";
    /// <summary>JSON object.</summary>
    public string CustomJson { get; set; } = "{}";
    /// <summary>JSON object: field → {source, confidence, enriched_at, verified}.</summary>
    public string FieldSourcesJson { get; set; } = "{}";

    public string? EmailKey { get; set; }
    public string? LinkedinKey { get; set; }
    public string? XKey { get; set; }
    public string? GithubKey { get; set; }
    public string? NameKey { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
