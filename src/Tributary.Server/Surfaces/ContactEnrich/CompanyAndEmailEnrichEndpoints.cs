using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Companies;
using Tributary.Core.Contacts;
using Tributary.Core.Enrichment;
using Tributary.Core.Providers.Verification;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.Native;
using Tributary.Server.RateLimits;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;
using Tributary.Server.Docs;

namespace Tributary.Server.Surfaces.ContactEnrich;

/// <summary>Seed 000's siblings: <c>POST /v1/enrich/company</c> (stored company, in place) and <c>POST /v1/enrich/email</c> (look-up only).</summary>
public static class CompanyAndEmailEnrichEndpoints
{
    /// <summary>Public company field → the company channels behind it.</summary>
    private static readonly Dictionary<string, string[]> CompanyFieldChannels = new()
    {
        ["name"] = [WaterfallChannels.CompanyName], ["industry"] = ["industry"], ["size"] = ["employee_count"], ["founded_year"] = ["founded_year"],
        ["description"] = ["description"], ["hq_location"] = ["hq_city", "hq_country"], ["logo_url"] = ["logo_url"],
        ["linkedin_url"] = ["company_linkedin_url"], ["tech_stack"] = ["tech_stack"],
    };


    public sealed record CompanyView(Guid? Id, string? Name, string Domain, string? Industry, string? Size, int? FoundedYear, string? HqLocation,
        string? Description, string? LogoUrl, string? LinkedinUrl, IReadOnlyList<string>? TechStack)
    {
        public static CompanyView Of(Company c) => new(c.Id, c.Name, c.Domain, c.Industry, SizeBand(c.EmployeeCount), c.FoundedYear,
            Location(c.HqCity, c.HqCountry), c.Description, c.LogoUrl, c.CompanyLinkedinUrl,
            c.TechStackJson is null ? null : JsonSerializer.Deserialize<List<string>>(c.TechStackJson));
    }

    public sealed record EnrichCompanyResult(CompanyView Company, IReadOnlyList<string> FieldsUpdated, string? Source, double? Confidence, long CreditsRemaining);

    public static IEndpointRouteBuilder MapCompanyAndEmailEnrichment(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/enrich").WithTags(ApiTags.CrmEnrichment).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.WriteEnrich);
        group.MapPost("/company", EnrichCompany).Charging(RateClass.Single);
        group.MapPost("/email", EnrichEmail).Charging(RateClass.Single);
        return app;
    }

