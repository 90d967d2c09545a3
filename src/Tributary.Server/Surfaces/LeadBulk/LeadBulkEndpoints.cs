using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Contacts;
using Tributary.Core.Credits;
using Tributary.Core.Enrichment;
using Tributary.Core.Jobs;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.RateLimits;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;
using Tributary.Server.Docs;

namespace Tributary.Server.Surfaces.LeadBulk;

/// <summary>
/// Seed 002: email or phone enrichment of stored leads, chosen by id or by a search, one enrichment record per lead and
/// field; an existing pending or fresh record is returned instead of running again. Records run as job items.
/// </summary>
public static class LeadBulkEndpoints
{
    public const string Kind = LeadRecords.Kind;
    public const int MaxSelection = 1000, MaxBatch = 100, MaxQuery = 200;
    public const string TimeoutMessage = "The enrichment did not finish in time; nothing was charged and a new request runs it again";
    private static readonly Dictionary<string, string> FieldChannels = new() { ["emails"] = WaterfallChannels.WorkEmail, ["phones"] = WaterfallChannels.Phone };

    public sealed record RecordKey([property: JsonPropertyName("entityId")] Guid EntityId, [property: JsonPropertyName("field")] string Field);

    public sealed record EnrichmentRecordView(
        [property: JsonPropertyName("id")] Guid Id, [property: JsonPropertyName("createdAt")] DateTime CreatedAt,
        [property: JsonPropertyName("updatedAt")] DateTime UpdatedAt, [property: JsonPropertyName("entityId")] Guid EntityId,
        [property: JsonPropertyName("entityType")] string EntityType, [property: JsonPropertyName("field")] string Field,
        [property: JsonPropertyName("status")] string Status, [property: JsonPropertyName("error")] object? Error,
        [property: JsonPropertyName("createdBy")] Guid? CreatedBy, [property: JsonPropertyName("orgId")] Guid OrgId,
        [property: JsonPropertyName("globalEnrichmentId")] Guid? GlobalEnrichmentId,
        [property: JsonPropertyName("creditTransactionId")] Guid? CreditTransactionId,
        [property: JsonPropertyName("dataFound")] bool? DataFound, [property: JsonPropertyName("data")] object? Data);

