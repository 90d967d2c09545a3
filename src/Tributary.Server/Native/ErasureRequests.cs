using System.Text.Json.Serialization;
using Tributary.Core.Erasure;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

/// <summary>
/// A person named by identity, the body of <c>POST /v1/erasures</c> (with <c>suppress</c>) and of
/// <c>POST /v1/suppressions</c> (without: every entry there is a suppression).
/// </summary>
public sealed record IdentityRequest(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("linkedin_url")] string? LinkedinUrl,
    [property: JsonPropertyName("x_handle")] string? XHandle,
    [property: JsonPropertyName("github_username")] string? GithubUsername,
    [property: JsonPropertyName("first_name")] string? FirstName,
    [property: JsonPropertyName("last_name")] string? LastName,
    [property: JsonPropertyName("company_domain")] string? CompanyDomain,
    [property: JsonPropertyName("suppress")] bool? Suppress)
{
    public const string IdentityRequired =
        "Name the person by email, linkedin_url, x_handle, github_username, or first_name + last_name + company_domain";

    /// <summary>The identity keys the body names; a refusal when it names none, or half of a name at a company.</summary>
    public ApiError? Validate(bool allowSuppress, out List<string> keys)
    {
        keys = [];
        if (Suppress is not null && !allowSuppress)
            return ApiError.Validation("'suppress' belongs to POST /v1/erasures; every entry here is a suppression");
        var named = new[] { FirstName, LastName, CompanyDomain }.Count(v => !string.IsNullOrWhiteSpace(v));
        if (named is 1 or 2) return ApiError.Validation("first_name, last_name and company_domain name a person together: give all three");
        keys = PersonKeys.OfIdentity(Email, LinkedinUrl, XHandle, GithubUsername, FirstName, LastName, CompanyDomain);
        return keys.Count == 0 ? ApiError.Validation(IdentityRequired) : null;
    }
}
