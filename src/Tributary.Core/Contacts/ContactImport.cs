using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Tributary.Core.Storage;

namespace Tributary.Core.Contacts;

public enum ImportFormat { Csv, Jsonl }

public sealed record ImportRowError(long RowNumber, string Code, string Message);

public sealed class ImportReport
{
    public const int MaxListedErrors = 1000;
    public long Created { get; set; }
    public long Updated { get; set; }
    public long Skipped { get; set; }
    public long Failed { get; set; }
    public List<ImportRowError> Errors { get; } = [];
    public List<string> IgnoredColumns { get; } = [];

    internal void Fail(ImportRowError error)
    {
        Failed++;
        if (Errors.Count < MaxListedErrors) Errors.Add(error);
    }
}

/// <summary>Thrown when the file as a whole cannot be imported (e.g. a CSV header with no known column).</summary>
public sealed class ImportRejectedException(string message) : Exception(message);

/// <summary>
/// Streams a CSV or JSONL file into the workspace's contacts in batches: memory stays bounded whatever the file size,
/// bad rows are reported with their line number and good rows still land. Upserts on the matching keys of DESIGN §4.
/// </summary>
public sealed class ContactImport(ContactStore store, TributaryDbFactory dbs)
{
    public const int BatchSize = 2000;
    private const int MaxListedIgnoredKeys = 100;

    public static ImportFormat Detect(ReadOnlySpan<byte> head)
    {
        var text = head.TrimStart("\xEF\xBB\xBF"u8).TrimStart(" \t\r\n"u8);
        return text.Length > 0 && text[0] == (byte)'{' ? ImportFormat.Jsonl : ImportFormat.Csv;
    }

    /// <summary>Fields a <c>map</c> may name (field=Column): the contact fields and tags.</summary>
    public static readonly IReadOnlyList<string> MappableFields = [.. ContactFields.Scalars, "tags"];

    /// <param name="mapping">Field → column name, for columns (JSONL keys) whose names say nothing; names them before any alias.</param>
    /// <param name="encoding">The body's declared encoding (<see cref="Common.TextEncodings"/>); null reads UTF-8, or what a byte order mark says.</param>
    public async Task<ImportReport> RunAsync(Guid workspaceId, Stream body, ImportFormat format,
        IReadOnlyList<string> phoneCountries, CancellationToken ct = default, IReadOnlyDictionary<string, string>? mapping = null,
        System.Text.Encoding? encoding = null)
    {
        var naming = new ColumnNaming(mapping);
        var report = new ImportReport();
        var batch = new List<ContactInput>(BatchSize);
        var rowNumbers = new List<long>(BatchSize);
        long analyzedAt = BatchSize / 4;
        var rows = format == ImportFormat.Csv ? ReadCsvAsync(body, encoding, report, naming, ct) : ReadJsonlAsync(body, encoding, report, naming, ct);
        await foreach (var (row, input, error) in rows)
        {
            if (error is not null) { report.Fail(error); continue; }
            if (input!.IsEmpty) { report.Skipped++; continue; }
            var errors = ContactFields.Validate(input).ToList();
            if (errors.Count > 0) { report.Fail(new ImportRowError(row, "validation_error", string.Join("; ", errors))); continue; }
            batch.Add(input);
            rowNumbers.Add(row);
            if (batch.Count < BatchSize) continue;
            await FlushAsync(workspaceId, batch, rowNumbers, phoneCountries, report, ct);
            analyzedAt = await RefreshPlannerStatisticsAsync(analyzedAt, report, ct);
        }
        if (batch.Count > 0) await FlushAsync(workspaceId, batch, rowNumbers, phoneCountries, report, ct);
        // A batch's suppressed rows are known only when it is flushed, after the later rows' parse errors: list them in file order.
        report.Errors.Sort((a, b) => a.RowNumber.CompareTo(b.RowNumber));
        return report;
    }

