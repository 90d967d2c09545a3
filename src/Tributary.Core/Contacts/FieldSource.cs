using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Core.Contacts;

/// <summary>Provenance of one stored field value.</summary>
public sealed record FieldSource(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("enriched_at")] DateTime? EnrichedAt,
    [property: JsonPropertyName("verified")] bool? Verified)
{
    public const string UserSource = "user";
    public static readonly FieldSource User = new(UserSource, 1, null, null);

    [JsonIgnore]
    public bool IsUser => Source == UserSource;

    public static Dictionary<string, FieldSource> ReadAll(string json) =>
        json == "{}" ? [] : JsonSerializer.Deserialize(json, Common.CoreJson.Default.DictionaryStringFieldSource) ?? [];

    private static readonly string UserJson = JsonSerializer.Serialize(User);

    /// <summary>
    /// The sources as a JSON object. Values a user entered (every field of an imported contact) are written from one
    /// serialized <see cref="User"/>: the serializer's own run took a tenth of a SQLite import's CPU (perf).
    /// </summary>
    public static string WriteAll(Dictionary<string, FieldSource> sources)
    {
        if (sources.Count == 0) return "{}";
        foreach (var source in sources.Values)
            if (source != User) return JsonSerializer.Serialize(sources, Common.CoreJson.Default.DictionaryStringFieldSource);
        var json = new System.Text.StringBuilder(sources.Count * (UserJson.Length + 20)).Append('{');
        foreach (var field in sources.Keys)
        {
            if (json.Length > 1) json.Append(',');
            json.Append('"').Append(JsonEncodedText.Encode(field).Value).Append("\":").Append(UserJson);
        }
        return json.Append('}').ToString();
    }
}
