using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Common;
using Tributary.Core.Credits;
using Tributary.Core.Contacts;
using Tributary.Core.Enrichment;
using Tributary.Core.Jobs;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;
using Tributary.Server.Docs;

namespace Tributary.Server.Native;

/// <summary>The native bulk path (DESIGN §4): jobs from CSV, JSONL or records; status; streamed results; cancel; estimates.</summary>
public static class JobsEndpoints
{
    public const string Kind = "native";

    public const int MaxNameLength = 200;

    public sealed record JobListItem(Guid Id, string Kind, string? Name, string Status, int Total, int Processed, long CreditsReserved,
        long CreditsCharged, DateTime CreatedAt, DateTime? FinishedAt);
    public sealed record JobList(IReadOnlyList<JobListItem> Jobs);

    public sealed record JobView(Guid Id, string? Name, string Status, IReadOnlyList<string> Channels, int Total, int Processed, int Found,
        int NotFound, int Failed, double Progress, IReadOnlyDictionary<string, long> FoundByChannel, long CreditsCharged,
        long CreditsReserved, double? RatePerSecond, double? EtaSeconds, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
        string? Error);

    public sealed record EstimateBody(JsonElement? Records, List<string>? Channels, bool Discover = false);
    public sealed record Estimate(int Records, IReadOnlyList<string> Channels, long MaxCreditsPerRecord, long MaxCredits, long Balance, bool Enough);

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags(ApiTags.Jobs).WithErrorShape(NativeErrorShape.Instance);
        // No Accepts metadata: routing would answer an unknown content type with 415 before the key is checked.
        group.MapPost("/jobs", CreateJob).RequirePermission(Permissions.WriteEnrich).WithMetadata(LargeBodyMetadata.Instance)
            .WithMetadata(Idempotency.IdempotentMetadata.Instance);
        group.MapGet("/jobs", ListJobs).RequirePermission(Permissions.ReadEnrich);
        group.MapGet("/jobs/{id}", GetJob).RequirePermission(Permissions.ReadEnrich);
        group.MapGet("/jobs/{id}/results", GetResults).RequirePermission(Permissions.ReadEnrich)
            .Produces<string>(StatusCodes.Status200OK, "application/x-ndjson", "text/csv");
        group.MapPost("/jobs/{id}/cancel", CancelJob).RequirePermission(Permissions.WriteEnrich);
        group.MapPost("/estimate", EstimateCost).RequirePermission(Permissions.WriteEnrich);
        return app;
    }

    /// <summary>
    /// JSON <c>{"records":[…],"channels":[…],"mapping":{…},"force":false}</c>, or a CSV/JSONL body with
    /// <c>?channels=work_email,phone&amp;map=email=Email</c>. 202 with the job once every record is stored and credits reserved.
    /// </summary>
    static async Task<Results<Accepted<Envelope<JobView>>, ErrorResult>> CreateJob(HttpContext http, CallerContext caller, TributaryDb db,
        JobQueue queue, TimeProvider time, CancellationToken ct)
    {
        var request = http.Request;
        var type = request.ContentType?.ToLowerInvariant() ?? "";
        List<string>? channels;
        Dictionary<string, string>? mapping;
        IAsyncEnumerable<NewItem> items;
        var force = false;
        string? name;
        if (type.Contains("json") && !type.Contains("ndjson") && !type.Contains("jsonl"))
        {
            // Read as a stream in two passes over the body, spooled to disk past 1 MiB: memory does not grow with the body.
            request.EnableBuffering(bufferThreshold: 1024 * 1024);
            JsonJobBody body;
            try { body = await JsonJobBody.ReadSettingsAsync(request.Body, ct); }
            catch (JsonException) { return new ErrorResult(ApiError.Validation("Malformed request: the body is not valid JSON.")); }
            if (JobRequest.Bind(body.Values, out var given) is { } badBody) return new ErrorResult(badBody);
            if (body.Records is null && given.ContactIds is null && given.Filters is null)
                return new ErrorResult(ApiError.Validation(
                    "The body must be {\"records\": [ … ]}, {\"contact_ids\": [ … ]} or {\"filters\": { … }}, with \"channels\": [ … ]"));
            if (body.Records == 0) return new ErrorResult(ApiError.Validation("'records' must hold at least one record"));
            if (given.ValidMapping(out mapping) is { } badMapping) return new ErrorResult(badMapping);
            (channels, force, name) = (given.Channels, given.Force ?? false, given.Name);
            if (body.Records is not null)
            {
                request.Body.Position = 0;
                items = JsonJobBody.ReadRecordsAsync(request.Body, mapping, ct);
            }
            else
            {
                var (stored, problem) = await StoredContactsAsync(given, caller.WorkspaceId, db, ct);
                if (problem is not null) return new ErrorResult(problem);
                items = stored!.ToAsyncEnumerable();
            }
        }
        else
        {
            channels = request.Query["channels"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (MapQuery.TryParse(request.Query["map"], JobInput.InputNames, out mapping) is { } badMap) return new ErrorResult(badMap);
            force = string.Equals(request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
            name = request.Query.TryGetValue("name", out var n) ? n.ToString() : null;
            if (UploadCharset.Of(request, out var encoding) is { } badCharset) return new ErrorResult(badCharset);
            var jsonl = type.Contains("ndjson") || type.Contains("jsonl");
            items = jsonl ? JobInput.ReadJsonlAsync(request.Body, mapping, ct, encoding) : JobInput.ReadCsvAsync(request.Body, mapping, ct, encoding);
        }
        name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (name?.Length > MaxNameLength) return new ErrorResult(ApiError.Validation($"'name' must be at most {MaxNameLength} characters"));
        if (channels is not { Count: > 0 }) return new ErrorResult(ApiError.Validation($"'channels' is required: some of {string.Join(", ", WaterfallChannels.Person)}"));
        var unknown = EnrichmentRules.UnknownChannels(channels);
        if (unknown.Count > 0) return new ErrorResult(ApiError.Validation($"unknown channel(s): {string.Join(", ", unknown)}"));
        var workspace = caller.Workspace;
        if (channels.Contains(WaterfallChannels.PersonalEmail) && !workspace.PersonalEmailConsent) return new ErrorResult(EnrichmentHttp.ConsentRequired());

        var options = JsonSerializer.Serialize(new JobRunOptions { Force = force });
        var outcome = await queue.CreateAsync(new NewJob(caller.WorkspaceId, Kind, channels.Distinct().ToList(), options, caller.KeyId, Name: name, Idempotency: caller.Idempotency), items, ct);
        if (outcome is CreateJobOutcome.InsufficientCredits insufficient)
            return new ErrorResult(EnrichmentHttp.InsufficientCredits(new(insufficient.Needed, insufficient.Available)));
        var job = ((CreateJobOutcome.Created)outcome).Job;
        return TypedResults.Accepted($"/v1/jobs/{job.Id}", new Envelope<JobView>(await ViewAsync(db, job.Id, time, ct)));
    }

    public const int MaxStoredContacts = 10_000;

    /// <summary>
    /// <c>{"contact_ids":[…]}</c> or <c>{"filters":{…}}</c> (the filters of <c>GET /v1/contacts</c>): the workspace's
    /// stored contacts as job items, each enriched in place (DESIGN §4); at most <see cref="MaxStoredContacts"/>.
    /// </summary>
    private static async Task<(List<NewItem>? Items, ApiError? Problem)> StoredContactsAsync(JobRequest body, Guid workspaceId,
        TributaryDb db, CancellationToken ct)
    {
        if (body.ContactIds is not null && body.Filters is not null)
            return (null, ApiError.Validation("give 'contact_ids' or 'filters', not both"));
        var contacts = ContactStore.InWorkspace(db, workspaceId).AsNoTracking();
        List<Contact> found;
        if (body.ContactIds is not null)
        {
            if (body.ValidContactIds(MaxStoredContacts, out var ids) is { } badIds) return (null, badIds);
            found = await contacts.Where(c => ids.Contains(c.Id)).ToListAsync(ct);
            if (found.Count < ids.Count)
                return (null, ApiError.Validation($"{ids.Count - found.Count} of the contact_ids are not contacts of this workspace, e.g. {ids.Except(found.Select(c => c.Id)).First()}"));
        }
        else
        {
            if (body.ValidFilters(out var filter) is { } badFilter) return (null, badFilter);
            found = await filter.Apply(contacts).OrderBy(c => c.CreatedAt).Take(MaxStoredContacts + 1).ToListAsync(ct);
            if (found.Count == 0) return (null, ApiError.Validation("no contact matches these filters"));
            if (found.Count > MaxStoredContacts)
                return (null, ApiError.Validation($"more than {MaxStoredContacts} contacts match these filters; narrow them"));
        }
        return (found.Select(c => new NewItem(KnownValues.Of(c), null, c.Id)).ToList(), null);
    }

    /// <summary>Every accepted job of the workspace, of any surface, newest first; <c>?status=</c> filters.</summary>
    static async Task<Results<Ok<Listed<JobList>>, ErrorResult>> ListJobs(HttpContext http, CallerContext caller, TributaryDb db, CancellationToken ct)
    {
        if (ListQuery.TryParse(http.Request.Query, out var page, out var rest) is { } bad) return new ErrorResult(bad);
        var q = db.Jobs.AsNoTracking().Where(j => j.WorkspaceId == caller.WorkspaceId && j.Status != JobStatus.Preparing);
        foreach (var (key, value) in rest)
        {
            if (key != "status") return new ErrorResult(ApiError.Validation($"unknown filter '{key}'; filter jobs by status"));
            string[] statuses = [JobStatus.Queued, JobStatus.Processing, JobStatus.Succeeded, JobStatus.Failed, JobStatus.Cancelled];
            if (!statuses.Contains(value)) return new ErrorResult(ApiError.Validation($"'status' must be one of {string.Join(", ", statuses)}"));
            q = q.Where(j => j.Status == value);
        }
        var total = await q.LongCountAsync(ct);
        // The cursor is the last row's created_at and how many rows of that instant were shown, so rows created in the
        // same instant are neither skipped nor repeated (they follow in id order).
        var skip = (page.Page - 1) * page.PerPage;
        Core.Common.Cursor? previous = null;
        if (page.Cursor is not null)
        {
            if (!Core.Common.Cursor.TryDecode(page.Cursor, out var cursor) || cursor.Seq > int.MaxValue)
                return new ErrorResult(ApiError.Validation("'cursor' is not a cursor this list gave out"));
            q = q.Where(j => j.CreatedAt <= cursor.CreatedAt);
            (skip, previous) = ((int)cursor.Seq, cursor);
        }
        var rows = await q.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id).Skip(skip).Take(page.PerPage + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > page.PerPage)
        {
            rows.RemoveAt(rows.Count - 1);
            var last = rows[^1].CreatedAt;
            var shownAtLast = rows.Count(r => r.CreatedAt == last) + (previous?.CreatedAt == last ? skip : 0);
            next = new Core.Common.Cursor(last, shownAtLast).Encode();
        }
        var jobs = rows.Select(j => new JobListItem(j.Id, j.Kind, j.Name, j.Status, j.Total, j.Processed, j.ReservedCredits, j.Charged,
            j.CreatedAt, j.FinishedAt)).ToList();
        return TypedResults.Ok(new Listed<JobList>(new JobList(jobs), new ListMeta(page.Cursor is null ? page.Page : 1, page.PerPage, total, next)));
    }

    static async Task<Results<Ok<Envelope<JobView>>, ErrorResult>> GetJob(string id, CallerContext caller, TributaryDb db, TimeProvider time,
        CancellationToken ct)
    {
        var (error, jobId) = await FindAsync(id, caller, db, ct);
        if (error is not null) return new ErrorResult(error);
        return TypedResults.Ok(new Envelope<JobView>(await ViewAsync(db, jobId!.Value, time, ct)));
    }

    static async Task<Results<Ok<Envelope<JobView>>, ErrorResult>> CancelJob(string id, CallerContext caller, TributaryDb db, JobQueue queue,
        TimeProvider time, CancellationToken ct)
    {
        var (error, jobId) = await FindAsync(id, caller, db, ct);
        if (error is not null) return new ErrorResult(error);
        await queue.CancelAsync(caller.WorkspaceId, jobId!.Value, ct);
        return TypedResults.Ok(new Envelope<JobView>(await ViewAsync(db, jobId.Value, time, ct)));
    }

    /// <summary>Every item in input order, as it stands now: JSONL by default, CSV with <c>?format=csv</c> or Accept: text/csv.</summary>
    static async Task<Results<EmptyHttpResult, ErrorResult>> GetResults(string id, HttpContext http, CallerContext caller, TributaryDb db,
        CancellationToken ct)
    {
        var (error, jobId) = await FindAsync(id, caller, db, ct);
        if (error is not null) return new ErrorResult(error);
        var format = http.Request.Query["format"].ToString().ToLowerInvariant();
        var csv = format == "csv" || (format.Length == 0 && http.Request.Headers.Accept.ToString().Contains("text/csv"));
        if (format.Length > 0 && format is not ("csv" or "jsonl")) return new ErrorResult(ApiError.Validation("'format' must be csv or jsonl"));
        await StreamResultsAsync(http, db, jobId!.Value, csv, ct);
        return TypedResults.Empty;
    }

    /// <summary>Writes every item of the job, a thousand at a time, as CSV or JSONL (also the console's signed downloads).</summary>
    internal static async Task StreamResultsAsync(HttpContext http, TributaryDb db, Guid jobId, bool csv, CancellationToken ct)
    {
        var job = await JobReads.GetAsync(db, jobId, ct);
        var channels = JsonSerializer.Deserialize<List<string>>(job.ChannelsJson)!;
        http.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        var writer = new JobResultsWriter(http.Response.Body, channels, csv);
        var position = -1;
        while (true)
        {
            var page = await JobReads.PageAsync(db, job.Id, afterPosition: position, take: 1000, ct);
            if (page.Count == 0) break;
            await writer.WriteAsync(page, await RejectedEmailsAsync(db, page, ct), ct);
            position = page[^1].Position;
        }
        await writer.FinishAsync(ct);
    }

    /// <summary>The job of this workspace and of the native kind, or the error to answer.</summary>
    internal static async Task<(ApiError? Error, Guid? JobId)> FindNativeAsync(string id, Guid workspaceId, TributaryDb db, CancellationToken ct)
    {
        if (Ids.TryParse(id, "job", out var jobId) is { } bad) return (bad, null);
        return await JobReads.FindAsync(db, workspaceId, jobId, Kind, ct) is not null ? (null, jobId) : (ApiError.NotFound("Job"), null);
    }

    static async Task<Results<Ok<Envelope<Estimate>>, ErrorResult>> EstimateCost(EstimateBody body, CallerContext caller, TributaryDb db,
        JobQueue queue, Ledger ledger, CancellationToken ct)
    {
        var count = body.Records switch
        {
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var v) && v >= 0 => v,
            { ValueKind: JsonValueKind.Array } a => a.GetArrayLength(),
            _ => -1,
        };
        if (count < 0) return new ErrorResult(ApiError.Validation("'records' must be a count or an array of records"));
        if (body.Channels is not { Count: > 0 } channels || EnrichmentRules.UnknownChannels(channels).Count > 0)
            return new ErrorResult(ApiError.Validation("'channels' must list known channels"));
        var perRecord = queue.MaxItemPrice(channels, body.Discover);
        var balance = await ledger.GetBalanceAsync(db, caller.WorkspaceId, ct);
        return TypedResults.Ok(new Envelope<Estimate>(new Estimate(count, channels, perRecord, perRecord * count, balance.Balance,
            balance.Balance >= perRecord * count)));
    }

    private static Task<(ApiError? Error, Guid? JobId)> FindAsync(string id, CallerContext caller, TributaryDb db, CancellationToken ct) =>
        FindNativeAsync(id, caller.WorkspaceId, db, ct);

    private static async Task<JobView> ViewAsync(TributaryDb db, Guid jobId, TimeProvider time, CancellationToken ct)
    {
        var job = await JobReads.GetAsync(db, jobId, ct);
        var channels = JsonSerializer.Deserialize<List<string>>(job.ChannelsJson)!;
        var byChannel = new Dictionary<string, long>();
        foreach (var channel in channels) byChannel[channel] = await JobReads.CountFoundAsync(db, jobId, channel, ct);
        double? rate = null, eta = null;
        if (job.StartedAt is { } started && job.Processed > 0)
        {
            var seconds = Math.Max(((job.FinishedAt ?? time.GetUtcNow().UtcDateTime) - started).TotalSeconds, 0.001);
            rate = Math.Round(job.Processed / seconds, 2);
            eta = JobStatus.IsFinal(job.Status) ? 0 : Math.Round((job.Total - job.Processed) / rate.Value, 1);
        }
        var progress = job.Total == 0 ? 100 : Math.Round(100.0 * job.Processed / job.Total, 1);
        return new JobView(job.Id, job.Name, job.Status == JobStatus.Preparing ? JobStatus.Queued : job.Status, channels, job.Total, job.Processed,
            job.Succeeded, job.Processed - job.Succeeded - job.Failed, job.Failed, progress, byChannel, job.Charged, job.ReservedCredits,
            rate, eta, job.CreatedAt, job.StartedAt, job.FinishedAt, job.Error);
    }

    /// <summary>
    /// Emails the workspace's verification service answered <c>valid: false</c> for since the run (DESIGN §5.2): they are
    /// left out of exports.
    /// </summary>
    private static async Task<HashSet<string>> RejectedEmailsAsync(TributaryDb db, IReadOnlyList<JobItem> page, CancellationToken ct)
    {
        var contactIds = page.Where(i => i.ContactId is not null).Select(i => i.ContactId!.Value).Distinct().ToList();
        if (contactIds.Count == 0) return [];
        var contacts = await db.Contacts.AsNoTracking().Where(c => contactIds.Contains(c.Id))
            .Select(c => new { c.Email, c.PersonalEmail, c.FieldSourcesJson }).ToListAsync(ct);
        var rejected = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in contacts)
        {
            var sources = Tributary.Core.Contacts.FieldSource.ReadAll(c.FieldSourcesJson);
            if (c.Email is not null && sources.GetValueOrDefault("email")?.Verified == false) rejected.Add(c.Email);
            if (c.PersonalEmail is not null && sources.GetValueOrDefault("personal_email")?.Verified == false) rejected.Add(c.PersonalEmail);
        }
        return rejected;
    }
}

