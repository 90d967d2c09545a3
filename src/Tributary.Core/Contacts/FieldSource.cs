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
        JsonSerializer.Deserialize(json, Common.CoreJson.Default.DictionaryStringFieldSource) ?? [];

    public static string WriteAll(Dictionary<string, FieldSource> sources) => JsonSerializer.Serialize(sources, Common.CoreJson.Default.DictionaryStringFieldSource);
}
