using Tributary.Core.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Contacts;
using Tributary.Core.Jobs;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

/// <summary>
/// The members of a JSON <c>POST /v1/jobs</c> body other than its <c>records</c>, which are never held: Core's
/// <see cref="JsonJobBody"/> streams past them and keeps only these small members, which are then bound here once.
/// Jobs of stored contacts name them by <c>contact_ids</c> or by <c>filters</c> instead of sending records.
/// </summary>
public sealed record JobRequest(
    [property: JsonPropertyName("channels")] List<string>? Channels,
    [property: JsonPropertyName("mapping")] Dictionary<string, string?>? Mapping,
    [property: JsonPropertyName("force")] bool? Force,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("contact_ids")] List<string>? ContactIds,
    [property: JsonPropertyName("filters")] Dictionary<string, JsonElement>? Filters)
{
    /// <summary>Binds the members <see cref="JsonJobBody"/> kept; a value of the wrong type is refused naming it.</summary>
    public static ApiError? Bind(IReadOnlyDictionary<string, JsonElement> values, out JobRequest request)
    {
        request = null!;
        try
        {
            // The guard of JSON bodies leaves streamed job bodies alone, so their members' text is checked here (DESIGN §9).
            foreach (var (name, value) in values)
                if (TextProblem(name, value) is { } problem) return ApiError.Validation(problem, [new ErrorDetail(name, problem)]);
            request = JsonSerializer.SerializeToElement(values).Deserialize<JobRequest>(SurfaceJson.SnakeCase)!;
            return null;
        }
        catch (JsonException e)
        {
            return BindingError.Of(e);
        }
        catch (InvalidOperationException)
        {
            // An escape such as \ud800 with no pair cannot be read as text.
            return ApiError.Validation("The body has a string with a lone surrogate (an unpaired \\uD800-\\uDFFF escape)");
        }
    }

    private static string? TextProblem(string field, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TextLimits.Problem(field, value.GetString()!),
        JsonValueKind.Array => value.EnumerateArray().Select(item => TextProblem(field, item)).FirstOrDefault(p => p is not null),
        JsonValueKind.Object => value.EnumerateObject()
            .Select(p => TextLimits.Problem(field, p.Name) ?? TextProblem($"{field}.{p.Name}", p.Value)).FirstOrDefault(p => p is not null),
        _ => null,
    };

    /// <summary>The column of each input field (<c>mapping</c>), checked against the fields a record can give.</summary>
    public ApiError? ValidMapping(out Dictionary<string, string>? mapping)
    {
        mapping = Mapping?.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        return Mapping?.FirstOrDefault(p => !JobInput.InputNames.Contains(p.Key) || p.Value is null).Key is { } bad
            ? ApiError.Validation($"'mapping' must map fields ({string.Join(", ", JobInput.InputNames)}) to column names, each once; '{bad}' is not")
            : null;
    }

    /// <summary>The distinct contact ids of <c>contact_ids</c>, at most <paramref name="max"/>.</summary>
    public ApiError? ValidContactIds(int max, out HashSet<Guid> ids)
    {
        ids = [];
        if (ContactIds is not { Count: > 0 } given || given.Count > max) return ApiError.Validation($"'contact_ids' must list 1 to {max} contact ids");
        foreach (var id in given)
            if (!Guid.TryParse(id, out var guid) || !ids.Add(guid))
                return ApiError.Validation($"'contact_ids' must hold distinct contact ids (UUIDs); {JsonSerializer.Serialize(id)} is not one");
        return null;
    }

    /// <summary>The contact filters of <c>filters</c>, as <c>GET /v1/contacts</c> takes them.</summary>
    public ApiError? ValidFilters(out ContactFilter filter)
    {
        filter = ContactFilter.Parse(Filters!, out var error);
        return error is null ? null : ApiError.Validation(error);
    }
}
