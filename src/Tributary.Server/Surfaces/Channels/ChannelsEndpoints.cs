using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Contacts;
using Tributary.Core.Enrichment;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.RateLimits;
using Tributary.Core.RateLimits;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;
using Tributary.Server.Docs;

namespace Tributary.Server.Surfaces.Channels;

/// <summary>Seed 004: channel enrichment — <c>/enrichment</c>, <c>/enrichment/discover</c>, <c>/enrichment/account</c>, <c>/enrichment/bulk</c>.</summary>
public static class ChannelsEndpoints
{
    public const int MaxBulk = 100;
    private const string Surface = "channels";

    public sealed record BulkRequest(List<JsonElement>? Records, List<string>? Channels, bool Force = false);
    public sealed record BulkResponse(IReadOnlyList<object> Results, long CreditsUsed);
    private sealed record BulkItem(object Body, long Credits);

    public static IEndpointRouteBuilder MapChannelEnrichment(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/enrichment").WithTags(ApiTags.ChannelEnrichment).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.WriteEnrich);
        group.MapPost("/", EnrichRecord).Charging(RateClass.Single);
        group.MapPost("/discover", DiscoverRecord).Charging(RateClass.Single);
        group.MapPost("/account", EnrichAccount).Charging(RateClass.Single);
        group.MapPost("/bulk", EnrichBulk).Charging(RateClass.Bulk);
        return app;
    }

    static Task<Results<Ok<ChannelEnrichResponse>, ErrorResult>> EnrichRecord(ChannelEnrichRequest body, HttpContext http,
        CallerContext caller, TributaryDb db, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct) =>
        RunOneAsync(body, discover: false, http, caller, db, enrichment, settings, ct);

    static Task<Results<Ok<ChannelEnrichResponse>, ErrorResult>> DiscoverRecord(ChannelEnrichRequest body, HttpContext http,
        CallerContext caller, TributaryDb db, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct) =>
        RunOneAsync(body, discover: true, http, caller, db, enrichment, settings, ct);

    private static async Task<Results<Ok<ChannelEnrichResponse>, ErrorResult>> RunOneAsync(ChannelEnrichRequest body, bool discover,
        HttpContext http, CallerContext caller, TributaryDb db, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct)
    {
        var workspace = caller.Workspace;
        var plan = Plan(body, discover, workspace);
        if (plan.Error is not null) return new ErrorResult(plan.Error);
        var (result, error) = await EnrichAsync(plan, discover, caller, enrichment, settings, ct);
        if (error is not null) return new ErrorResult(error);
        http.SetEnrichmentId(result!.Value.EnrichmentId);
        return TypedResults.Ok(result.Value.Response);
    }

    static async Task<Results<Ok<BulkResponse>, ErrorResult>> EnrichBulk(BulkRequest body, HttpContext http, CallerContext caller,
        TributaryDb db, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct)
    {
        if (body.Records is not { Count: > 0 and <= MaxBulk } records)
            return new ErrorResult(ApiError.Validation($"'records' must hold 1 to {MaxBulk} records"));
        if (UnknownChannel(body.Channels) is { } unknown) return new ErrorResult(unknown);
        var workspace = caller.Workspace;
        var plans = new List<RecordPlan>();
        foreach (var record in records)
        {
            ChannelEnrichRequest? parsed = null;
            try
            {
                parsed = record.ValueKind == JsonValueKind.Object ? record.Deserialize<ChannelEnrichRequest>(SurfaceJson.SnakeCase) : null;
            }
            catch (JsonException)
            {
            }
            plans.Add(parsed is null
                ? new RecordPlan(null!, [], [], ApiError.Validation("a record must be an object of identity hints"))
                : Plan(parsed with { Channels = body.Channels, Force = body.Force || parsed.Force }, discover: false, workspace));
        }
        if (plans.FirstOrDefault(p => p.Error?.Code == ErrorCodes.ConsentRequired) is { } consent) return new ErrorResult(consent.Error!);
        var runs = plans.Select(async plan =>
        {
            if (plan.Error is not null) return new BulkItem(new { error = new { code = plan.Error.Code, message = plan.Error.Message } }, 0);
            var (result, error) = await EnrichAsync(plan, discover: false, caller, enrichment, settings, ct);
            if (error is not null) return new BulkItem(new { error = new { code = error.Code, message = error.Message } }, 0);
            // A record cut by the deadline answers an error in its place; what it found before is kept and counted.
            return result!.Value.TimedOut
                ? new BulkItem(new { error = new { code = "deadline_exceeded", message = "The record did not finish within the request's deadline" } },
                    result.Value.Response.CreditsUsed)
                : new BulkItem(result.Value.Response, result.Value.Response.CreditsUsed);
        });
        var results = await Task.WhenAll(runs);
        return TypedResults.Ok(new BulkResponse(results.Select(r => r.Body).ToList(), results.Sum(r => r.Credits)));
    }