    public static IEndpointRouteBuilder MapLeadBulk(this IEndpointRouteBuilder app)
    {
        app.UseErrorShapeUnder("/api/v1/operations", LeadBulkErrorShape.Instance);
        var group = app.MapGroup("/api/v1/operations/enrichment").WithTags(ApiTags.LeadBulk).WithErrorShape(LeadBulkErrorShape.Instance);
        group.MapPost("/bulk", BulkEnrich).RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Bulk);
        group.MapPost("/batch", BatchEnrich).RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Bulk);
        group.MapPost("/batch/query", QueryRecords).RequirePermission(Permissions.ReadEnrich);
        group.MapGet("/{personId}", GetRecord).RequirePermission(Permissions.ReadEnrich);
        group.MapPost("/{personId}", EnrichOne).RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Single);
        return app;
    }

    static async Task<Results<Ok<List<EnrichmentRecordView>>, ErrorResult>> BulkEnrich(LeadBulkRequest? body, CallerContext caller, TributaryDb db,
        LeadRecords records, CacheOptions cache, TimeProvider time, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(out var field, out var selection) is { } invalid) return new ErrorResult(invalid);
        List<Guid> ids;
        if (selection.Mode == "manual")
        {
            if (selection.Manual(out ids) is { } error) return new ErrorResult(error);
            var unknown = await UnknownLeadsAsync(db, caller.WorkspaceId, ids, ct);
            if (unknown.Count > 0) return new ErrorResult(ApiError.Validation($"Unknown includedIds: {string.Join(", ", unknown)}",
                unknown.Select(u => new ErrorDetail("selection.includedIds", $"{u} is not a lead of this workspace")).ToList()));
        }
        else
        {
            if (selection.Search(out var filter, out var start, out var target, out var excluded) is { } error) return new ErrorResult(error);
            ids = await filter.Apply(ContactStore.InWorkspace(db, caller.WorkspaceId).AsNoTracking())
                .Where(c => !excluded.Contains(c.Id))
                .OrderBy(c => c.CreatedAt).ThenBy(c => c.Seq)
                .Skip(start).Take(target).Select(c => c.Id).ToListAsync(ct);
        }
        return await RecordsForAsync(ids, field, caller, db, records, cache, time, ct);
    }

    static async Task<Results<Ok<List<EnrichmentRecordView>>, ErrorResult>> BatchEnrich(LeadBatchRequest? body, CallerContext caller, TributaryDb db,
        LeadRecords records, CacheOptions cache, TimeProvider time, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(out var field, out var ids) is { } invalid) return new ErrorResult(invalid);
        var unknown = await UnknownLeadsAsync(db, caller.WorkspaceId, ids, ct);
        if (unknown.Count > 0) return new ErrorResult(ApiError.Validation($"Unknown personIds: {string.Join(", ", unknown)}"));
        return await RecordsForAsync(ids, field, caller, db, records, cache, time, ct);
    }

    static async Task<Results<Ok<EnrichmentRecordView>, ErrorResult>> EnrichOne(string personId, HttpContext http, CallerContext caller,
        TributaryDb db, LeadRecords records, CacheOptions cache, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(personId, out var id)) return new ErrorResult(ApiError.Validation("personId must be a UUID"));
        if (QueryField(http, out var field) is { } fieldError) return new ErrorResult(fieldError);
        if ((await UnknownLeadsAsync(db, caller.WorkspaceId, [id], ct)).Count > 0) return new ErrorResult(ApiError.NotFound("Lead"));
        var one = await RecordsForAsync([id], field, caller, db, records, cache, time, ct);
        return one.Result switch
        {
            Ok<List<EnrichmentRecordView>> ok => TypedResults.Ok(ok.Value!.Single()),
            ErrorResult error => error,
            _ => throw new InvalidOperationException(),
        };
    }

    static async Task<Results<Ok<EnrichmentRecordView>, ErrorResult>> GetRecord(string personId, HttpContext http, CallerContext caller,
        TributaryDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(personId, out var id)) return new ErrorResult(ApiError.Validation("personId must be a UUID"));
        if (QueryField(http, out var field) is { } fieldError) return new ErrorResult(fieldError);
        var record = (await LeadRecords.ReadAsync(db, caller.WorkspaceId, [(id, field)], ct)).GetValueOrDefault(id);
        return record is null ? new ErrorResult(ApiError.NotFound("Enrichment")) : TypedResults.Ok((await ViewsAsync(db, [record], ct)).Single());
    }

    static async Task<Results<Ok<List<EnrichmentRecordView>>, ErrorResult>> QueryRecords(LeadQueryRequest? body, CallerContext caller, TributaryDb db,
        CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(out var keys) is { } invalid) return new ErrorResult(invalid);
        var found = new List<LeadRecordView>();
        foreach (var byField in keys.Distinct().GroupBy(k => k.Field))
        {
            var records = await LeadRecords.ReadAsync(db, caller.WorkspaceId, byField.ToList(), ct);
            found.AddRange(byField.Select(k => records.GetValueOrDefault(k.Lead)).OfType<LeadRecordView>());
        }
        var order = keys.Distinct().Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i);
        return TypedResults.Ok(await ViewsAsync(db, found.OrderBy(r => order[(r.Record.ContactId, r.Record.Field)]).ToList(), ct));
    }

    /// <summary>
    /// One record per lead in selection order: an existing pending one, or one finished within the cache lifetime, is
    /// returned as is; the others run as one job whose credits are reserved first, all or nothing (see <see cref="LeadRecords"/>).
    /// </summary>
    private static async Task<Results<Ok<List<EnrichmentRecordView>>, ErrorResult>> RecordsForAsync(List<Guid> ids, string field, CallerContext caller,
        TributaryDb db, LeadRecords records, CacheOptions cache, TimeProvider time, CancellationToken ct)
    {
        var freshAfter = time.GetUtcNow().UtcDateTime.AddDays(-cache.TtlDays);
        bool Reusable(JobItem i) => StatusOf(i, ItemResult.Of(i), field) is var status && (status == "pending" || (status == "finished" && i.FinishedAt > freshAfter));
        var contacts = await ContactStore.InWorkspace(db, caller.WorkspaceId).AsNoTracking()
            .Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var outcome = await records.EnsureAsync(caller.WorkspaceId, caller.KeyId, field, FieldChannels[field], ids, Reusable,
            lead => new NewItem(KnownValues.Of(contacts[lead]), JsonSerializer.Serialize(new RecordKey(lead, field)), lead), ct);
        return outcome switch
        {
            LeadRecordsOutcome.InsufficientCredits poor =>
                new ErrorResult(EnrichmentHttp.InsufficientCredits(new EnrichmentOutcome.InsufficientCredits(poor.Needed, poor.Available))),
            LeadRecordsOutcome.Records done => TypedResults.Ok(await ViewsAsync(db, done.Views, ct)),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    /// <summary>The views of these records, reading their jobs and charges in one query each, however many there are.</summary>
    private static async Task<List<EnrichmentRecordView>> ViewsAsync(TributaryDb db, IReadOnlyList<LeadRecordView> records, CancellationToken ct)
    {
        var jobs = await JobReads.GetManyAsync(db, records.Select(r => r.Item.JobId).ToHashSet(), ct);
        var charges = await Ledger.ChargeEntriesOfAsync(db, records.Where(r => r.Item.EnrichmentId is not null).Select(r => r.Item.EnrichmentId!.Value).ToHashSet(), ct);
        return records.Select(r => View(r, jobs[r.Item.JobId], r.Item.EnrichmentId is { } e && charges.TryGetValue(e, out var charge) ? charge : null)).ToList();
    }

    private static EnrichmentRecordView View(LeadRecordView record, Job job, Guid? transaction)
    {
        var item = record.Item;
        var field = record.Record.Field;
        var result = ItemResult.Of(item);
        var status = StatusOf(item, result, field);
        object? data = null;
        bool? found = null;
        if (status == "finished")
        {
            var channel = result?.Channels.GetValueOrDefault(FieldChannels[field]);
            found = channel is not null;
            var values = channel is null ? [] : new[] { new { value = channel.Value.ToString(), status = channel.EmailStatus ?? "found" } };
            data = field == "emails" ? new { emails = values } : new { phones = values };
        }
        var error = status switch
        {
            "failed" when item.Status == JobItemStatus.Erased => new { code = "ERASED", message = "This lead's data was erased" },
            "failed" => new { code = "ENRICHMENT_FAILED", message = item.Error ?? "The enrichment could not be completed" },
            "timeout" => new { code = "TIMEOUT", message = TimeoutMessage },
            _ => null,
        };
        return new EnrichmentRecordView(record.Record.Id, record.Record.CreatedAt, item.FinishedAt ?? record.Record.UpdatedAt, record.Record.ContactId,
            "person", field, status, error, job.CreatedByKeyId, item.WorkspaceId, null, transaction, found, data);
    }

    /// <summary>The record status: a run cut by the item deadline before its field was found is a timeout, not a miss.</summary>
    private static string StatusOf(JobItem item, ItemResult? result, string field) => item.Status switch
    {
        JobItemStatus.Pending or JobItemStatus.Running => "pending",
        JobItemStatus.Done when result?.TimedOutBefore(FieldChannels[field]) == true => "timeout",
        JobItemStatus.Done => "finished",
        JobItemStatus.Cancelled => "cancelled",
        _ => "failed",
    };

    private static async Task<List<Guid>> UnknownLeadsAsync(TributaryDb db, Guid workspaceId, List<Guid> ids, CancellationToken ct)
    {
        var known = await ContactStore.InWorkspace(db, workspaceId).Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        return ids.Except(known).ToList();
    }

    private static ApiError? QueryField(HttpContext http, out string field)
    {
        var given = http.Request.Query["field"].ToString();
        return LeadBulkRequests.Field(given.Length > 0 ? given : null, http.Request.Query["type"].ToString(), out field);
    }
}
