using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Credits;
using Tributary.Core.Enrichment;
using Tributary.Core.Jobs;
using Tributary.Core.Providers.Phones;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.RateLimits;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;
using Tributary.Server.Docs;

namespace Tributary.Server.Surfaces.AsyncContacts;

/// <summary>Seed 003: asynchronous contact enrichment under <c>/api/v2</c>, by polling or a signed webhook per contact.</summary>
public static class AsyncContactsEndpoints
{
    public const int MinBulk = 2, MaxBulk = 100;

    private static IReadOnlyDictionary<string, string> TypeChannels => AsyncContactsRequests.TypeChannels;

    public sealed record Accepted(Guid EnrichmentId, string FirstName, string LastName, string Status, JsonElement Custom);
    public sealed record BulkAcceptedContact(Guid EnrichmentId, JsonElement Custom);
    public sealed record BulkAccepted(Guid EnrichmentId, string Status, IReadOnlyList<BulkAcceptedContact> Contacts);
    public sealed record CreditsBody(long Credits);

    public sealed record AccountBody(Guid Id, string Name, string? Email, AccountOrganization Organization);
    public sealed record AccountOrganization(Guid Id, string Name);

    /// <summary>
    /// The vendor's API under <c>/api/v2</c>, and again under <c>/v2</c> as its synchronous host serves it, where
    /// <c>single_enrich</c> (also <c>sync_single_enrich</c>) answers with the result (DESIGN §7.4).
    /// </summary>
    public static IEndpointRouteBuilder MapAsyncContacts(this IEndpointRouteBuilder app)
    {
        var asynchronous = Group(app, "/api/v2");
        asynchronous.MapPost("/contacts/single_enrich", SingleEnrich).RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Single);
        var synchronous = Group(app, "/v2");
        synchronous.MapPost("/contacts/single_enrich", SyncSingleEnrich).RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Single);
        synchronous.MapPost("/contacts/sync_single_enrich", SyncSingleEnrich).RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Single);
        foreach (var group in new[] { asynchronous, synchronous })
        {
            group.MapPost("/contacts/bulk_enrich", BulkEnrich).RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Bulk);
            group.MapGet("/contacts/{enrichmentId}", GetEnrichment).RequirePermission(Permissions.ReadEnrich);
            group.MapGet("/credits", GetCredits).RequirePermission(Permissions.ReadCredits);
            group.MapGet("/account", GetAccount).RequireApiKey();
        }
        return app;
    }

    private static RouteGroupBuilder Group(IEndpointRouteBuilder app, string prefix)
    {
        app.UseErrorShapeUnder(prefix, AsyncContactsErrorShape.Instance);
        return app.MapGroup(prefix).WithTags(ApiTags.AsyncContacts).WithErrorShape(AsyncContactsErrorShape.Instance);
    }

    static async Task<Results<Ok<Accepted>, ErrorResult>> SingleEnrich(SingleEnrichRequest? body, CallerContext caller, TributaryDb db, JobQueue queue,
        WebhookTargetGuard guard, CancellationToken ct)
    {
        var workspace = caller.Workspace;
        if (ParseSingle(body, workspace, guard, out var types, out var contact, out var webhook) is { } invalid) return new ErrorResult(invalid);
        var (job, problem) = await CreateJobAsync(queue, caller, types, webhook, [contact], ct);
        if (problem is not null) return new ErrorResult(problem);
        var item = (await JobReads.ItemsAsync(db, job!.Id, ct)).Single();
        var input = JsonSerializer.Deserialize<AsyncContactInput>(item.RawJson!)!;
        return TypedResults.Ok(new Accepted(item.Id, input.FirstName, input.LastName, "pending", input.Custom));
    }

    /// <summary>
    /// The synchronous host's single_enrich: runs at once within the sync deadline, answers the result, stores it so
    /// that it polls like an asynchronous one, and posts it to <c>webhook_url</c> when one was given.
    /// </summary>
    static async Task<Results<Ok<Dictionary<string, object?>>, ErrorResult>> SyncSingleEnrich(SingleEnrichRequest? body, HttpContext http,
        CallerContext caller, EnrichmentService enrichment, JobQueue queue, AsyncContactsWebhook webhooks, SurfaceSettings settings,
        WebhookTargetGuard guard, CancellationToken ct)
    {
        var workspace = caller.Workspace;
        if (ParseSingle(body, workspace, guard, out var types, out var contact, out var webhook) is { } invalid) return new ErrorResult(invalid);
        var channels = types.Select(t => TypeChannels[t]).ToList();
        var outcome = await enrichment.EnrichAsync(new EnrichmentRequest
        {
            WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = AsyncContactView.Kind, Known = contact.Known, Channels = channels,
            Deadline = settings.SyncDeadline,
        }, ct);
        if (outcome is EnrichmentOutcome.InsufficientCredits insufficient) return new ErrorResult(EnrichmentHttp.InsufficientCredits(insufficient));
        if (outcome is EnrichmentOutcome.ConsentRequired) return new ErrorResult(Consent());
        var done = (EnrichmentOutcome.Done)outcome;
        http.SetEnrichmentId(done.EnrichmentId);
        // The pollable result and its webhook are stored together, so that one never goes without the other.
        JobItem item;
        await using (var db = queue.NewDb())
        await using (var tx = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            (var job, item) = await queue.RecordFinishedAsync(db,
                new NewJob(caller.WorkspaceId, AsyncContactView.Kind, channels, JobOptions(types, webhook), caller.KeyId, Idempotency: caller.Idempotency),
                new NewItem(contact.Known, JsonSerializer.Serialize(contact.Input)), done, CancellationToken.None);
            await webhooks.OnItemDoneAsync(db, job, item, done, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        return TypedResults.Ok(AsyncContactView.SynchronousOf(item, contact.Known, workspace.PhoneCountries));
    }

    static Ok<AccountBody> GetAccount(CallerContext caller) =>
        TypedResults.Ok(new AccountBody(caller.KeyId, caller.Key.Name, null, new AccountOrganization(caller.WorkspaceId, caller.Workspace.Name)));

    static async Task<Results<Accepted<BulkAccepted>, ErrorResult>> BulkEnrich(BulkEnrichRequest? body, CallerContext caller, TributaryDb db,
        JobQueue queue, WebhookTargetGuard guard, CancellationToken ct)
    {
        var workspace = caller.Workspace;
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(guard, out var types, out var contacts, out var webhook) is { } invalid) return new ErrorResult(invalid);
        if (types.Contains("personal_email") && !workspace.PersonalEmailConsent) return new ErrorResult(Consent());
        var (job, problem) = await CreateJobAsync(queue, caller, types, webhook, contacts, ct);
        if (problem is not null) return new ErrorResult(problem);
        var items = await JobReads.ItemsAsync(db, job!.Id, ct);
        return TypedResults.Accepted($"/api/v2/contacts/{job!.Id}", new BulkAccepted(job.Id, "queued",
            items.Select(i => new BulkAcceptedContact(i.Id, JsonSerializer.Deserialize<AsyncContactInput>(i.RawJson!)!.Custom)).ToList()));
    }

    /// <summary>A contact's result by its enrichment_id, or a bulk request's results by the batch's id.</summary>
    static async Task<Results<Ok<Dictionary<string, object?>>, ErrorResult>> GetEnrichment(string enrichmentId, CallerContext caller,
        TributaryDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(enrichmentId, out var id)) return new ErrorResult(ApiError.NotFound("Enrichment"));
        var workspace = caller.Workspace;
        if (await JobReads.FindItemAsync(db, caller.WorkspaceId, id, ct) is var (item, job) && job.Kind == AsyncContactView.Kind)
            return TypedResults.Ok(AsyncContactView.Of(job, item, workspace.PhoneCountries));
        var batch = await JobReads.FindAsync(db, caller.WorkspaceId, id, AsyncContactView.Kind, ct);
        if (batch is null) return new ErrorResult(ApiError.NotFound("Enrichment"));
        var items = await JobReads.ItemsAsync(db, batch.Id, ct);
        return TypedResults.Ok(new Dictionary<string, object?>
        {
            ["enrichment_id"] = batch.Id,
            ["status"] = batch.Status switch { JobStatus.Queued or JobStatus.Preparing => "queued", JobStatus.Processing => "processing", _ => "finished" },
            ["contacts"] = items.Select(i => AsyncContactView.Of(batch, i, workspace.PhoneCountries)).ToList(),
        });
    }

    static async Task<Ok<CreditsBody>> GetCredits(CallerContext caller, TributaryDb db, Ledger ledger, CancellationToken ct) =>
        TypedResults.Ok(new CreditsBody((await ledger.GetBalanceAsync(db, caller.WorkspaceId, ct)).Balance));

    private static async Task<(Job? Job, ApiError? Error)> CreateJobAsync(JobQueue queue, CallerContext caller, List<string> types, string? webhook,
        List<AsyncContact> contacts, CancellationToken ct)
    {
        var outcome = await queue.CreateAsync(
            new NewJob(caller.WorkspaceId, AsyncContactView.Kind, types.Select(t => TypeChannels[t]).ToList(), JobOptions(types, webhook), caller.KeyId, Idempotency: caller.Idempotency),
            contacts.Select(c => new NewItem(c.Known, JsonSerializer.Serialize(c.Input))).ToList(), ct);
        return outcome switch
        {
            CreateJobOutcome.InsufficientCredits i => (null, EnrichmentHttp.InsufficientCredits(new EnrichmentOutcome.InsufficientCredits(i.Needed, i.Available))),
            CreateJobOutcome.Created c => (c.Job, null),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>The body of single_enrich, on both hosts: types, the contact, the webhook, and consent for personal email.</summary>
    private static ApiError? ParseSingle(SingleEnrichRequest? body, Workspace workspace, WebhookTargetGuard guard, out List<string> types,
        out AsyncContact contact, out string? webhook)
    {
        (types, contact, webhook) = ([], default, null);
        if (body is null) return ApiError.NotAnObject();
        if (body.Validate(guard, out types, out contact, out webhook) is { } invalid) return invalid;
        return types.Contains("personal_email") && !workspace.PersonalEmailConsent ? Consent() : null;
    }

    private static string JobOptions(List<string> types, string? webhook) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["write_back"] = true, [AsyncContactView.Kind] = new AsyncContactsJob(types, webhook),
    });

    private static ApiError Consent() => new(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ConsentRequired, AsyncContactsErrorShape.ConsentMessage);
}

/// <summary>Posts each finished contact's result to the request's webhook, through the outbox, signed.</summary>
public sealed class AsyncContactsWebhook(TimeProvider time) : IJobItemListener
{
    public string Kind => AsyncContactView.Kind;

    public async Task OnItemDoneAsync(TributaryDb db, Job job, JobItem item, EnrichmentOutcome.Done done, CancellationToken ct)
    {
        if (AsyncContactView.JobOf(job).WebhookUrl is not { } url) return;
        var workspace = (await db.Workspaces.FindAsync([job.WorkspaceId], ct))!;
        var stored = new JobItem
        {
            Id = item.Id, JobId = item.JobId, WorkspaceId = item.WorkspaceId, InputJson = item.InputJson, RawJson = item.RawJson,
            Status = JobItemStatus.Done, ResultJson = JsonSerializer.Serialize(ItemResult.Of(done)),
        };
        var payload = JsonSerializer.Serialize(AsyncContactView.Of(job, stored, workspace.PhoneCountries));
        WebhookOutbox.Enqueue(db, job.WorkspaceId, "contact.enriched", url, payload, time, done.Contact?.Id);
        await db.SaveChangesAsync(ct);
    }
}