/// <summary>
/// Streams job items as JSONL, or as CSV keeping the input columns and adding value, source, confidence and verified per
/// channel, and the email status (deliverable, catch-all, …) of email channels.
/// </summary>
public sealed class JobResultsWriter(Stream output, IReadOnlyList<string> channels, bool csv)
{
    private List<string>? _inputColumns;
    private readonly StringBuilder _buffer = new();

    public async Task WriteAsync(IReadOnlyList<JobItem> items, IReadOnlySet<string> rejectedEmails, CancellationToken ct)
    {
        foreach (var item in items)
        {
            var result = ItemResult.Of(item);
            if (result is not null && rejectedEmails.Count > 0)
                result = result with
                {
                    Channels = result.Channels.Where(c => !(WaterfallChannels.Emails.Contains(c.Key) && c.Value.Value.ValueKind == JsonValueKind.String
                                                           && rejectedEmails.Contains(c.Value.Value.GetString()!)))
                        .ToDictionary(c => c.Key, c => c.Value),
                };
            if (csv) AppendCsv(item, result);
            else
                _buffer.Append(JsonSerializer.Serialize(new
                {
                    position = item.Position, status = item.Status,
                    input = item.RawJson is null ? (JsonElement?)null : JsonDocument.Parse(item.RawJson).RootElement,
                    channels = channels.ToDictionary(c => c, c => result?.Channels.GetValueOrDefault(c)),
                    contact_id = result?.ContactId, enrichment_id = result?.EnrichmentId, timed_out = result?.TimedOut == true, error = item.Error,
                })).Append('\n');
        }
        await FlushAsync(ct);
    }

