using System.Globalization;
using Tributary.Core.Common;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

/// <summary>Paging parameters of native list routes; every other query parameter is a filter.</summary>
public static class ListQuery
{
    private static readonly string[] PagingNames = ["page", "per_page", "cursor"];

    public static ApiError? TryParse(IQueryCollection query, out PageRequest page, out List<KeyValuePair<string, string?>> filters)
    {
        page = new PageRequest();
        filters = query.Where(q => !PagingNames.Contains(q.Key))
            .Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.ToString())).ToList();
        var number = 1;
        var perPage = 25;
        if (query.TryGetValue("page", out var p) && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1))
            return ApiError.Validation("'page' must be a whole number of at least 1");
        if (query.TryGetValue("per_page", out var pp)
            && (!int.TryParse(pp, NumberStyles.None, CultureInfo.InvariantCulture, out perPage) || perPage < 1 || perPage > PageRequest.MaxPerPage))
            return ApiError.Validation($"'per_page' must be a whole number from 1 to {PageRequest.MaxPerPage}");
        string? cursor = null;
        if (query.TryGetValue("cursor", out var c) && c.ToString().Length > 0)
        {
            cursor = c.ToString();
            if (!Cursor.TryDecode(cursor, out _)) return ApiError.Validation("'cursor' is not a cursor this API returned");
        }
        page = new PageRequest(number, perPage, cursor);
        return null;
    }
}

public static class Ids
{
    /// <summary>Native paths take UUIDs; anything else is a 400 in the error body, not a routing 404.</summary>
    public static ApiError? TryParse(string raw, string what, out Guid id) =>
        Guid.TryParse(raw, out id) ? null : ApiError.Validation($"'{raw}' is not a valid {what} id (a UUID is expected)");
}

/// <summary><c>map=field=Column,field=Column</c>: which column of an upload holds which field.</summary>
public static class MapQuery
{
    public static ApiError? TryParse(string? raw, IReadOnlyList<string> fields, out Dictionary<string, string>? mapping)
    {
        mapping = null;
        if (string.IsNullOrWhiteSpace(raw)) return null;
        mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "field=" with no column: the field is read from no column, not even one carrying its name.
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0)
                return ApiError.Validation($"'map' has '{pair}', which is not field=Column");
            if (!fields.Contains(parts[0])) return ApiError.Validation($"'map' names the field '{parts[0]}', which is not one of {string.Join(", ", fields)}");
            if (!mapping.TryAdd(parts[0], parts[1])) return ApiError.Validation($"'map' names the field '{parts[0]}' twice");
        }
        return null;
    }
}
