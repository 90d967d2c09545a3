using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tributary.Server.Auth;

namespace Tributary.Server.Docs;

/// <summary>The tags of the API reference: what each group of routes does and whose API it is compatible with.</summary>
public static class ApiTags
{
    public const string Contacts = "Contacts";
    public const string Companies = "Companies";
    public const string Credits = "Credits";
    public const string Workspace = "Workspace";
    public const string Jobs = "Jobs";
    public const string Traces = "Enrichment traces";
    public const string Webhooks = "Webhooks";
    public const string Erasure = "Erasure and suppression";
    public const string Admin = "Admin";
    public const string Operations = "Operations";
    public const string CrmEnrichment = "CRM contact enrichment (seed 000)";
    public const string IdentifierEnrichment = "Identifier enrichment and operations (seed 001)";
    public const string LeadBulk = "Bulk lead enrichment (seed 002)";
    public const string AsyncContacts = "Async contact enrichment (seed 003)";
    public const string ChannelEnrichment = "Channel enrichment (seed 004)";

    public static readonly IReadOnlyList<(string Name, string Description)> All =
    [
        (ChannelEnrichment, "Compatible with Unstuck's enrichment API: POST identity hints, get the requested channels back " +
                            "(work email, personal email, phone, LinkedIn URL, profile), discover a work email from a name and a " +
                            "company, firmographics of an account, up to 100 records at once."),
        (CrmEnrichment, "Compatible with a CRM's enrichment endpoints: enrich a stored contact or company in place (user values " +
                        "are never overwritten unless asked), or look up an email; 1 credit per call that changes something. " +
                        "Also served under /functions/v1/api-gateway."),
        (IdentifierEnrichment, "Compatible with The Hog's enrichments API: one LinkedIn identifier answers at once, anything " +
                               "else becomes an operation polled at /api/operations/{id}."),
        (LeadBulk, "Compatible with a sales-engagement platform's bulk lead enrichment: emails or phones for stored leads, by " +
                   "ids or by a filtered selection, one record per lead and field."),
        (AsyncContacts, "Compatible with Pronto's API v2: asynchronous single and bulk contact enrichment under /api/v2 (polled " +
                        "or posted to a signed webhook), and its synchronous host under /v2."),
        (Contacts, "The workspace's stored contacts (also called leads): create, read, update, delete, search, bulk upsert, import."),
        (Companies, "Companies, one per domain, created from contacts and by company enrichment."),
        (Jobs, "Bulk enrichment of CSV, JSONL or JSON records, or of stored contacts: progress, streamed results, cancel, estimates."),
        (Credits, "The workspace's balance and its ledger."),
        (Workspace, "The key's workspace and its settings."),
        (Traces, "How one enrichment ran: providers asked in order, outcomes, latencies, cache hits."),
        (Webhooks, "Every webhook delivery attempt, and redelivery."),
        (Erasure, "Erase a person by identity (every copy at once, replays of stored responses answer 410), the erasure log, and " +
                  "the suppression list of hashed identity keys that are never enriched, stored or created again."),
        (Admin, "The operator's API, behind Tributary:AdminToken: workspaces, keys, credits, settings."),
        (Operations, "Health and metrics."),
    ];
}

/// <summary>
/// The reference's prose and security: a summary and a description on every operation, documented query parameters,
/// and the three ways a key travels (DESIGN §3), so that a request sent from /docs with a key is answered.
/// </summary>
public sealed class ApiReference : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string Bearer = "bearer", ApiKeyHeader = "apiKey", AccessKey = "accessKey", SecretKey = "secretKey", AdminToken = "adminToken",
        DownloadToken = "downloadToken";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info.Title = "Tributary API";
        document.Info.Description = "Waterfall contact and company enrichment. Send an API key as `Authorization: Bearer wbk_…`, " +
                                    "`X-Api-Key: wbk_…`, or `X-Access-Key: <key id>` with `X-Secret-Key: wbk_…`.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [Bearer] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "wbk_…", Description = "An API key" },
            [ApiKeyHeader] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "An API key" },
            [AccessKey] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Access-Key", Description = "The key's id" },
            [SecretKey] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Secret-Key", Description = "The key's secret" },
            [AdminToken] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "Tributary:AdminToken" },
            [DownloadToken] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "token",
                Description = "The signed token of a download link (POST /v1/jobs/{id}/download)",
            },
        };
        var used = document.Paths.Values.SelectMany(p => (IEnumerable<OpenApiOperation>?)p.Operations?.Values ?? []).SelectMany(o => (IEnumerable<OpenApiTagReference>?)o.Tags ?? []).Select(t => t.Name).ToHashSet();
        document.Tags = new HashSet<OpenApiTag>(ApiTags.All.Where(t => used.Contains(t.Name))
            .Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var method = context.Description.HttpMethod ?? "";
        var template = "/" + context.Description.RelativePath?.TrimEnd('/');
        if (OperationDocs.For(method, template) is { } docs)
        {
            operation.Summary = docs.Summary;
            operation.Description = docs.Description;
            foreach (var (name, description) in docs.Query)
                if (operation.Parameters?.Any(p => p.Name == name && p.In == ParameterLocation.Query) != true)
                    operation.Parameters = [.. operation.Parameters ?? [], new OpenApiParameter
                    {
                        Name = name, In = ParameterLocation.Query, Required = false, Description = description,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    }];
            if (docs.Bodies.Count > 0)
            {
                // Upload routes read their bodies themselves (no Accepts metadata, whose 415 would come before the 401).
                if (operation.RequestBody is not OpenApiRequestBody body) operation.RequestBody = body = new OpenApiRequestBody { Required = true };
                body.Content ??= new Dictionary<string, OpenApiMediaType>();
                foreach (var (mediaType, example) in docs.Bodies)
                {
                    if (!body.Content.TryGetValue(mediaType, out var media)) body.Content[mediaType] = media = new OpenApiMediaType();
                    media.Example = mediaType == "application/json"
                        ? System.Text.Json.Nodes.JsonNode.Parse(example)
                        : System.Text.Json.Nodes.JsonValue.Create(example);
                    media.Schema ??= new OpenApiSchema { Type = mediaType == "application/json" ? JsonSchemaType.Object : JsonSchemaType.String };
                }
            }
        }
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        OpenApiSecurityRequirement Requirement(params string[] schemes)
        {
            var requirement = new OpenApiSecurityRequirement();
            foreach (var scheme in schemes) requirement[new OpenApiSecuritySchemeReference(scheme, document)] = [];
            return requirement;
        }
        if (metadata.OfType<AdminOnly>().Any()) operation.Security = [Requirement(AdminToken)];
        else if (metadata.OfType<Native.SignedLinkOnly>().Any()) operation.Security = [Requirement(DownloadToken)];
        else if (metadata.OfType<RequiredPermission>().Any())
            operation.Security = [Requirement(Bearer), Requirement(ApiKeyHeader), Requirement(AccessKey, SecretKey)];
        return Task.CompletedTask;
    }
}
