using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Tributary.Cli.Api;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>--map field=Column,…</c> (DESIGN §13): a field the server does not know, or a column the file lacks, is a usage
/// error before anything is sent, instead of a job that "succeeds" having found nothing.
/// </summary>
internal static class ColumnMappingOption
{
    public static Option<IReadOnlyList<ColumnMapping>> Create(string description, IReadOnlyList<string> fields)
    {
        var option = new Option<IReadOnlyList<ColumnMapping>>("--map")
        {
            Description = description,
            HelpName = "field=Column,…",
            CustomParser = result => Parse(result, fields),
        };
        return option;
    }

    /// <summary>Adds the check that every mapped column is in the header of <paramref name="input"/> (a CSV file).</summary>
    public static void ValidateAgainstHeader(this Command command, Argument<FileInfo> input, Option<IReadOnlyList<ColumnMapping>> map)
    {
        command.Validators.Add(result =>
        {
            IReadOnlyList<ColumnMapping>? mappings;
            try { mappings = result.GetValue(map); }
            catch (InvalidOperationException) { return; } // a map that did not parse has its own error already
            if (mappings is not { Count: > 0 } || result.GetValue(input) is not { Exists: true } file) return;
            if (file.Extension.ToLowerInvariant() is ".jsonl" or ".ndjson" or ".json") return;
            var header = ReadHeader(file);
            foreach (var mapping in mappings)
                if (!header.Contains(mapping.Column, StringComparer.OrdinalIgnoreCase))
                {
                    result.AddError($"--map {mapping.Field}={mapping.Column}: {file.Name} has no column '{mapping.Column}' " +
                                    $"(its columns: {string.Join(", ", header)})");
                    return;
                }
        });
    }

    private static IReadOnlyList<ColumnMapping> Parse(ArgumentResult result, IReadOnlyList<string> fields)
    {
        var mappings = new List<ColumnMapping>();
        foreach (var pair in ValueParsers.ParseCommaSeparated(result))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                result.AddError($"'{pair}' is not a column mapping (expected field=Column, e.g. email=Email)");
                return [];
            }
            if (!fields.Contains(parts[0], StringComparer.Ordinal))
            {
                result.AddError($"--map names the field '{parts[0]}', which Tributary does not know; fields: {string.Join(", ", fields)}");
                return [];
            }
            mappings.Add(new ColumnMapping(parts[0], parts[1]));
        }
        return mappings;
    }

    /// <summary>The column names of a CSV file's first line (quotes and a byte order mark understood).</summary>
    private static List<string> ReadHeader(FileInfo file)
    {
        using var reader = new StreamReader(file.FullName, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var line = reader.ReadLine() ?? "";
        var columns = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { columns.Add(cell.ToString().Trim()); cell.Clear(); }
            else cell.Append(c);
        }
        columns.Add(cell.ToString().Trim());
        return columns;
    }
}
