using System.Text.Json;

namespace Tributary.Core.Contacts;

/// <summary>
/// The contact fields a caller supplied, in one shape for JSON bodies, CSV rows and JSONL lines.
/// A key present with a null value means "clear" (PATCH); an absent key means "leave as is".
/// </summary>
public sealed class ContactInput
{
    public Dictionary<string, string?> Values { get; } = new(StringComparer.Ordinal);
    public List<string>? Tags { get; set; }
    public bool TagsGiven { get; set; }
    public Dictionary<string, JsonElement>? Custom { get; set; }
    public bool CustomGiven { get; set; }

    public string? this[string field] => Values.GetValueOrDefault(field);

    public bool IsEmpty => Values.Values.All(string.IsNullOrWhiteSpace) && (Tags is null || Tags.Count == 0)
                           && (Custom is null || Custom.Count == 0);

    /// <summary>
    /// Reads a JSON object; wrong types are errors. Unknown properties are ignored, and listed in <paramref name="ignored"/>
    /// when given; <paramref name="rename"/> reads a property's name as a field's (an import's header aliases).
    /// </summary>
    public static ContactInput FromJson(JsonElement obj, out List<string> errors, Func<string, string>? rename = null,
        ISet<string>? ignored = null)
    {
        errors = [];
        var input = new ContactInput();
        if (obj.ValueKind != JsonValueKind.Object)
        {
            errors.Add("a contact must be a JSON object");
            return input;
        }
        foreach (var p in obj.EnumerateObject())
        {
            var name = rename?.Invoke(p.Name) ?? p.Name.ToLowerInvariant();
            if (ContactFields.Scalars.Contains(name))
            {
                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.String: input.Values[name] = p.Value.GetString(); break;
                    case JsonValueKind.Null: input.Values[name] = null; break;
                    default: errors.Add($"'{p.Name}' must be a string or null"); break;
                }
            }
            else if (name == "tags")
            {
                input.TagsGiven = true;
                if (p.Value.ValueKind == JsonValueKind.Null) input.Tags = [];
                else if (p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String))
                    input.Tags = p.Value.EnumerateArray().Select(t => t.GetString()!).ToList();
                else errors.Add("'tags' must be an array of strings");
            }
            else if (name == "custom")
            {
                input.CustomGiven = true;
                if (p.Value.ValueKind == JsonValueKind.Null) input.Custom = [];
                else if (p.Value.ValueKind == JsonValueKind.Object)
                    input.Custom = p.Value.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.Clone());
                else errors.Add("'custom' must be an object");
            }
            else ignored?.Add(p.Name);
        }
        errors.AddRange(ContactFields.Validate(input));
        return input;
    }
}