    private async Task FlushAsync(Guid workspaceId, List<ContactInput> batch, List<long> rowNumbers, IReadOnlyList<string> phoneCountries,
        ImportReport report, CancellationToken ct)
    {
        await using var db = dbs.Create();
        // A row naming a suppressed person fails (DESIGN §4); the rest of the batch goes in.
        var suppressed = await ContactStore.SuppressedAsync(db, workspaceId, batch, ct);
        foreach (var i in suppressed)
            report.Fail(new ImportRowError(rowNumbers[i], "suppressed", "This person is on the workspace's suppression list; the row was not imported"));
        if (suppressed.Count > 0)
        {
            var keep = Enumerable.Range(0, batch.Count).Except(suppressed).ToList();
            var kept = keep.Select(i => batch[i]).ToList();
            batch.Clear();
            batch.AddRange(kept);
        }
        rowNumbers.Clear();
        if (batch.Count == 0) return;
        foreach (var outcome in await store.UpsertManyAsync(db, workspaceId, batch, phoneCountries, ct))
        {
            if (outcome.Created) report.Created++;
            else if (outcome.ChangedFields.Count > 0) report.Updated++;
            else report.Skipped++;
        }
        batch.Clear();
    }

    /// <summary>
    /// PostgreSQL plans the matching query from statistics that autovacuum gathers later than a fast-growing table
    /// needs: in a 50,000-row import into an empty workspace the match went from 10 ms to 150 ms per batch (sequential
    /// scans) until autovacuum's analyze ran. So an import analyzes the tables it grows each time its rows quadruple,
    /// from a sample of 3,000 rows instead of the default 30,000: the plan only needs the tables' sizes and that keys are
    /// unique, and at 60,000 contacts and 180,000 claims the default analyze took 1.4 s, this one 0.2 s (psql, bench machine).
    /// Autovacuum's later analyze gathers the full statistics.
    /// </summary>
    private async Task<long> RefreshPlannerStatisticsAsync(long analyzedAt, ImportReport report, CancellationToken ct)
    {
        if (dbs.Provider != DatabaseProvider.Postgres || report.Created < analyzedAt * 4) return analyzedAt;
        await using var db = dbs.Create();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await Sql.ExecuteAsync(db, "SET LOCAL default_statistics_target = 10", [], ct);
        await Sql.ExecuteAsync(db, "ANALYZE contacts, identity_claims", [], ct);
        await tx.CommitAsync(ct);
        return report.Created;
    }

    private static async IAsyncEnumerable<(long Row, ContactInput? Input, ImportRowError? Error)> ReadCsvAsync(
        Stream body, System.Text.Encoding? encoding, ImportReport report, ColumnNaming naming, [EnumeratorCancellation] CancellationToken ct)
    {
        var malformed = new Queue<ImportRowError>();
        // The separator (, ; tab or |) is detected from the first lines, as spreadsheet exports use all of them.
        var options = new CsvReaderOptions
        {
            Encoding = encoding,
            HasHeader = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = m => malformed.Enqueue(new ImportRowError(m.LineNumber, "malformed_row",
                $"the row is not valid CSV ({Describe(m.Reason)})")),
        };
        await using var csv = CsvReader.Create(body, options, leaveOpen: true);
        await csv.ReadHeaderAsync(ct);
        var columns = MapHeader(csv.Headers.ToArray(), report, naming);
        while (await csv.ReadAsync(ct))
        {
            while (malformed.TryDequeue(out var bad)) yield return (bad.RowNumber, null, bad);
            var line = csv.LineNumber;
            if (csv.FieldCount > columns.Length)
            {
                yield return (line, null, new ImportRowError(line, "malformed_row",
                    $"the row has {csv.FieldCount} cells but the header has {columns.Length}"));
                continue;
            }
            var record = new string[csv.FieldCount];
            for (var i = 0; i < record.Length; i++) record[i] = csv.GetString(i);
            yield return (line, RowToInput(columns, record), null);
        }
        while (malformed.TryDequeue(out var bad)) yield return (bad.RowNumber, null, bad);
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "stray quote",
        CsvMalformedReason.UnterminatedQuote => "unterminated quote",
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
        CsvMalformedReason.LineBreakInQuotes => "line break inside quotes",
        CsvMalformedReason.FieldCountMismatch => "wrong number of cells",
        _ => reason.ToString(),
    };

