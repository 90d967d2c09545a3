using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tributary.Tests.Infrastructure;

/// <summary>
/// The schemas of the server's own OpenAPI document, read as a client generator would: a route's documented response
/// for a status (the status itself, else <c>4XX</c>/<c>5XX</c>, else <c>default</c>), its <c>$ref</c>s followed.
/// </summary>
public sealed class OpenApiSchemas(JsonElement document)
{
    public JsonElement Paths => document.GetProperty("paths");

    public static async Task<OpenApiSchemas> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/openapi/v1.json");
        return new OpenApiSchemas(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>The JSON schema documented for <paramref name="status"/> of a route, or why there is none.</summary>
    public (JsonElement Schema, string? Missing) ResponseSchema(string template, string method, int status)
    {
        if (!Paths.TryGetProperty(template, out var path) || !path.TryGetProperty(method.ToLowerInvariant(), out var operation))
            return (default, $"{method} {template} is not in the document");
        var responses = operation.GetProperty("responses");
        var key = new[] { status.ToString(CultureInfo.InvariantCulture), $"{status / 100}XX", "default" }
            .FirstOrDefault(k => responses.TryGetProperty(k, out _));
        if (key is null) return (default, $"{method} {template} documents no response for {status}, no {status / 100}XX and no default");
        var response = Resolve(responses.GetProperty(key));
        if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var media)
                                                                 || !media.TryGetProperty("schema", out var schema))
            return (default, $"{method} {template} documents no JSON body for {key}");
        return (schema, null);
    }

    /// <summary>What in <paramref name="value"/> breaks <paramref name="schema"/>; empty when it conforms.</summary>
    public List<string> Validate(JsonElement schema, JsonElement value)
    {
        var problems = new List<string>();
        Check(schema, value, "$", problems);
        return problems;
    }

    /// <summary>Follows a local <c>$ref</c> (<c>#/components/…</c>) to what it names.</summary>
    public JsonElement Resolve(JsonElement node)
    {
        for (var hops = 0; node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference); hops++)
        {
            if (hops > 32) throw new InvalidOperationException("a cycle of $refs");
            var pointer = reference.GetString()!;
            if (!pointer.StartsWith("#/", StringComparison.Ordinal)) throw new NotSupportedException($"$ref {pointer} is not local");
            node = document;
            foreach (var part in pointer[2..].Split('/'))
                node = node.GetProperty(part.Replace("~1", "/").Replace("~0", "~"));
        }
        return node;
    }

    // Keywords that say nothing about validity here.
    private static readonly HashSet<string> Annotations =
        ["$ref", "description", "title", "format", "example", "examples", "default", "deprecated", "readOnly", "writeOnly", "externalDocs"];

    // The subset of JSON Schema 2020-12 the document uses; any other keyword stops the check rather than passing unseen.
    private static readonly HashSet<string> Supported =
    [
        "type", "properties", "required", "items", "additionalProperties", "enum", "const", "oneOf", "anyOf", "allOf",
        "pattern", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
    ];

    private void Check(JsonElement schema, JsonElement value, string at, List<string> problems)
    {
        schema = Resolve(schema);
        if (schema.ValueKind == JsonValueKind.True) return;
        if (schema.ValueKind == JsonValueKind.False)
        {
            problems.Add($"{at}: no value is allowed");
            return;
        }
        foreach (var keyword in schema.EnumerateObject())
            if (!Supported.Contains(keyword.Name) && !Annotations.Contains(keyword.Name))
                throw new NotSupportedException($"schema keyword '{keyword.Name}' at {at} is not checked by this validator");

        if (schema.TryGetProperty("type", out var type) && !Types(type).Any(t => IsOfType(value, t)))
        {
            problems.Add($"{at}: {Describe(value)} is not of type {type.GetRawText()}");
            return;
        }
        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
            problems.Add($"{at}: {Describe(value)} is not one of {allowed.GetRawText()}");
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
            problems.Add($"{at}: {Describe(value)} is not {constant.GetRawText()}");
        if (schema.TryGetProperty("allOf", out var all))
            foreach (var part in all.EnumerateArray()) Check(part, value, at, problems);
        if (schema.TryGetProperty("anyOf", out var any) && !any.EnumerateArray().Any(part => Validate(part, value).Count == 0))
            problems.Add($"{at}: {Describe(value)} matches none of anyOf");
        if (schema.TryGetProperty("oneOf", out var one) && one.EnumerateArray().Count(part => Validate(part, value).Count == 0) != 1)
            problems.Add($"{at}: {Describe(value)} does not match exactly one of oneOf");

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (schema.TryGetProperty("required", out var required))
                    foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                        if (!value.TryGetProperty(name, out _)) problems.Add($"{at}: required property '{name}' is missing");
                var properties = schema.TryGetProperty("properties", out var p) ? p : default;
                foreach (var property in value.EnumerateObject())
                {
                    if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                        Check(propertySchema, property.Value, $"{at}.{property.Name}", problems);
                    else if (schema.TryGetProperty("additionalProperties", out var additional))
                        Check(additional, property.Value, $"{at}.{property.Name}", problems);
                }
                break;
            case JsonValueKind.Array:
                if (schema.TryGetProperty("items", out var items))
                {
                    var i = 0;
                    foreach (var item in value.EnumerateArray()) Check(items, item, $"{at}[{i++}]", problems);
                }
                if (schema.TryGetProperty("minItems", out var minItems) && value.GetArrayLength() < minItems.GetInt32())
                    problems.Add($"{at}: fewer than {minItems} items");
                if (schema.TryGetProperty("maxItems", out var maxItems) && value.GetArrayLength() > maxItems.GetInt32())
                    problems.Add($"{at}: more than {maxItems} items");
                break;
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
                    problems.Add($"{at}: \"{Short(text)}\" does not match {pattern.GetString()}");
                if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
                    problems.Add($"{at}: shorter than {minLength}");
                if (schema.TryGetProperty("maxLength", out var maxLength) && text.Length > maxLength.GetInt32())
                    problems.Add($"{at}: longer than {maxLength}");
                break;
            case JsonValueKind.Number:
                if (schema.TryGetProperty("minimum", out var minimum) && value.GetDouble() < minimum.GetDouble())
                    problems.Add($"{at}: {value} is below {minimum}");
                if (schema.TryGetProperty("maximum", out var maximum) && value.GetDouble() > maximum.GetDouble())
                    problems.Add($"{at}: {value} is above {maximum}");
                break;
        }
    }

    private static IEnumerable<string> Types(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!) : [type.GetString()!];

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d),
        _ => throw new NotSupportedException($"JSON Schema type '{type}'"),
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"\"{Short(value.GetString()!)}\"",
        _ => value.GetRawText(),
    };

    private static string Short(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
