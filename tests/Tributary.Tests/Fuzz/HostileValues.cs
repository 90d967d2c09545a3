using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Fuzz;

/// <summary>A string or number field of a request body, as a path from the body (<c>[0]</c> is an array's first item).</summary>
public sealed record BodyField(IReadOnlyList<string> Path, bool IsString, bool IsNumber)
{
    public string Name => string.Join('.', Path).Replace(".[", "[", StringComparison.Ordinal);

    /// <summary>
    /// The string and number fields of a route's JSON body: those its schema describes (a field the schema leaves untyped
    /// counts as both) and the leaves of its documented example, for the bodies whose schema is only "an object".
    /// </summary>
    public static List<BodyField> Of(OpenApiSchemas schemas, JsonElement media, JsonNode? example)
    {
        var found = new Dictionary<string, BodyField>();
        void Add(List<string> path, bool isString, bool isNumber)
        {
            if (path.Count == 0) return;
            var field = new BodyField(path.ToList(), isString, isNumber);
            found[field.Name] = found.TryGetValue(field.Name, out var known)
                ? known with { IsString = known.IsString || isString, IsNumber = known.IsNumber || isNumber }
                : field;
        }
        void FromSchema(JsonElement schema, List<string> path, int depth)
        {
            schema = schemas.Resolve(schema);
            if (depth > 6 || schema.ValueKind != JsonValueKind.Object) return;
            foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
                if (schema.TryGetProperty(keyword, out var parts))
                    foreach (var part in parts.EnumerateArray()) FromSchema(part, path, depth + 1);
            var types = !schema.TryGetProperty("type", out var type) ? []
                : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToHashSet() : [type.GetString()!];
            if (schema.TryGetProperty("properties", out var properties))
                foreach (var property in properties.EnumerateObject()) FromSchema(property.Value, [.. path, property.Name], depth + 1);
            if (schema.TryGetProperty("items", out var items)) FromSchema(items, [.. path, "[0]"], depth + 1);
            var untyped = types.Count == 0 && !schema.TryGetProperty("properties", out _) && !schema.TryGetProperty("oneOf", out _)
                          && !schema.TryGetProperty("anyOf", out _) && !schema.TryGetProperty("allOf", out _);
            Add(path, untyped || types.Contains("string"), untyped || types.Contains("integer") || types.Contains("number"));
        }
        void FromExample(JsonNode? node, List<string> path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, value) in o) FromExample(value, [.. path, name]);
                    break;
                case JsonArray a when a.Count > 0:
                    FromExample(a[0], [.. path, "[0]"]);
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    Add(path, isString: true, isNumber: false);
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                    Add(path, isString: false, isNumber: true);
                    break;
            }
        }
        if (media.TryGetProperty("schema", out var root)) FromSchema(root, [], 0);
        FromExample(example, []);
        return found.Values.Where(f => f.IsString || f.IsNumber).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// <paramref name="body"/> as UTF-8 JSON with this field set to <paramref name="token"/>, bytes written as they are
    /// (the field and the objects and arrays on its way made where the body lacks them), so that a value can be what no
    /// serializer writes: a lone surrogate escape, invalid UTF-8, <c>-0</c>.
    /// </summary>
    public byte[] Set(JsonNode? body, byte[] token)
    {
        const string placeholder = "fuzz-value-9d3c1";
        var root = body?.DeepClone() as JsonObject ?? new JsonObject();
        JsonNode container = root;
        for (var i = 0; i < Path.Count - 1; i++)
        {
            var wantArray = Path[i + 1] == "[0]";
            var child = Get(container, Path[i]);
            if (child is not (JsonObject or JsonArray) || child is JsonArray != wantArray)
                Put(container, Path[i], child = wantArray ? new JsonArray() : new JsonObject());
            container = child;
        }
        Put(container, Path[^1], JsonValue.Create(placeholder));
        var json = Encoding.UTF8.GetBytes(root.ToJsonString());
        var marker = Encoding.UTF8.GetBytes($"\"{placeholder}\"");
        var at = json.AsSpan().IndexOf(marker);
        return [.. json.AsSpan(0, at), .. token, .. json.AsSpan(at + marker.Length)];
    }

    private static JsonNode? Get(JsonNode container, string segment) =>
        container is JsonArray array ? array.Count > 0 ? array[0] : null : ((JsonObject)container)[segment];

    private static void Put(JsonNode container, string segment, JsonNode? value)
    {
        if (container is not JsonArray array) ((JsonObject)container)[segment] = value;
        else if (array.Count == 0) array.Add(value);
        else array[0] = value;
    }
}

