using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Core.Providers.Dataset;

/// <summary>
/// Applies seed 001's <c>signals_config</c> to a stored signals object: only events within <c>since_days</c> (of the
/// newest event's reference, today) and, when <c>intent_signals</c> is given, only those kinds.
/// </summary>
public static class SignalsFilter
{
    public static JsonElement Apply(JsonElement signals, JsonElement? config, DateTime? today = null)
    {
        if (signals.ValueKind != JsonValueKind.Object || config is not { ValueKind: JsonValueKind.Object } cfg) return signals;
        var since = cfg.TryGetProperty("since_days", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : 90;
        var cutoff = (today ?? DateTime.UtcNow).Date.AddDays(-since);
        HashSet<string>? kinds = null;
        if (cfg.TryGetProperty("intent_signals", out var intents) && intents.ValueKind == JsonValueKind.Array && intents.GetArrayLength() > 0)
            kinds = intents.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToHashSet();
        var result = new JsonObject();
        foreach (var kind in signals.EnumerateObject())
        {
            if (kinds is not null && !kinds.Contains(kind.Name)) continue;
            if (kind.Value.ValueKind != JsonValueKind.Array)
            {
                result[kind.Name] = JsonNode.Parse(kind.Value.GetRawText());
                continue;
            }
            var kept = new JsonArray();
            foreach (var e in kind.Value.EnumerateArray())
                if (EventDate(e) is not { } date || date >= cutoff) kept.Add(JsonNode.Parse(e.GetRawText()));
            result[kind.Name] = kept;
        }
        return JsonSerializer.SerializeToElement(result);
    }

    private static DateTime? EventDate(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in e.EnumerateObject())
            if (p.Name.EndsWith("_at", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.String
                && DateTime.TryParse(p.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
                return date;
        return null;
    }
}
