using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tributary.Core.Jobs;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Configuration;
using Tributary.Server.Docs;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

/// <summary>
/// Signed download links of a job's results (DESIGN §15): a browser cannot send a bearer header when it follows a link,
/// so the console asks for a link that carries a short-lived signed token instead of the key.
/// </summary>
public static class JobDownloadEndpoints
{
    public const string Path = "/v1/jobs/{id}/download";

    public sealed record DownloadBody(string? Format);
    public sealed record DownloadLink(string Url, DateTime ExpiresAt);

    public static IEndpointRouteBuilder MapJobDownloads(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, CreateLink).WithTags(ApiTags.Jobs).WithErrorShape(NativeErrorShape.Instance).RequirePermission(Permissions.ReadEnrich);
        app.MapGet(Path, Download).WithTags(ApiTags.Jobs).WithErrorShape(NativeErrorShape.Instance).WithMetadata(SignedLinkOnly.Instance)
            .Produces<string>(StatusCodes.Status200OK, "text/csv", "application/x-ndjson");
        return app;
    }

    /// <summary><c>{"format":"csv"|"jsonl"}</c> (default csv) → a link valid for five minutes, for the caller's key only.</summary>
    static async Task<Results<Ok<Envelope<DownloadLink>>, ErrorResult>> CreateLink(string id, [FromBody] DownloadBody? body, CallerContext caller,
        TributaryDb db, DownloadLinks links, TributaryOptions options, CancellationToken ct)
    {
        var format = body?.Format?.Trim().ToLowerInvariant() ?? "csv";
        if (!DownloadLinks.Formats.Contains(format)) return new ErrorResult(ApiError.Validation("'format' must be csv or jsonl"));
        var (error, jobId) = await JobsEndpoints.FindNativeAsync(id, caller.WorkspaceId, db, ct);
        if (error is not null) return new ErrorResult(error);
        var (token, expires) = await links.IssueAsync(new DownloadLinks.Grant(jobId!.Value, format, caller.KeyId), ct);
        var url = $"{options.PublicBaseUrl?.TrimEnd('/')}/v1/jobs/{jobId:D}/download?token={Uri.EscapeDataString(token)}";
        return TypedResults.Ok(new Envelope<DownloadLink>(new DownloadLink(url, expires)));
    }

    /// <summary>The results as an attachment named after the job; the token is the only credential this route reads.</summary>
    static async Task<Results<EmptyHttpResult, ErrorResult>> Download(string id, HttpContext http, TributaryDb db, DownloadLinks links,
        CancellationToken ct)
    {
        var token = http.Request.Query["token"];
        if (token.Count != 1) return new ErrorResult(new ApiError(401, ErrorCodes.InvalidDownloadLink, "A download link needs its token; ask the console for a new one"));
        if (Ids.TryParse(id, "job", out var jobId) is { } bad) return new ErrorResult(bad);
        var (grant, key, refusal) = await links.CheckAsync(token.ToString(), jobId, db, ct);
        if (refusal is not null) return new ErrorResult(refusal);
        var (error, _) = await JobsEndpoints.FindNativeAsync(id, key!.WorkspaceId, db, ct);
        if (error is not null) return new ErrorResult(error);
        var job = await JobReads.GetAsync(db, jobId, ct);
        http.Response.Headers.CacheControl = "no-store";
        var fileName = FileName(job.Name, jobId, grant!.Format);
        http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment")
        {
            FileName = "\"" + new string(fileName.Select(c => char.IsAscii(c) ? c : '_').ToArray()) + "\"", FileNameStar = fileName,
        }.ToString();
        await JobsEndpoints.StreamResultsAsync(http, db, jobId, grant.Format == "csv", ct);
        return TypedResults.Empty;
    }

    /// <summary>"leads.csv" → "leads-enriched.csv"; a job without a name is named by its id.</summary>
    internal static string FileName(string? jobName, Guid jobId, string format)
    {
        var stem = string.IsNullOrWhiteSpace(jobName) ? $"job-{jobId:D}" : System.IO.Path.GetFileNameWithoutExtension(jobName.Trim());
        var safe = new string(stem.Select(c => char.IsControl(c) || c is '/' or '\\' or '"' or ':' or '*' or '?' or '<' or '>' or '|' ? '_' : c).ToArray()).Trim();
        return $"{(safe.Length == 0 ? $"job-{jobId:D}" : safe)}-enriched.{format}";
    }
}

/// <summary>Marks the route that reads a signed link's token from its query string instead of a key from a header.</summary>
public sealed class SignedLinkOnly
{
    public static readonly SignedLinkOnly Instance = new();
}
