using System.Text.Json;
using Tributary.Core.RateLimits;

namespace Tributary.Server.RateLimits;

/// <summary>
/// X-RateLimit-Limit/Remaining/Reset, which DESIGN §7 puts on every response, including the answers given before a
/// request is counted: a bad key (401), a missing permission (403) and idempotency answers (replays, 409, 422).
/// </summary>
public static class RateLimitHeaders
{
    public const string Limit = "X-RateLimit-Limit", Remaining = "X-RateLimit-Remaining", Reset = "X-RateLimit-Reset";

    /// <summary>Where the request's workspace stands, kept for the request and written to the response once, as it starts.</summary>
    private sealed class Standing
    {
        public RateStatus Status;
    }

    /// <summary>
    /// Records the standing the response reports; whichever step knows it last (authentication, idempotency, counting)
    /// wins, and the headers are written in one place, when the response starts.
    /// </summary>
    public static void Set(HttpContext http, RateStatus status)
    {
        if (http.Features.Get<Standing>() is { } standing)
        {
            standing.Status = status;
            return;
        }
        standing = new Standing { Status = status };
        http.Features.Set(standing);
        http.Response.OnStarting(static state =>
        {
            var (response, standing) = ((HttpResponse, Standing))state;
            var headers = response.Headers;
            headers[Limit] = standing.Status.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers[Remaining] = standing.Status.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers[Reset] = new DateTimeOffset(standing.Status.ResetsAt).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }, (http.Response, standing));
    }

    /// <summary>
    /// Reports where the workspace stands in the class this request would count in, without counting it. With no
    /// workspace (the key was not valid) nothing is counted anywhere, so the class's limit is reported untouched.
    /// </summary>
    public static async Task ReportWithoutCountingAsync(HttpContext http, Guid? workspaceId, bool inspectBody = false)
    {
        var limiter = http.RequestServices.GetRequiredService<RateLimiter>();
        var rateClass = await ClassOfAsync(http, inspectBody);
        Set(http, workspaceId is { } id ? await limiter.PeekAsync(id, rateClass, http.RequestAborted) : limiter.Uncounted(rateClass));
    }

    /// <summary>
    /// The per-minute class of an enrichment POST (a batch when the route names a batch property and the body has it),
    /// else the daily class.
    /// </summary>
    public static async Task<RateClass> ClassOfAsync(HttpContext http, bool inspectBody)
    {
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            || http.GetEndpoint()?.Metadata.GetMetadata<RateLimited>() is not { } limited)
            return RateClass.Day;
        return inspectBody && limited.BatchProperty is { } property && await HasTopLevelPropertyAsync(http, property) ? RateClass.Bulk : limited.Class;
    }

    private static async Task<bool> HasTopLevelPropertyAsync(HttpContext http, string property)
    {
        http.Request.EnableBuffering();
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(property, out var v)
                   && v.ValueKind != JsonValueKind.Null;
        }
        catch (JsonException)
        {
            return false; // the handler reports the malformed body
        }
        finally
        {
            http.Request.Body.Position = 0;
        }
    }
}
