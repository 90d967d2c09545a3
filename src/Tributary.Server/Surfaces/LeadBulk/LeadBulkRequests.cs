using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Contacts;
using Tributary.Server.Errors;

namespace Tributary.Server.Surfaces.LeadBulk;

/// <summary>
/// The bodies of seed 002's POST routes, bound once at the edge. A value of the wrong type is refused by binding
/// (naming the field); <c>Validate</c> adds the surface's own rules and answers in its words. Numbers must be JSON
/// numbers, as the vendor documents them.
/// </summary>
public static class LeadBulkRequests
{
    public const string Fields = "emails or phones";

    public static bool IsField(string? field) => field is "emails" or "phones";

    /// <summary>The field asked for: <c>field</c>, or <c>type</c> as some clients spell it.</summary>
    internal static ApiError? Field(string? field, string? type, out string chosen)
    {
        chosen = field ?? type ?? "";
        return IsField(chosen) ? null : ApiError.Validation($"field must be {Fields}", [new("field", $"must be {Fields}")]);
    }

    internal static ApiError? Ids(List<string>? given, string name, int min, int max, out List<Guid> ids)
    {
        ids = [];
        if (given is null || given.Count < min || given.Count > max)
            return ApiError.Validation($"{name} must be an array of {min} to {max} ids", [new(name, $"must hold {min} to {max} ids")]);
        foreach (var value in given)
        {
            if (!Guid.TryParse(value, out var id)) return ApiError.Validation($"{name} holds a value that is not a UUID: {value}", [new(name, "must hold UUIDs")]);
            ids.Add(id);
        }
        return null;
    }
}

/// <summary><c>POST /api/v1/operations/enrichment/bulk</c>: leads chosen by id (<c>manual</c>) or by a search (<c>bulk</c>).</summary>
public sealed record LeadBulkRequest(
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("selection")] LeadSelection? Selection)
{
    public ApiError? Validate(out string field, out LeadSelection selection)
    {
        selection = Selection!;
        if (LeadBulkRequests.Field(Field, Type, out field) is { } error) return error;
        if (Selection is null) return ApiError.Validation("selection is required", [new("selection", "is required")]);
        return Selection.Mode is "manual" or "bulk" ? null
            : ApiError.Validation("selection.mode must be manual or bulk", [new("selection.mode", "must be manual or bulk")]);
    }
}

[JsonNumberHandling(JsonNumberHandling.Strict)]
public sealed record LeadSelection(
    [property: JsonPropertyName("mode")] string? Mode,
    [property: JsonPropertyName("includedIds")] List<string>? IncludedIds,
    [property: JsonPropertyName("excludedIds")] List<string>? ExcludedIds,
    [property: JsonPropertyName("filters")] Dictionary<string, JsonElement>? Filters,
    [property: JsonPropertyName("startIndex")] int? StartIndex,
    [property: JsonPropertyName("targetCount")] int? TargetCount)
{
    public ApiError? Manual(out List<Guid> ids) => LeadBulkRequests.Ids(IncludedIds, "includedIds", 1, LeadBulkEndpoints.MaxSelection, out ids);

    /// <summary>The search of bulk mode: its filter (the native contact filters), the page of it, and the leads left out.</summary>
    public ApiError? Search(out ContactFilter filter, out int start, out int target, out List<Guid> excluded)
    {
        filter = null!;
        start = StartIndex ?? 0;
        target = TargetCount ?? 100;
        excluded = [];
        if (Filters is null) return ApiError.Validation("filters is required in bulk mode", [new("selection.filters", "is required")]);
        filter = ContactFilter.Parse(Filters, out var filterError);
        if (filterError is not null) return ApiError.Validation(filterError, [new("selection.filters", filterError)]);
        if (start < 0) return ApiError.Validation("startIndex must be a whole number ≥ 0", [new("selection.startIndex", "invalid")]);
        if (target is < 1 or > LeadBulkEndpoints.MaxSelection)
            return ApiError.Validation($"targetCount must be from 1 to {LeadBulkEndpoints.MaxSelection}", [new("selection.targetCount", "invalid")]);
        return ExcludedIds is null ? null : LeadBulkRequests.Ids(ExcludedIds, "excludedIds", 0, int.MaxValue, out excluded);
    }
}

/// <summary><c>POST /api/v1/operations/enrichment/batch</c>: up to 100 leads by id.</summary>
public sealed record LeadBatchRequest(
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("personIds")] List<string>? PersonIds)
{
    public ApiError? Validate(out string field, out List<Guid> ids)
    {
        ids = [];
        return LeadBulkRequests.Field(Field, Type, out field)
               ?? LeadBulkRequests.Ids(PersonIds, "personIds", 1, LeadBulkEndpoints.MaxBatch, out ids);
    }
}

/// <summary><c>POST /api/v1/operations/enrichment/batch/query</c>: the records of up to 200 (lead, field) pairs.</summary>
public sealed record LeadQueryRequest([property: JsonPropertyName("tasks")] List<RecordTask?>? Tasks)
{
    public ApiError? Validate(out List<(Guid Lead, string Field)> keys)
    {
        keys = [];
        if (Tasks is null || Tasks.Count > LeadBulkEndpoints.MaxQuery)
            return ApiError.Validation($"tasks must be an array of at most {LeadBulkEndpoints.MaxQuery} tasks");
        foreach (var task in Tasks)
        {
            if (task is null || !Guid.TryParse(task.EntityId, out var entity) || !LeadBulkRequests.IsField(task.Field))
                return ApiError.Validation($"each task needs an entityId (UUID) and a field ({LeadBulkRequests.Fields})");
            keys.Add((entity, task.Field!));
        }
        return null;
    }
}

public sealed record RecordTask([property: JsonPropertyName("entityId")] string? EntityId, [property: JsonPropertyName("field")] string? Field);
