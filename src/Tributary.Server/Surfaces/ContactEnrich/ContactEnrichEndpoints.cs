using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Contacts;
using Tributary.Core.Enrichment;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.Native;
using Tributary.Server.RateLimits;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;
using Tributary.Server.Docs;

namespace Tributary.Server.Surfaces.ContactEnrich;

/// <summary>Seed 000: enrich a stored contact in place — <c>POST /v1/enrich/contact</c>, 1 credit per call that changes something.</summary>
public static class ContactEnrichEndpoints
{
    private const string Surface = "contact_enrich";

    /// <summary>
    /// The vendor's documented URLs put its API under this gateway path; clients that kept it only change the host.
    /// </summary>
    public const string GatewayPathBase = "/functions/v1/api-gateway";

    /// <summary>
    /// Serves the <c>/v1</c> API (this surface and the contacts its clients call) under <see cref="GatewayPathBase"/> too,
    /// and nothing else: admin, metrics and docs stay at one path each, so a proxy rule on their prefix holds.
    /// </summary>
    public static IApplicationBuilder UseGatewayPathForTheCrmApi(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments(GatewayPathBase + "/v1", StringComparison.OrdinalIgnoreCase),
            gateway => gateway.UsePathBase(GatewayPathBase));

    /// <summary>The six safe-to-fill fields, the default whitelist.</summary>
    public static readonly IReadOnlyList<string> DefaultFields = ["job_title", "company_name", "linkedin_url", "phone", "location", "seniority"];

    public static readonly IReadOnlyList<string> AllowedFields =
    [
        "job_title", "company_name", "linkedin_url", "phone", "location", "seniority", "email", "full_name", "first_name", "last_name",
        "company_domain", "personal_email",
    ];

    public sealed record EnrichContactResult(ContactDto Contact, IReadOnlyList<string> FieldsUpdated, string? Source, double? Confidence,
        long CreditsRemaining);

    public static IEndpointRouteBuilder MapContactEnrichment(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/enrich/contact", EnrichContact).WithTags(ApiTags.CrmEnrichment).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.WriteEnrich).Charging(RateClass.Single);
        return app;
    }

    static async Task<Results<Ok<Envelope<EnrichContactResult>>, ErrorResult>> EnrichContact(EnrichContactRequest? body, HttpContext http,
        CallerContext caller, TributaryDb db, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(out var contactId, out var fields) is { } invalid) return new ErrorResult(invalid);
        var workspace = caller.Workspace;
        if (fields.Contains("personal_email") && !workspace.PersonalEmailConsent) return new ErrorResult(EnrichmentHttp.ConsentRequired());
        var contact = await ContactStore.InWorkspace(db, caller.WorkspaceId).AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return new ErrorResult(ApiError.NotFound("Contact"));

        var channels = fields.Select(ChannelFor).Distinct().ToList();
        var writable = fields.Select(f => f is "first_name" or "last_name" ? "full_name" : f).ToHashSet();
        var outcome = await enrichment.EnrichAsync(new EnrichmentRequest
        {
            WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = Surface, Known = KnownValues.Of(contact), Channels = channels, ContactId = contactId,
            Overwrite = body.Overwrite, OnlyFields = writable, Deadline = settings.SyncDeadline,
            MaxPriceOverride = 1, ReportBalance = true, PriceOverride = (_, written) => written.UpdatedFields.Count > 0 ? 1 : 0,
        }, ct);
        switch (outcome)
        {
            case EnrichmentOutcome.InsufficientCredits insufficient:
                return new ErrorResult(EnrichmentHttp.InsufficientCredits(insufficient));
            case EnrichmentOutcome.ContactNotFound:
                return new ErrorResult(ApiError.NotFound("Contact"));
            case EnrichmentOutcome.Done done:
                http.SetEnrichmentId(done.EnrichmentId);
                var found = done.Run.Found.Where(f => channels.Contains(f.Key)).Select(f => f.Value).ToList();
                if (found.Count == 0)
                    return new ErrorResult(ApiError.NoMatch("the contact"));
                var updated = done.UpdatedFields;
                var basis = updated.Count > 0
                    ? found.Where(f => updated.Contains(Tributary.Core.Enrichment.WriteBack.FieldFor(f.Channel) ?? "")).ToList()
                    : found;
                var (source, confidence) = CompanyAndEmailEnrichEndpoints.Provenance(basis.Count > 0 ? basis : found);
                return TypedResults.Ok(new Envelope<EnrichContactResult>(new EnrichContactResult(
                    ContactDto.Of(done.Contact ?? contact), updated, source, confidence, done.BalanceAfter)));
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome}");
        }
    }

    private static string ChannelFor(string field) => field switch
    {
        "email" => WaterfallChannels.WorkEmail,
        "first_name" or "last_name" => WaterfallChannels.FullName,
        _ => field,
    };
}