/// <summary>
/// DESIGN §9's hostile values, as the raw bytes of a JSON value. <see cref="Hostile.Refused"/> is the status §9 demands
/// for the class wherever it appears (0: any answer but a 5xx).
/// </summary>
public sealed record Hostile(string Name, byte[] Token, int Refused = 0)
{
    private static Hostile Text(string name, string json, int refused = 400) => new(name, Encoding.UTF8.GetBytes(json), refused);

    public static readonly Hostile[] Strings =
    [
        Text("a NUL", "\"a\\u0000b\""),
        Text("a lone high surrogate escape", "\"a\\ud800b\""),
        Text("a lone low surrogate escape", "\"\\udc00\""),
        // U+D800 written as UTF-8 would write it were it a character: a raw lone surrogate, which is invalid UTF-8.
        new("a raw lone surrogate", [(byte)'"', (byte)'a', 0xED, 0xA0, 0x80, (byte)'"'], 400),
        new("invalid UTF-8 bytes", [(byte)'"', 0xFF, 0xFE, (byte)'x', 0xC3, (byte)'"'], 400),
        new("an overlong UTF-8 slash", [(byte)'"', 0xC0, 0xAF, (byte)'"'], 400),
        Text("4,097 characters", $"\"{new string('x', 4097)}\""),
        // Within the 1 MiB JSON body limit, so it reaches the value checks rather than a 413.
        Text("a 1 MB value", $"\"{new string('a', 1_000_000)}\""),
        Text("a 1 MB email", $"\"{new string('a', 1_000_000)}@b.io\""),
    ];

    public static readonly Hostile[] Numbers =
    [
        Text("2^53+1", "9007199254740993", 0),
        Text("1e400", "1e400", 0),
        Text("-1e400", "-1e400", 0),
        Text("-0", "-0"),
        Text("-0.0", "-0.0"),
        Text("\"NaN\"", "\"NaN\"", 0),
        Text("\"Infinity\"", "\"Infinity\"", 0),
        Text("\"-Infinity\"", "\"-Infinity\"", 0),
        Text("a 400-digit integer", new string('9', 400), 0),
    ];

    /// <summary>Content types for a JSON body, with the status §9 demands (415 for a charset other than UTF-8).</summary>
    public static readonly (string ContentType, Func<string, byte[]> Encode, int Refused)[] ContentTypes =
    [
        ("application/json; charset=bogus", Encoding.UTF8.GetBytes, 415),
        ("application/json; charset=latin1", Encoding.Latin1.GetBytes, 415),
        ("application/json; charset=iso-8859-1", Encoding.Latin1.GetBytes, 415),
        ("application/json; charset=UTF-16", Encoding.Unicode.GetBytes, 415),
        ("application/json; charset=\"utf-8\"", Encoding.UTF8.GetBytes, 0),
        ("application/json; charset=UTF-8", Encoding.UTF8.GetBytes, 0),
        ("application/json; charset=utf8", Encoding.UTF8.GetBytes, 0),
        ("application/json; charset=\"bogus\"", Encoding.UTF8.GetBytes, 415),
        ("text/plain", Encoding.UTF8.GetBytes, 0),
        ("application/x-www-form-urlencoded", Encoding.UTF8.GetBytes, 0),
        ("application/merge-patch+json", Encoding.UTF8.GetBytes, 0),
        ("", Encoding.UTF8.GetBytes, 0),
    ];
}