    public Task FinishAsync(CancellationToken ct) => FlushAsync(ct);

    private void AppendCsv(JobItem item, ItemResult? result)
    {
        var raw = item.RawJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(item.RawJson) ?? [];
        if (_inputColumns is null)
        {
            _inputColumns = raw.Keys.ToList();
            CsvOut.AppendRow(_buffer, _inputColumns
                .Concat(channels.SelectMany(c => WaterfallChannels.Emails.Contains(c)
                    ? new[] { c, c + "_source", c + "_confidence", c + "_status", c + "_verified" }
                    : [c, c + "_source", c + "_confidence", c + "_verified"]))
                .Append("status"));
        }
        var cells = _inputColumns.Select(c => raw.TryGetValue(c, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : "").ToList();
        foreach (var channel in channels)
        {
            var found = result?.Channels.GetValueOrDefault(channel);
            cells.Add(found is null ? "" : found.Value.ValueKind == JsonValueKind.String ? found.Value.GetString() : found.Value.GetRawText());
            cells.Add(found?.Source ?? "");
            cells.Add(found is null ? "" : found.Confidence.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture));
            if (WaterfallChannels.Emails.Contains(channel)) cells.Add(found?.EmailStatus ?? "");
            cells.Add(found?.Verified is { } v ? (v ? "true" : "false") : "");
        }
        cells.Add(item.Status);
        CsvOut.AppendRow(_buffer, cells);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_buffer.Length == 0) return;
        await output.WriteAsync(Encoding.UTF8.GetBytes(_buffer.ToString()), ct);
        await output.FlushAsync(ct);
        _buffer.Clear();
    }
}
