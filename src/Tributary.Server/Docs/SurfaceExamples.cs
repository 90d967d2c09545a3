using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Tributary.Core.Enrichment;
using Tributary.Core.RateLimits;
using Tributary.Server.Auth;
using Tributary.Server.Configuration;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.Idempotency;
using Tributary.Server.Observability;
using Tributary.Server.RateLimits;

namespace Tributary.Server.Docs;

/// <summary>
/// Fills the OpenAPI document with what the server answers: each route's request and response examples from
/// <see cref="SurfaceExampleCatalog"/>; its errors, written through the route's own <see cref="IErrorShape"/> so that they
/// cannot drift from the bodies the server sends; and, on authenticated routes, the headers of DESIGN §7 (request id,
/// rate limits, idempotency).
/// </summary>
public sealed partial class SurfaceExamples(IOptions<JsonOptions> json, TributaryOptions options, RateLimitOptions limits)
    : IOpenApiOperationTransformer
{
    private const string JsonMediaType = "application/json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var method = context.Description.HttpMethod ?? "";
        var template = "/" + context.Description.RelativePath?.TrimEnd('/');
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var route = SurfaceExampleCatalog.Routes.GetValueOrDefault((method, template));
        if (route is not null)
        {
            AddRequestExamples(operation, route);
            AddQueryParameters(operation, route);
            foreach (var status in route.Responses.GroupBy(r => r.Status))
                SetExamples(MediaType(operation, status.Key), status.Select(r => r.Example).ToList());
        }
        var shape = metadata.OfType<IErrorShape>().LastOrDefault() ?? NativeErrorShape.Instance;
        await AddDefaultErrorAsync(operation, context, shape, ct);
        if (metadata.OfType<RequiredPermission>().LastOrDefault() is not { } permission) return;

        var charging = metadata.OfType<IdempotentMetadata>().Any();
        var bodyLimit = metadata.OfType<LargeBodyMetadata>().Any() ? options.Limits.MaxImportBytes : options.Limits.MaxJsonBytes;
        var errors = (route?.Errors ?? [])
            .Concat(CommonErrors(method, permission, charging, metadata.OfType<RateLimited>().LastOrDefault(), bodyLimit)).ToList();
        // A route with examples lists every error it can answer; the generator's guesses for the others go.
        if (route is not null) RemoveErrorResponses(operation, except: errors.Select(e => e.Status).ToHashSet());
        await AddErrorExamplesAsync(operation, context, shape, SamplePath(template), errors, ct);
        if (charging) operation.Parameters = [.. operation.Parameters ?? [], IdempotencyKeyParameter];
        AddHeaders(operation, context.Document!, charging);
        SortResponses(operation.Responses!);
    }

    /// <summary>The errors every authenticated route shares, from its metadata: key, permission, credits, idempotency, limits.</summary>
    private IEnumerable<ApiError> CommonErrors(string method, RequiredPermission permission, bool charging, RateLimited? rateLimited, long bodyLimit)
    {
        yield return ApiError.InvalidKey;
        if (permission.Permission is { } needed) yield return ApiError.MissingPermission(needed);
        if (charging)
        {
            yield return EnrichmentHttp.InsufficientCredits(new EnrichmentOutcome.InsufficientCredits(Needed: 2, Available: 0));
            yield return ApiError.IdempotencyInProgress;
            yield return ApiError.IdempotencyKeyReused;
        }
        if (!HttpMethods.IsGet(method))
        {
            yield return ApiError.PayloadTooLarge(bodyLimit);
            var (limit, window) = rateLimited?.Class switch
            {
                RateClass.Single => (limits.SinglePerMinute, "minute"),
                RateClass.Bulk => (limits.BulkPerMinute, "minute"),
                _ => (limits.PerDay, "day"),
            };
            yield return ApiError.RateLimited(limit, window);
        }
        yield return ApiError.Internal;
    }

    private static void AddRequestExamples(OpenApiOperation operation, RouteExamples route)
    {
        if (route.Requests.Count == 0) return;
        if (operation.RequestBody is not OpenApiRequestBody body) operation.RequestBody = body = new OpenApiRequestBody { Required = true };
        body.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (!body.Content.TryGetValue(JsonMediaType, out var media)) body.Content[JsonMediaType] = media = new OpenApiMediaType();
        SetExamples(media, route.Requests);
    }

    private static void AddQueryParameters(OpenApiOperation operation, RouteExamples route)
    {
        foreach (var query in route.Query)
            operation.Parameters = [.. operation.Parameters ?? [], new OpenApiParameter
            {
                Name = query.Name, In = ParameterLocation.Query, Required = true, Description = query.Description,
                Example = JsonValue.Create(query.Example),
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. query.Values.Select(v => (JsonNode)JsonValue.Create(v))] },
            }];
    }

    private async Task AddErrorExamplesAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, IErrorShape shape,
        string samplePath, IEnumerable<ApiError> errors, CancellationToken ct)
    {
        var http = new DefaultHttpContext { TraceIdentifier = SurfaceExampleCatalog.RequestId };
        http.Request.Path = samplePath;
        foreach (var status in errors.Select(shape.Adapt).GroupBy(e => e.Status))
        {
            var bodies = status.DistinctBy(e => e.Code).Select(e => (e.Code, Body: shape.Body(e, http))).ToList();
            var media = MediaType(operation, status.Key);
            media.Schema = await SchemaReferenceAsync(bodies[0].Body.GetType(), context, ct);
            media.Example = null;
            media.Examples = bodies.ToDictionary(b => b.Code, b => (IOpenApiExample)new OpenApiExample
            {
                Value = JsonSerializer.SerializeToNode(b.Body, b.Body.GetType(), json.Value.SerializerOptions),
            });
        }
    }

    /// <summary>
    /// The route's error body under <c>default</c>, for the statuses it does not list (404 and 405 from routing, a 404
    /// of an admin route, a 5xx), so that every route documents the shape of every error it can answer.
    /// </summary>
    private static async Task AddDefaultErrorAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, IErrorShape shape,
        CancellationToken ct)
    {
        var type = shape.Body(ApiError.Internal, new DefaultHttpContext()).GetType();
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["default"] = new OpenApiResponse
        {
            Description = "Any other error, in this route's error body",
            Content = new Dictionary<string, OpenApiMediaType> { [JsonMediaType] = new() { Schema = await SchemaReferenceAsync(type, context, ct) } },
        };
    }

    /// <summary>A reference to the error body's schema, registered once in the document's components.</summary>
    private static async Task<IOpenApiSchema> SchemaReferenceAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(type.Name) != true)
            document.AddComponent(type.Name, await context.GetOrCreateSchemaAsync(type, null, ct));
        return new OpenApiSchemaReference(type.Name, document);
    }

    private static void RemoveErrorResponses(OpenApiOperation operation, IReadOnlySet<int> except)
    {
        foreach (var status in operation.Responses?.Keys.ToList() ?? [])
            if (int.TryParse(status, out var code) && code >= 400 && !except.Contains(code))
                operation.Responses!.Remove(status);
    }

    private static void AddHeaders(OpenApiOperation operation, OpenApiDocument document, bool charging)
    {
        if (document.Components?.Headers?.ContainsKey(RequestIdMiddleware.Header) != true)
            foreach (var (name, header) in Headers) document.AddComponent(name, header);
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse written || !int.TryParse(status, out var code)) continue;
            var names = new List<string> { RequestIdMiddleware.Header };
            names.AddRange([RateLimitHeaders.Limit, RateLimitHeaders.Remaining, RateLimitHeaders.Reset]);
            if (code == 429 || (charging && code == 409)) names.Add(HeaderNames.RetryAfter);
            if (charging && code is (>= 200 and < 300) or (>= 400 and < 500) && code is not (401 or 403 or 409 or 413 or 429))
                names.Add(IdempotencyMiddleware.ReplayedHeader);
            written.Headers ??= new Dictionary<string, IOpenApiHeader>();
            foreach (var name in names) written.Headers[name] = new OpenApiHeaderReference(name, document);
        }
    }

    private static void SortResponses(OpenApiResponses responses)
    {
        var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in sorted) responses[status] = response;
    }

    private static OpenApiMediaType MediaType(OpenApiOperation operation, int status)
    {
        operation.Responses ??= new OpenApiResponses();
        var key = status.ToString();
        if (operation.Responses.GetValueOrDefault(key) is not OpenApiResponse response)
            operation.Responses[key] = response = new OpenApiResponse { Description = ReasonPhrases.GetReasonPhrase(status) };
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (!response.Content.TryGetValue(JsonMediaType, out var media)) response.Content[JsonMediaType] = media = new OpenApiMediaType();
        return media;
    }

    /// <summary>One example as <c>example</c>; several as named <c>examples</c>.</summary>
    private static void SetExamples(OpenApiMediaType media, IReadOnlyList<NamedExample> examples)
    {
        if (examples.Count == 1)
        {
            media.Example = JsonNode.Parse(examples[0].Json);
            return;
        }
        media.Example = null;
        media.Examples = examples.ToDictionary(e => e.Name, e => (IOpenApiExample)new OpenApiExample { Summary = e.Name, Value = JsonNode.Parse(e.Json) });
    }

    private static string SamplePath(string template) =>
        RouteParameter().Replace(template, m => SurfaceExampleCatalog.RouteValues.GetValueOrDefault(m.Groups[1].Value, m.Value));

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex RouteParameter();

    // Built afresh for each use: the document owns and may change what it is given.
    private static OpenApiParameter IdempotencyKeyParameter => new()
    {
        Name = IdempotencyMiddleware.Header, In = ParameterLocation.Header, Required = false,
        Description = "Optional: 1 to 255 visible ASCII characters (a UUID, say), kept 24 hours per workspace, method and path. The same key "
                      + "and body replay the stored answer with Idempotent-Replayed: true and are never charged again; a duplicate arriving "
                      + "while the first still runs waits up to 10 s for it, else gets 409; the same key with another body gets 422; an "
                      + "empty or over-long key gets 400.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
        Example = JsonValue.Create("8e03978e-40d5-43e8-bc93-6894a57f9324"),
    };

    private static Dictionary<string, OpenApiHeader> Headers => new()
    {
        [RequestIdMiddleware.Header] = Header(
            "The request's id: a sane incoming X-Request-ID is echoed, else one is generated; error bodies and logs carry it too.",
            JsonSchemaType.String, required: true),
        [RateLimitHeaders.Limit] = Header("The limit of the counter shown: the per-minute class on enrichment POSTs, the daily limit elsewhere.",
            JsonSchemaType.Integer),
        [RateLimitHeaders.Remaining] = Header("Requests left in the current window.", JsonSchemaType.Integer),
        [RateLimitHeaders.Reset] = Header("When the current window ends, in Unix seconds.", JsonSchemaType.Integer),
        [HeaderNames.RetryAfter] = Header("Seconds to wait before retrying.", JsonSchemaType.Integer),
        [IdempotencyMiddleware.ReplayedHeader] = Header(
            "true when this is the stored answer to an earlier request with the same Idempotency-Key and body; nothing was charged again.",
            JsonSchemaType.Boolean),
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type, bool required = false) =>
        new() { Description = description, Required = required, Schema = new OpenApiSchema { Type = type } };
}