    private static string?[] MapHeader(string[] header, ImportReport report, ColumnNaming naming)
    {
        if (naming.MissingColumn(header.Select(h => h.Trim().TrimStart('\uFEFF'))) is { } missing)
            throw new ImportRejectedException($"'map' names the column '{missing}', which the CSV header lacks");
        var columns = new string?[header.Length];
        for (var i = 0; i < header.Length; i++)
        {
            var raw = header[i].Trim().TrimStart('\uFEFF');
            if (raw.StartsWith("custom.", StringComparison.OrdinalIgnoreCase) && raw.Length > 7)
            {
                columns[i] = "custom." + raw[7..];
                continue;
            }
            var name = naming.FieldOf(raw);
            if (MappableFields.Contains(name)) columns[i] = name;
            else report.IgnoredColumns.Add(raw);
        }
        if (columns.All(c => c is null))
            throw new ImportRejectedException(
                $"the CSV header names no known column; use contact field names such as email, first_name, last_name, company_domain, linkedin_url");
        return columns;
    }

    private static ContactInput RowToInput(string?[] columns, string[] record)
    {
        var input = new ContactInput();
        for (var i = 0; i < record.Length; i++)
        {
            var column = columns[i];
            var cell = record[i];
            if (column is null || string.IsNullOrWhiteSpace(cell)) continue;
            if (column == "tags")
            {
                input.TagsGiven = true;
                input.Tags = cell.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            }
            else if (column.StartsWith("custom.", StringComparison.Ordinal))
            {
                input.CustomGiven = true;
                (input.Custom ??= [])[column[7..]] = JsonSerializer.SerializeToElement(cell);
            }
            else input.Values[column] = cell;
        }
        return input;
    }

    /// <summary>JSONL lines take the CSV header names and aliases as keys (work_email, firstname…); unknown keys are reported.</summary>
    private static async IAsyncEnumerable<(long Row, ContactInput? Input, ImportRowError? Error)> ReadJsonlAsync(
        Stream body, Encoding? encoding, ImportReport report, ColumnNaming naming, [EnumeratorCancellation] CancellationToken ct)
    {
        var ignored = new SortedSet<string>(StringComparer.Ordinal);
        using var reader = new StreamReader(body, encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        long line = 0;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var (input, errors, malformedJson) = ParseJsonLine(text, naming, ignored.Count < MaxListedIgnoredKeys ? ignored : null);
            if (ignored.Count > report.IgnoredColumns.Count)
                foreach (var key in ignored.Where(k => !report.IgnoredColumns.Contains(k))) report.IgnoredColumns.Add(key);
            if (malformedJson is not null)
            {
                yield return (line, null, new ImportRowError(line, "malformed_json", malformedJson));
                continue;
            }
            if (errors.Count > 0) yield return (line, null, new ImportRowError(line, "validation_error", string.Join("; ", errors)));
            else yield return (line, input, null);
        }
    }

    private static (ContactInput Input, List<string> Errors, string? MalformedJson) ParseJsonLine(string text, ColumnNaming naming,
        ISet<string>? ignored)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var input = ContactInput.FromJson(doc.RootElement, out var errors, naming.FieldOf, ignored);
            return (input, errors, null);
        }
        catch (JsonException e)
        {
            return (new ContactInput(), [], $"the line is not valid JSON ({e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.')})");
        }
    }
}

/// <summary>How an import reads a column (or JSONL key) as a field: the caller's mapping first, then the header aliases.</summary>
internal sealed class ColumnNaming(IReadOnlyDictionary<string, string>? mapping)
{
    /// <summary>Header aliases that only make sense for stored contacts (a bare "domain" is the company's).</summary>
    private static readonly Dictionary<string, string> ContactAliases = new()
    {
        ["domain"] = "company_domain", ["mobile"] = "phone",
    };

    public string FieldOf(string column) => ColumnNames.FieldOf(column, mapping, ContactAliases) ?? "";

    public string? MissingColumn(IEnumerable<string> header) => ColumnNames.MissingColumn(mapping, header)?.Column;
}
