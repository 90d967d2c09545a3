using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Server.Errors;

namespace Tributary.Server.Surfaces.Operations;

/// <summary>
/// The body of <c>POST /api/enrichments</c>, bound once at the edge: one <c>identifier</c> or a batch of
/// <c>identifiers</c> (each kept as sent, since results echo it), the <c>fields</c> asked for, and an optional
/// <c>signals_config</c> passed through to the run. <see cref="Validate"/> lists every problem at once, as the vendor does.
/// </summary>
public sealed record CreateEnrichmentRequest(
    [property: JsonPropertyName("identifier")] JsonElement? Identifier,
    [property: JsonPropertyName("identifiers")] List<JsonElement>? Identifiers,
    [property: JsonPropertyName("fields")] List<string?>? Fields,
    [property: JsonPropertyName("signals_config")] JsonElement? SignalsConfig)
{
    public static readonly string[] IdentityKinds = ["linkedin_url", "email", "x_handle", "github_username"];
    public static readonly string[] KnownFields = ["contact.email", "contact.phone", "signals", "work_email", "profile"];

    public ApiError? Validate(out ValidEnrichment valid)
    {
        valid = null!;
        var details = new List<ErrorDetail>();
        var hasOne = Identifier is not null;
        var hasMany = Identifiers is not null;
        if (hasOne == hasMany) details.Add(new("identifiers", "use exactly one of identifier or identifiers"));
        var identifiers = new List<JsonElement>();
        if (hasOne) identifiers.Add(Identifier!.Value);
        if (hasMany)
        {
            if (Identifiers!.Count is 0 or > OperationsEndpoints.MaxIdentifiers)
                details.Add(new("identifiers", $"must be an array of 1 to {OperationsEndpoints.MaxIdentifiers} identifiers"));
            else identifiers.AddRange(Identifiers);
        }
        for (var i = 0; i < identifiers.Count; i++)
            if (KnownOf(identifiers[i]).Count == 0)
                details.Add(new(hasMany ? $"identifiers[{i}]" : "identifier", $"must have one of {string.Join(", ", IdentityKinds)}"));
        var fields = new List<string>();
        if (Fields is not { Count: > 0 })
            details.Add(new("fields", $"is required: a non-empty array of {string.Join(", ", KnownFields)}"));
        else
            foreach (var field in Fields)
            {
                if (field is null || !KnownFields.Contains(field)) details.Add(new("fields", $"unknown field {field ?? "null"}"));
                else if (!fields.Contains(field)) fields.Add(field);
            }
        if (details.Count > 0) return ApiError.Validation("Validation failed", details);
        valid = new ValidEnrichment(hasOne, identifiers, fields, SignalsConfig is { ValueKind: JsonValueKind.Object } signals ? signals : null);
        return null;
    }

    /// <summary>
    /// The identity values an identifier gives, trimmed; other members, and values that are not text, are carried as
    /// sent and read by nobody (clients of the vendor send extras).
    /// </summary>
    public static Dictionary<string, JsonElement> KnownOf(JsonElement identifier)
    {
        var known = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (identifier.ValueKind != JsonValueKind.Object) return known;
        foreach (var kind in IdentityKinds)
            if (identifier.TryGetProperty(kind, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()))
                known[kind] = JsonSerializer.SerializeToElement(v.GetString()!.Trim());
        return known;
    }
}

/// <summary>A validated <see cref="CreateEnrichmentRequest"/>: single or batch, its identifiers, the distinct fields asked for.</summary>
public sealed record ValidEnrichment(bool Single, List<JsonElement> Identifiers, List<string> Fields, JsonElement? Signals);
