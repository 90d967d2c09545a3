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
}