    static async Task<Results<Ok<AccountEnrichResponse>, ErrorResult>> EnrichAccount(AccountEnrichRequest body, HttpContext http,
        CallerContext caller, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct)
    {
        if (Identity.Domain(body.Domain) is not { } domain || !domain.Contains('.'))
            return new ErrorResult(ApiError.Validation("'domain' is required: a company domain such as westmarkrobotics.com"));
        var outcome = await enrichment.EnrichAsync(new EnrichmentRequest
        {
            WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = "channels/account", IsCompany = true, Force = body.Force,
            Known = new Dictionary<string, JsonElement> { ["domain"] = JsonSerializer.SerializeToElement(domain) },
            Channels = WaterfallChannels.Company, Deadline = settings.SyncDeadline,
        }, ct);
        switch (outcome)
        {
            case EnrichmentOutcome.InsufficientCredits insufficient:
                return new ErrorResult(EnrichmentHttp.InsufficientCredits(insufficient));
            case EnrichmentOutcome.Done done:
                http.SetEnrichmentId(done.EnrichmentId);
                var fields = WaterfallChannels.Company.ToDictionary(c => c, c => done.Run.Found.TryGetValue(c, out var r) ? r.Value : (JsonElement?)null);
                return TypedResults.Ok(new AccountEnrichResponse(done.Company?.Id, domain, fields, done.Charged));
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome}");
        }
    }

    private sealed record RecordPlan(ChannelEnrichRequest Request, Dictionary<string, JsonElement> Known, List<string> Channels, ApiError? Error,
        List<string>? Reported = null);

    private static RecordPlan Plan(ChannelEnrichRequest body, bool discover, Workspace workspace)
    {
        var known = KnownOf(body);
        if (discover && !EnrichmentRules.CanDiscover(known))
            return new RecordPlan(body, known, [], ApiError.Validation(EnrichmentRules.DiscoverNeedsNameAtCompany));
        if (!EnrichmentRules.HasIdentityHint(known))
            return new RecordPlan(body, known, [], ApiError.Validation(EnrichmentRules.IdentityHintRequired));
        if (UnknownChannel(body.Channels) is { } unknown) return new RecordPlan(body, known, [], unknown);
        var reported = (body.Channels ?? EnrichmentRules.DefaultPersonChannels).Distinct().ToList();
        var run = reported.ToList();
        if (run.Contains(WaterfallChannels.PersonalEmail) && !workspace.PersonalEmailConsent)
        {
            if (body.Channels is not null) return new RecordPlan(body, known, [], EnrichmentHttp.ConsentRequired());
            run.Remove(WaterfallChannels.PersonalEmail);
        }
        return new RecordPlan(body, known, run, null, reported);
    }

    private static ApiError? UnknownChannel(List<string>? channels)
    {
        if (channels is null) return null;
        if (channels.Count == 0) return ApiError.Validation("'channels' must not be empty");
        var unknown = EnrichmentRules.UnknownPersonChannels(channels);
        return unknown.Count == 0 ? null
            : ApiError.Validation($"unknown channel(s): {string.Join(", ", unknown)}; known: {string.Join(", ", WaterfallChannels.Person)}");
    }

    private static async Task<((Guid EnrichmentId, ChannelEnrichResponse Response, bool TimedOut)? Result, ApiError? Error)> EnrichAsync(
        RecordPlan plan, bool discover, CallerContext caller, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct)
    {
        var outcome = await enrichment.EnrichAsync(new EnrichmentRequest
        {
            WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = discover ? "channels/discover" : Surface, Known = plan.Known,
            Channels = plan.Channels, Force = plan.Request.Force, Discover = discover, Deadline = settings.SyncDeadline,
        }, ct);
        switch (outcome)
        {
            case EnrichmentOutcome.InsufficientCredits insufficient:
                return (null, EnrichmentHttp.InsufficientCredits(insufficient));
            case EnrichmentOutcome.Done done:
                var channels = plan.Reported!.ToDictionary(c => c,
                    c => done.Run.Found.TryGetValue(c, out var r) ? ChannelValue.Of(r) : null);
                return ((done.EnrichmentId, new ChannelEnrichResponse(done.Contact?.Id, channels, done.Charged), done.Run.TimedOut), null);
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome}");
        }
    }

    private static Dictionary<string, JsonElement> KnownOf(ChannelEnrichRequest body)
    {
        var known = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) known[name] = JsonSerializer.SerializeToElement(value.Trim());
        }
        Add("email", body.Email);
        Add("linkedin_url", body.LinkedinUrl);
        Add("company_domain", body.CompanyDomain);
        Add("company_name", body.CompanyName);
        Add("first_name", body.FirstName);
        Add("last_name", body.LastName);
        Add("full_name", body.FullName);
        Add("x_handle", body.XHandle);
        Add("github_username", body.GithubUsername);
        Add("phone", body.Phone);
        KnownValues.CompleteNames(known);
        return known;
    }
}
