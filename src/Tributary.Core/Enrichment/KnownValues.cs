using System.Text.Json;
using Tributary.Core.Contacts;

namespace Tributary.Core.Enrichment;

public static class KnownValues
{
    /// <summary>Everything a stored contact already knows, as waterfall inputs.</summary>
    public static Dictionary<string, JsonElement> Of(Contact c)
    {
        var known = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in ContactFields.Scalars)
            if (ContactFields.Get(c, field) is { Length: > 0 } value)
                known[field] = JsonSerializer.SerializeToElement(value);
        return known;
    }

    /// <summary>First and last name from a full name, when the caller gave only that.</summary>
    public static void CompleteNames(Dictionary<string, JsonElement> known)
    {
        if (!known.ContainsKey("first_name") && !known.ContainsKey("last_name") && known.TryGetValue("full_name", out var full)
            && full.ValueKind == JsonValueKind.String
            && full.GetString()!.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries) is [var first, var last])
        {
            known["first_name"] = JsonSerializer.SerializeToElement(first);
            known["last_name"] = JsonSerializer.SerializeToElement(last.Trim());
        }
    }
}
