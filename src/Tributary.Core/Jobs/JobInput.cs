using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Tributary.Core.Contacts;
using Tributary.Core.Enrichment;

namespace Tributary.Core.Jobs;

/// <summary>
/// Turns input records (CSV rows, JSONL lines, JSON objects) into job items: columns are recognised by their names
/// (and common aliases), or by an explicit mapping of input name → column.
/// </summary>
public static class JobInput
{
    public static readonly IReadOnlyList<string> InputNames =
    [
        "email", "linkedin_url", "first_name", "last_name", "full_name", "company_domain", "company_name", "domain",
        "x_handle", "github_username", "phone", "job_title", "location", "personal_email",
    ];

    /// <summary>The input name a column stands for, or null.</summary>
    public static string? InputNameOf(string column, IReadOnlyDictionary<string, string>? mapping) =>
        ColumnNames.FieldOf(column, mapping) is { } name && InputNames.Contains(name) ? name : null;

    public static NewItem FromCells(IReadOnlyList<string> header, IReadOnlyList<string> cells, IReadOnlyDictionary<string, string>? mapping)
    {
        var known = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            raw[header[i]] = cell;
            if (InputNameOf(header[i], mapping) is { } input && !string.IsNullOrWhiteSpace(cell))
                known[input] = JsonSerializer.SerializeToElement(cell.Trim());
        }
        KnownValues.CompleteNames(known);
        return new NewItem(known, JsonSerializer.Serialize(raw));
    }

    public static NewItem FromJson(JsonElement record, IReadOnlyDictionary<string, string>? mapping)
    {
        var known = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (record.ValueKind == JsonValueKind.Object)
            foreach (var p in record.EnumerateObject())
                if (InputNameOf(p.Name, mapping) is { } input && p.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(p.Value.GetString()))
                    known[input] = JsonSerializer.SerializeToElement(p.Value.GetString()!.Trim());
        KnownValues.CompleteNames(known);
        return new NewItem(known, record.GetRawText());
    }

    /// <param name="encoding">The body's declared encoding (<see cref="Common.TextEncodings"/>); null reads UTF-8, or what a byte order mark says.</param>
    public static async IAsyncEnumerable<NewItem> ReadCsvAsync(Stream body, IReadOnlyDictionary<string, string>? mapping,
        [EnumeratorCancellation] CancellationToken ct, Encoding? encoding = null)
    {
        // The separator (, ; tab or |) is detected from the first lines, as spreadsheet exports use all of them.
        await using var csv = CsvReader.Create(body, new CsvReaderOptions { HasHeader = true, SkipEmptyLines = true, Encoding = encoding }, leaveOpen: true);
        await csv.ReadHeaderAsync(ct);
        var header = csv.Headers.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
        // A map naming a column the file lacks would make a job that "succeeds" having found nothing.
        if (ColumnNames.MissingColumn(mapping, header) is { } missing)
            throw new Contacts.ImportRejectedException($"map names the column '{missing.Column}' for {missing.Field}, which the CSV header lacks");
        if (!header.Any(h => InputNameOf(h, mapping) is not null))
            throw new Contacts.ImportRejectedException("the CSV header names no known input column (email, linkedin_url, first_name, last_name, company_domain, …); map yours with map=email=YourColumn");
        while (await csv.ReadAsync(ct))
        {
            var cells = new string[csv.FieldCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = csv.GetString(i);
            yield return FromCells(header, cells, mapping);
        }
    }

    public static async IAsyncEnumerable<NewItem> ReadJsonlAsync(Stream body, IReadOnlyDictionary<string, string>? mapping,
        [EnumeratorCancellation] CancellationToken ct, Encoding? encoding = null)
    {
        using var reader = new StreamReader(body, encoding ?? Encoding.UTF8, leaveOpen: true);
        var line = 0;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonElement record;
            try { record = JsonDocument.Parse(text).RootElement.Clone(); }
            catch (JsonException) { throw new Contacts.ImportRejectedException($"line {line} is not valid JSON"); }
            yield return FromJson(record, mapping);
        }
    }
}
