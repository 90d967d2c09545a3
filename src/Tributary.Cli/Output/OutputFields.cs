using System.Globalization;
using System.Text.Json;

namespace Tributary.Cli.Output;

/// <summary>
/// Results are printed as one <c>name: value</c> line per field so scripts can read them;
/// lists are comma-separated and a JSON null prints as <c>null</c>.
/// </summary>
internal static class OutputFields
{
    public static void WriteField(this TextWriter writer, string name, string? value) =>
        writer.WriteLine($"{name}: {(value is null ? "null" : ToSingleLine(value))}");

    public static void WriteField(this TextWriter writer, string name, long value) =>
        writer.WriteField(name, value.ToString(CultureInfo.InvariantCulture));

    public static void WriteField(this TextWriter writer, string name, IEnumerable<string>? values) =>
        writer.WriteField(name, values is null ? null : string.Join(',', values));

    public static void WriteField(this TextWriter writer, string name, JsonElement? value) =>
        writer.WriteField(name, value is { } element ? Format(element) : null);

    public static void WriteFields(this TextWriter writer, JsonElement jsonObject)
    {
        if (jsonObject.ValueKind != JsonValueKind.Object)
        {
            writer.WriteLine(Format(jsonObject));
            return;
        }

        foreach (var property in jsonObject.EnumerateObject())
        {
            writer.WriteField(property.Name, property.Value);
        }
    }

    /// <summary>A list: a header line of column names, then one tab-separated line per row (nulls as <c>null</c>).</summary>
    public static void WriteTable(this TextWriter writer, IReadOnlyList<string> columns, IEnumerable<JsonElement> rows)
    {
        writer.WriteLine(string.Join('\t', columns));
        foreach (var row in rows)
            writer.WriteLine(string.Join('\t', columns.Select(c => row.TryGetProperty(c, out var v) && Format(v) is { } text ? ToSingleLine(text) : "null")));
    }

    public static string ToSingleLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? Format(JsonElement element) =>
        element.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => element.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.Array when element.EnumerateArray().All(IsScalar) =>
                string.Join(',', element.EnumerateArray().Select(Format)),
            _ => element.GetRawText(),
        };

    private static bool IsScalar(JsonElement element) =>
        element.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
}
