using System.Globalization;
using System.Text.Json;

namespace Tributary.Core.Providers.Vendors;

/// <summary>A vendor's answer, read whole: its status, its JSON (Undefined when the body is not JSON) and its Retry-After.</summary>
public sealed record VendorReply(int Status, JsonElement Json, TimeSpan? RetryAfter)
{
    /// <summary>A body that is not JSON, as text (at most 500 characters): some vendors answer errors in plain text (Reacher's 400s).</summary>
    public string? Text { get; init; }

    public bool IsObject => Json.ValueKind == JsonValueKind.Object;

    public JsonElement? Get(params string[] path) => VendorJson.Get(Json, path);

    public string? Str(params string[] path) => VendorJson.Str(Json, path);

    /// <summary>What the vendor says went wrong, from the error fields vendors use (error, message, detail, reason, errors[0]).</summary>
    public string Message()
    {
        foreach (var path in new[] { new[] { "error", "message" }, ["error_code"], ["error"], ["message"], ["detail"], ["title"], ["reason"] })
            if (Str(path) is { Length: > 0 } text) return text;
        if (Get("errors") is { ValueKind: JsonValueKind.Array } errors && errors.GetArrayLength() > 0)
        {
            var first = errors[0];
            return VendorJson.Str(first, "details") ?? VendorJson.Str(first, "code") ?? VendorJson.Str(first, "id") ?? first.ToString();
        }
        return Json.ValueKind == JsonValueKind.Undefined && !string.IsNullOrWhiteSpace(Text) ? Text.Trim() : "";
    }

    /// <summary>"HTTP 500: message" (or just the status) for a trace.</summary>
    public string Describe() => Message() is { Length: > 0 } m ? $"HTTP {Status}: {Trim(m)}" : $"HTTP {Status}";

    private static string Trim(string s) => s.Length > 200 ? s[..200] + "…" : s;
}

public static class VendorJson
{
    public static JsonElement? Get(JsonElement root, params string[] path)
    {
        var current = root;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out var next)) return null;
            current = next;
        }
        return current.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : current;
    }

    /// <summary>A string value; a number is given as its text; anything else (a boolean among them) is no string.</summary>
    public static string? Str(JsonElement root, params string[] path) => Get(root, path) switch
    {
        { ValueKind: JsonValueKind.String } s when !string.IsNullOrWhiteSpace(s.GetString()) => s.GetString()!.Trim(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    public static double? Num(JsonElement root, params string[] path) => Get(root, path) switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
        { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public static bool? Bool(JsonElement root, params string[] path) => Get(root, path) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };
}