    static async Task<Results<Ok<Envelope<EnrichCompanyResult>>, ErrorResult>> EnrichCompany(EnrichCompanyRequest? body, HttpContext http,
        CallerContext caller, TributaryDb db, EnrichmentService enrichment, SurfaceSettings settings, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(CompanyFieldChannels.Keys, out var companyId, out var fields) is { } invalid) return new ErrorResult(invalid);
        string? domain;
        if (companyId is { } id)
        {
            var stored = await db.Companies.AsNoTracking().FirstOrDefaultAsync(c => c.WorkspaceId == caller.WorkspaceId && c.Id == id, ct);
            if (stored is null) return new ErrorResult(ApiError.NotFound("Company"));
            domain = stored.Domain;
        }
        else domain = Identity.Domain(body.Domain);
        if (domain is null || !domain.Contains('.')) return new ErrorResult(ApiError.Validation("company_id or domain is required"));
        var channels = fields.SelectMany(f => CompanyFieldChannels[f]).Distinct().ToList();
        var outcome = await enrichment.EnrichAsync(new EnrichmentRequest
        {
            WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = "contact_enrich/company", IsCompany = true, Overwrite = body.Overwrite,
            Known = new Dictionary<string, JsonElement> { ["domain"] = JsonSerializer.SerializeToElement(domain) }, Channels = channels,
            Deadline = settings.SyncDeadline, MaxPriceOverride = 1, ReportBalance = true, PriceOverride = (_, written) => written.UpdatedFields.Count > 0 ? 1 : 0,
        }, ct);
        switch (outcome)
        {
            case EnrichmentOutcome.InsufficientCredits insufficient:
                return new ErrorResult(EnrichmentHttp.InsufficientCredits(insufficient));
            case EnrichmentOutcome.Done done:
                http.SetEnrichmentId(done.EnrichmentId);
                if (done.Run.Found.Count == 0 || done.Company is null)
                    return new ErrorResult(ApiError.NoMatch("the company"));
                var updated = fields.Where(f => CompanyFieldChannels[f].Any(c => done.UpdatedFields.Contains(c == WaterfallChannels.CompanyName ? "name" : c))).ToList();
                var (source, confidence) = Provenance(done.Run.Found.Values.ToList());
                return TypedResults.Ok(new Envelope<EnrichCompanyResult>(new EnrichCompanyResult(
                    CompanyView.Of(done.Company), updated, source, confidence, done.BalanceAfter)));
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome}");
        }
    }

    /// <summary>Looks a person up by email: person, company and social sections; writes nothing to stored contacts.</summary>
    static async Task<Results<Ok<Envelope<Dictionary<string, object?>>>, ErrorResult>> EnrichEmail(EnrichEmailRequest? body, HttpContext http,
        CallerContext caller, EnrichmentService enrichment, IEmailVerifier verifier, SurfaceSettings settings, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        if (body.Validate(out var email, out var include) is { } invalid) return new ErrorResult(invalid);
        var channels = new List<string>();
        if (include.Contains("person")) channels.AddRange([WaterfallChannels.FullName, WaterfallChannels.JobTitle, WaterfallChannels.Seniority, WaterfallChannels.Location, WaterfallChannels.LinkedinUrl]);
        if (include.Contains("company")) channels.AddRange([WaterfallChannels.CompanyName, WaterfallChannels.CompanyDomain]);
        if (include.Contains("social")) channels.AddRange([WaterfallChannels.LinkedinUrl, WaterfallChannels.XHandle, WaterfallChannels.GithubUsername]);
        channels = channels.Distinct().ToList();
        var known = new Dictionary<string, JsonElement> { ["email"] = JsonSerializer.SerializeToElement(email.ToLowerInvariant()) };
        var outcome = await enrichment.EnrichAsync(new EnrichmentRequest
        {
            WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = "contact_enrich/email", Known = known, Channels = channels, WriteBack = false,
            Deadline = settings.SyncDeadline, MaxPriceOverride = 1, ReportBalance = true, PriceOverride = (run, _) => run.Found.Count > 0 ? 1 : 0,
        }, ct);
        if (outcome is EnrichmentOutcome.InsufficientCredits insufficient) return new ErrorResult(EnrichmentHttp.InsufficientCredits(insufficient));
        var done = (EnrichmentOutcome.Done)outcome;
        http.SetEnrichmentId(done.EnrichmentId);
        if (done.Run.Found.Count == 0)
            return new ErrorResult(ApiError.NoMatch("this email"));
        string? Text(string channel) => done.Run.Found.TryGetValue(channel, out var r) ? r.Value.ToString() : null;

        Dictionary<string, JsonElement> firmographics = [];
        if (include.Contains("company") && Text(WaterfallChannels.CompanyDomain) is { } domain)
        {
            var account = await enrichment.EnrichAsync(new EnrichmentRequest
            {
                WorkspaceId = caller.WorkspaceId, Idempotency = caller.Idempotency, Surface = "contact_enrich/email", IsCompany = true, WriteBack = false,
                Known = new Dictionary<string, JsonElement> { ["domain"] = JsonSerializer.SerializeToElement(domain) },
                Channels = ["industry", "employee_count", "founded_year", "hq_city", "hq_country", "description", "company_linkedin_url"],
                Deadline = settings.SyncDeadline, MaxPriceOverride = 0, PriceOverride = (_, _) => 0,
            }, ct);
            if (account is EnrichmentOutcome.Done a) firmographics = a.Run.Found.ToDictionary(f => f.Key, f => f.Value.Value);
        }
        string? Firm(string channel) => firmographics.TryGetValue(channel, out var v) ? v.ToString() : null;

        var full = Text(WaterfallChannels.FullName);
        var names = full?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var data = new Dictionary<string, object?>();
        if (include.Contains("person"))
            data["person"] = new Dictionary<string, object?>
            {
                ["full_name"] = full, ["first_name"] = names?.ElementAtOrDefault(0), ["last_name"] = names?.ElementAtOrDefault(1),
                ["job_title"] = Text(WaterfallChannels.JobTitle), ["seniority"] = Text(WaterfallChannels.Seniority), ["location"] = Text(WaterfallChannels.Location),
                ["linkedin_url"] = Text(WaterfallChannels.LinkedinUrl),
            };
        if (include.Contains("company"))
            data["company"] = new Dictionary<string, object?>
            {
                ["name"] = Text(WaterfallChannels.CompanyName), ["domain"] = Text(WaterfallChannels.CompanyDomain), ["industry"] = Firm("industry"),
                ["size"] = SizeBand(firmographics.TryGetValue("employee_count", out var ec) && ec.TryGetInt32(out var n) ? n : null),
                ["founded_year"] = firmographics.TryGetValue("founded_year", out var fy) && fy.TryGetInt32(out var y) ? y : null,
                ["hq_location"] = Location(Firm("hq_city"), Firm("hq_country")), ["description"] = Firm("description"),
                ["linkedin_url"] = Firm("company_linkedin_url"),
            };
        if (include.Contains("social"))
            data["social"] = new Dictionary<string, object?>
            {
                ["linkedin_url"] = Text(WaterfallChannels.LinkedinUrl), ["x_handle"] = Text(WaterfallChannels.XHandle), ["github_username"] = Text(WaterfallChannels.GithubUsername),
            };
        data["deliverable"] = body.Verify ? (await verifier.VerifyAsync(email, ct)).Verified : null;
        var (source, confidence) = Provenance(done.Run.Found.Values.ToList());
        data["source"] = source;
        data["confidence"] = confidence;
        data["credits_remaining"] = done.BalanceAfter;
        return TypedResults.Ok(new Envelope<Dictionary<string, object?>>(data));
    }

    /// <summary>The provider that supplied most values (<c>cached</c> when all came from the cache), and their lowest confidence.</summary>
    internal static (string? Source, double? Confidence) Provenance(IReadOnlyList<ChannelResult> found)
    {
        if (found.Count == 0) return (null, null);
        var source = found.All(f => f.FromCache) ? "cached"
            : found.Where(f => !f.FromCache).GroupBy(f => f.Source).OrderByDescending(g => g.Count()).First().Key;
        return (source, found.Min(f => f.Confidence));
    }

    public static string? SizeBand(int? employees) => employees switch
    {
        null => null,
        <= 10 => "1-10",
        <= 50 => "11-50",
        <= 200 => "51-200",
        <= 500 => "201-500",
        <= 1000 => "501-1000",
        <= 5000 => "1001-5000",
        <= 10000 => "5001-10000",
        _ => "10001+",
    };

    private static string? Location(string? city, string? country) =>
        city is null && country is null ? null : string.Join(", ", new[] { city, country }.Where(p => !string.IsNullOrEmpty(p)));
}
