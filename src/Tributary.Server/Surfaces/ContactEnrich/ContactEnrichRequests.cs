using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Server.Errors;

namespace Tributary.Server.Surfaces.ContactEnrich;

/// <summary>
/// <c>POST /v1/enrich/contact</c>. <c>fields</c> entries are bound as they come and checked after <c>contact_id</c>, so
/// that a body wrong in both (the seed's own placeholder example) is refused for its <c>contact_id</c>.
/// </summary>
public sealed record EnrichContactRequest(
    [property: JsonPropertyName("contact_id")] string? ContactId,
    [property: JsonPropertyName("fields")] List<JsonElement>? Fields,
    [property: JsonPropertyName("overwrite")] bool Overwrite = false)
{
    public ApiError? Validate(out Guid contactId, out List<string> fields)
    {
        fields = [];
        if (!Guid.TryParse(ContactId, out contactId)) return ApiError.Validation("contact_id is required and must be a UUID");
        return ContactEnrichRequests.FieldList(Fields, ContactEnrichEndpoints.AllowedFields, ContactEnrichEndpoints.DefaultFields, out fields);
    }
}

/// <summary><c>POST /v1/enrich/company</c>: a stored company by id, or any company by its domain.</summary>
public sealed record EnrichCompanyRequest(
    [property: JsonPropertyName("company_id")] string? CompanyId,
    [property: JsonPropertyName("domain")] string? Domain,
    [property: JsonPropertyName("fields")] List<JsonElement>? Fields,
    [property: JsonPropertyName("overwrite")] bool Overwrite = false)
{
    /// <summary>The stored company asked for (null when the body gives a domain instead) and the public fields asked for.</summary>
    public ApiError? Validate(IReadOnlyCollection<string> allowed, out Guid? companyId, out List<string> fields)
    {
        companyId = null;
        fields = [];
        if (CompanyId is not null)
        {
            if (!Guid.TryParse(CompanyId, out var id)) return ApiError.Validation("company_id must be a UUID");
            companyId = id;
        }
        return ContactEnrichRequests.FieldList(Fields, allowed, allowed, out fields);
    }
}

/// <summary><c>POST /v1/enrich/email</c>: a look-up by email of the sections asked for.</summary>
public sealed record EnrichEmailRequest(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("include")] List<JsonElement>? Include,
    [property: JsonPropertyName("verify")] bool Verify = false)
{
    public static readonly string[] Sections = ["person", "company", "social"];

    public ApiError? Validate(out string email, out List<string> include)
    {
        email = Email?.Trim() ?? "";
        include = [.. Sections];
        if (email.Length == 0 || !email.Contains('@')) return ApiError.Validation("email is required");
        if (Include is null) return null;
        if (Include.Any(i => i.ValueKind != JsonValueKind.String || !Sections.Contains(i.GetString())))
            return ApiError.Validation("include must be an array of: person, company, social");
        include = Include.Select(i => i.GetString()!).Distinct().ToList();
        return null;
    }
}

public static class ContactEnrichRequests
{
    /// <summary>The distinct field names asked for, or the defaults when none were given; names outside <paramref name="allowed"/> are refused.</summary>
    internal static ApiError? FieldList(List<JsonElement>? given, IReadOnlyCollection<string> allowed, IEnumerable<string> defaults, out List<string> fields)
    {
        fields = defaults.ToList();
        if (given is null) return null;
        if (given.Any(f => f.ValueKind != JsonValueKind.String)) return ApiError.Validation("fields must be an array of field names");
        fields = given.Select(f => f.GetString()!).Distinct().ToList();
        var unknown = fields.Where(f => !allowed.Contains(f)).ToList();
        return fields.Count == 0 || unknown.Count > 0
            ? ApiError.Validation($"unknown field(s): {string.Join(", ", unknown)}; allowed: {string.Join(", ", allowed)}")
            : null;
    }
}
