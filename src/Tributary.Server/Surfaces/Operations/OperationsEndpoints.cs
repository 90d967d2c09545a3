using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Enrichment;
using Tributary.Core.Jobs;
using Tributary.Core.Providers.Phones;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.RateLimits;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;
using Tributary.Server.Docs;

namespace Tributary.Server.Surfaces.Operations;

/// <summary>
/// Seed 001: <c>POST /api/enrichments</c> — one LinkedIn identifier asking only for contact fields answers at once (200);
/// everything else becomes an operation (202) polled at <c>/api/operations/{id}</c> or <c>/api/enrichments/{id}</c>.
/// </summary>
public static class OperationsEndpoints
{
    public const string Kind = "operations";
    public const int MaxIdentifiers = 100;

    /// <summary>What <c>profile</c> asks for: the profile channels priced together as one Profile (DESIGN §6.1, §7.2).</summary>
    private static readonly string[] ProfileChannels =
    [
        WaterfallChannels.FullName, WaterfallChannels.JobTitle, WaterfallChannels.Seniority, WaterfallChannels.CompanyName,
        WaterfallChannels.CompanyDomain, WaterfallChannels.Location,
    ];

    public sealed record Meta([property: JsonPropertyName("requestId")] string RequestId);
    public sealed record SyncResponse([property: JsonPropertyName("data")] object Data, [property: JsonPropertyName("meta")] Meta Meta);
    public sealed record AcceptedResponse(
        [property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("operationId")] string OperationId,
        [property: JsonPropertyName("status")] string Status, [property: JsonPropertyName("pollUrl")] string PollUrl,
        [property: JsonPropertyName("meta")] Meta Meta);
    public sealed record Operation(
        [property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("progress")] int Progress, [property: JsonPropertyName("result")] object? Result,
        [property: JsonPropertyName("error")] object? Error);

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.UseErrorShapeUnder("/api/enrichments", OperationsErrorShape.Instance);
        app.UseErrorShapeUnder("/api/operations", OperationsErrorShape.Instance);
        var group = app.MapGroup("/api").WithTags(ApiTags.IdentifierEnrichment).WithErrorShape(OperationsErrorShape.Instance);
        group.MapPost("/enrichments", CreateEnrichment).RequirePermission(Permissions.WriteEnrich)
            .WithMetadata(new RateLimited(RateClass.Single, BatchProperty: "identifiers"), Idempotency.IdempotentMetadata.Instance);
        group.MapGet("/operations/{id}", GetOperation).RequirePermission(Permissions.ReadEnrich);
        group.MapGet("/enrichments/{id}", GetOperation).RequirePermission(Permissions.ReadEnrich);
        return app;
    }

    static async Task<Results<Ok<SyncResponse>, Accepted<AcceptedResponse>, ErrorResult>> CreateEnrichment(CreateEnrichmentRequest? body, HttpContext http,
        CallerContext caller, TributaryDb db, EnrichmentService enrichment, JobQueue queue, SurfaceSettings settings, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(out var request) is { } invalid) return new ErrorResult(invalid);
        var (hasOne, identifiers, fields, signals) = (request.Single, request.Identifiers, request.Fields, request.Signals);
        var one = identifiers[0];

        var workspace = caller.Workspace;
        var channels = ChannelsFor(fields, workspace.PersonalEmailConsent);
        var requestId = http.TraceIdentifier;

        if (hasOne && !fields.Contains("signals") && CreateEnrichmentRequest.KnownOf(one).ContainsKey("linkedin_url"))
        {
            var outcome = await enrichment.EnrichAsync(new EnrichmentRequest
            {
                WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = Kind, Known = CreateEnrichmentRequest.KnownOf(one), Channels = channels, Deadline = settings.SyncDeadline,
            }, ct);
            if (outcome is EnrichmentOutcome.InsufficientCredits insufficient) return new ErrorResult(EnrichmentHttp.InsufficientCredits(insufficient));
            var done = (EnrichmentOutcome.Done)outcome;
            http.SetEnrichmentId(done.EnrichmentId);
            var found = done.Run.Found.ToDictionary(x => x.Key, x => ItemChannelOf(x.Value));
            return TypedResults.Ok(new SyncResponse(DataOf(fields, found, workspace.PhoneCountries, one), new Meta(requestId)));
        }

        var options = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["write_back"] = true, ["signals"] = signals, [Kind] = new { fields, single = hasOne },
        });
        var created = await queue.CreateAsync(new NewJob(caller.WorkspaceId, Kind, channels, options, caller.KeyId, Idempotency: caller.Idempotency),
            identifiers.Select(i => new NewItem(CreateEnrichmentRequest.KnownOf(i), i.GetRawText())).ToList(), ct);
        if (created is CreateJobOutcome.InsufficientCredits poor)
            return new ErrorResult(EnrichmentHttp.InsufficientCredits(new EnrichmentOutcome.InsufficientCredits(poor.Needed, poor.Available)));
        var id = "op_" + ((CreateJobOutcome.Created)created).Job.Id;
        return TypedResults.Accepted($"/api/operations/{id}", new AcceptedResponse(id, id, "queued", $"/api/operations/{id}", new Meta(requestId)));
    }

    static async Task<Results<Ok<Operation>, ErrorResult>> GetOperation(string id, CallerContext caller, TributaryDb db, CancellationToken ct)
    {
        if (!id.StartsWith("op_", StringComparison.Ordinal) || !Guid.TryParse(id[3..], out var jobId))
            return new ErrorResult(ApiError.NotFound("Operation"));
        var job = await JobReads.FindAsync(db, caller.WorkspaceId, jobId, Kind, ct);
        if (job is null) return new ErrorResult(ApiError.NotFound("Operation"));
        var workspace = caller.Workspace;
        var status = job.Status switch
        {
            JobStatus.Preparing or JobStatus.Queued => "queued",
            JobStatus.Processing => "processing",
            var s => s,
        };
        var progress = job.Total == 0 ? 100 : (int)(100L * job.Processed / job.Total);
        object? result = null;
        var spec = JsonDocument.Parse(job.OptionsJson).RootElement.GetProperty(Kind);
        var single = spec.GetProperty("single").GetBoolean();
        // A batch shows its items once it has ended, failed included, so that each identifier's error is there to read.
        if (job.Status == JobStatus.Succeeded || (job.Status == JobStatus.Failed && !single))
        {
            var fields = spec.GetProperty("fields").EnumerateArray().Select(x => x.GetString()!).ToList();
            var items = await JobReads.ItemsAsync(db, job.Id, ct);
            if (single)
                result = new
                {
                    data = DataOf(fields, ItemResult.Of(items[0])?.Channels ?? new Dictionary<string, ItemChannel>(), workspace.PhoneCountries,
                        JsonDocument.Parse(items[0].RawJson ?? "{}").RootElement),
                };
            else
                result = new
                {
                    items = items.Select(i =>
                    {
                        var itemResult = ItemResult.Of(i);
                        if (i.Status == JobItemStatus.Erased)
                            return new { status = "failed", error = new { code = "erased", message = "This identifier's data was erased" } };
                        var identifier = JsonDocument.Parse(i.RawJson ?? "{}").RootElement;
                        return itemResult is { Channels.Count: > 0 }
                            ? (object)new { identifier, status = "success", data = DataOf(fields, itemResult.Channels, workspace.PhoneCountries, identifier) }
                            : new { identifier, status = "failed", error = ItemError(i, itemResult) };
                    }).ToList(),
                };
        }
        var error = job.Status == JobStatus.Failed ? new { code = "operation_failed", message = job.Error ?? "The operation failed" } : null;
        return TypedResults.Ok(new Operation("op_" + job.Id, status, progress, result, error));
    }

    private static object ItemError(JobItem item, ItemResult? result) => item.Status == JobItemStatus.Failed
        ? new { code = "processing_error", message = "This identifier could not be processed" }
        : result?.TimedOut == true
            ? new { code = "timeout", message = "The enrichment did not finish in time; nothing was charged for it" }
            : new { code = "no_match", message = "No data was found for this identifier" };

    private static List<string> ChannelsFor(IEnumerable<string> fields, bool personalEmailConsent)
    {
        var channels = new List<string>();
        foreach (var field in fields)
        {
            switch (field)
            {
                case "contact.email":
                    channels.Add(WaterfallChannels.WorkEmail);
                    if (personalEmailConsent) channels.Add(WaterfallChannels.PersonalEmail);
                    break;
                case "work_email": channels.Add(WaterfallChannels.WorkEmail); break;
                case "contact.phone": channels.Add(WaterfallChannels.Phone); break;
                case "profile": channels.AddRange(ProfileChannels); break;
                default: channels.Add(WaterfallChannels.Signals); break;
            }
        }
        return channels.Distinct().ToList();
    }

    /// <summary>
    /// <c>{"contact":{"email":[…],"phone":[…]},"work_email":…,"profile":{…},"signals":{…}}</c> for the requested fields;
    /// <paramref name="identifier"/> is the identifier as sent (the profile's LinkedIn URL when it gave one).
    /// </summary>
    private static Dictionary<string, object?> DataOf(List<string> fields, IReadOnlyDictionary<string, ItemChannel> found,
        IReadOnlyList<string> countries, JsonElement identifier)
    {
        var data = new Dictionary<string, object?>();
        var contact = new Dictionary<string, object?>();
        if (fields.Contains("contact.email"))
            contact["email"] = new[] { WaterfallChannels.WorkEmail, WaterfallChannels.PersonalEmail }
                .Where(found.ContainsKey).Select(c => found[c])
                .Select(e => new { value = e.Value.GetString(), status = e.EmailStatus ?? "unknown", confidence = e.Confidence, source = e.Source })
                .ToList();
        if (fields.Contains("contact.phone"))
            contact["phone"] = found.TryGetValue(WaterfallChannels.Phone, out var p) && p.Value.ValueKind == JsonValueKind.String
                               && PhoneFilter.Allows(p.Value.GetString()!, countries)
                ? new[] { PhoneView(p) }
                : [];
        if (contact.Count > 0) data["contact"] = contact;
        if (fields.Contains("work_email")) data["work_email"] = StringOf(found, WaterfallChannels.WorkEmail);
        if (fields.Contains("profile")) data["profile"] = ProfileOf(found, identifier);
        if (fields.Contains("signals")) data["signals"] = found.TryGetValue(WaterfallChannels.Signals, out var s) ? s.Value : null;
        return data;
    }

    private static Dictionary<string, string?> ProfileOf(IReadOnlyDictionary<string, ItemChannel> found, JsonElement identifier)
    {
        var fullName = StringOf(found, WaterfallChannels.FullName);
        var names = fullName?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var linkedin = identifier.ValueKind == JsonValueKind.Object && identifier.TryGetProperty("linkedin_url", out var l)
                       && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
        return new()
        {
            ["full_name"] = fullName,
            ["first_name"] = names.Length > 0 ? names[0] : null,
            ["last_name"] = names.Length > 1 ? names[1] : null,
            ["job_title"] = StringOf(found, WaterfallChannels.JobTitle),
            ["seniority"] = StringOf(found, WaterfallChannels.Seniority),
            ["company_name"] = StringOf(found, WaterfallChannels.CompanyName),
            ["company_domain"] = StringOf(found, WaterfallChannels.CompanyDomain),
            ["location"] = StringOf(found, WaterfallChannels.Location),
            ["linkedin_url"] = linkedin ?? StringOf(found, WaterfallChannels.LinkedinUrl),
        };
    }

    private static string? StringOf(IReadOnlyDictionary<string, ItemChannel> found, string channel) =>
        found.TryGetValue(channel, out var value) && value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : null;

    private static object PhoneView(ItemChannel p)
    {
        var parsed = PhoneNormalizer.TryNormalize(p.Value.GetString());
        return new { value = parsed?.E164 ?? p.Value.GetString(), type = parsed?.Type ?? "unknown", country = parsed?.Country, confidence = p.Confidence, source = p.Source };
    }

    private static ItemChannel ItemChannelOf(Tributary.Core.Waterfall.ChannelResult r) =>
        new(r.Value, r.Source, r.Confidence, r.EnrichedAt, r.Verified, r.EmailStatus);

}
