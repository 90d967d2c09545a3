using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Contacts;
using Tributary.Core.Storage;
using Tributary.Server.Auth;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

public static class ContactImportEndpoint
{
    public sealed record ImportResult(long Created, long Updated, long Skipped, long Failed,
        IReadOnlyList<ImportRowError> Errors, IReadOnlyList<string> IgnoredColumns);

    /// <summary>
    /// Streams the body (CSV or JSONL) straight into the contact store; nothing holds the whole file. The format comes
    /// from <c>?format=</c>, else the Content-Type, else the first byte (<c>{</c> means JSONL).
    /// </summary>
    public static async Task<Results<Ok<Envelope<ImportResult>>, ErrorResult>> ImportContacts(
        HttpContext http, CallerContext caller, TributaryDb db, ContactImport import, CancellationToken ct)
    {
        var declared = DeclaredFormat(http.Request);
        if (declared is { Error: { } error }) return new ErrorResult(error);
        if (UploadCharset.Of(http.Request, out var encoding) is { } badCharset) return new ErrorResult(badCharset);
        if (MapQuery.TryParse(http.Request.Query["map"], ContactImport.MappableFields, out var mapping) is { } badMap) return new ErrorResult(badMap);
        var format = declared.Format ?? await SniffAsync(http.Request, ct);
        var body = http.Request.BodyReader.AsStream();
        var workspace = caller.Workspace;
        var report = await import.RunAsync(caller.WorkspaceId, body, format, workspace!.PhoneCountries, ct, mapping, encoding);
        return TypedResults.Ok(new Envelope<ImportResult>(new ImportResult(
            report.Created, report.Updated, report.Skipped, report.Failed, report.Errors, report.IgnoredColumns)));
    }

    private static (ImportFormat? Format, ApiError? Error) DeclaredFormat(HttpRequest request)
    {
        var format = request.Query["format"].ToString().ToLowerInvariant();
        switch (format)
        {
            case "csv": return (ImportFormat.Csv, null);
            case "jsonl" or "ndjson": return (ImportFormat.Jsonl, null);
            case "": break;
            default: return (null, ApiError.Validation($"'format' must be csv or jsonl, not '{format}'"));
        }
        var type = request.ContentType?.ToLowerInvariant() ?? "";
        if (type.Contains("csv")) return (ImportFormat.Csv, null);
        if (type.Contains("ndjson") || type.Contains("jsonl") || type.Contains("json-lines") || type.Contains("json-seq"))
            return (ImportFormat.Jsonl, null);
        return (null, null);
    }

    private static async Task<ImportFormat> SniffAsync(HttpRequest request, CancellationToken ct)
    {
        // Peek at the first bytes without consuming them: the import then reads the body from its start.
        var read = await request.BodyReader.ReadAsync(ct);
        var head = read.Buffer.Slice(0, Math.Min(read.Buffer.Length, 64)).ToArray();
        request.BodyReader.AdvanceTo(read.Buffer.Start);
        return ContactImport.Detect(head);
    }
}
