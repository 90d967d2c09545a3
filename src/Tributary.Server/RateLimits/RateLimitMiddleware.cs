using Tributary.Core.RateLimits;
using Tributary.Server.Auth;
using Tributary.Server.Errors;

namespace Tributary.Server.RateLimits;

/// <summary>
/// The rate class of an enrichment POST: one record, or a batch. With <paramref name="BatchProperty"/>, the same route
/// counts as a batch when its JSON body has that top-level property (seed 001's <c>identifiers</c>).
/// </summary>
public sealed record RateLimited(RateClass Class, string? BatchProperty = null);

public static class RateLimitMetadata
{
    /// <summary>
    /// Marks an enrichment POST that can charge: counted in its rate class, and replayable under an Idempotency-Key.
    /// </summary>
    public static TBuilder Charging<TBuilder>(this TBuilder builder, RateClass rateClass) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RateLimited(rateClass), Idempotency.IdempotentMetadata.Instance);
}

/// <summary>
/// Counts every authenticated non-GET request against the workspace's daily limit and enrichment POSTs against their
/// per-minute class (DESIGN §7), in the database so all processes share the counters. Every authenticated response
/// carries X-RateLimit-Limit/Remaining/Reset; a 429 also Retry-After.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RateLimiter limiter, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext http, CallerContext caller)
    {
        if (!caller.IsAuthenticated)
        {
            await next(http);
            return;
        }
        RateStatus shown;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            shown = await limiter.PeekAsync(caller.WorkspaceId, RateClass.Day, http.RequestAborted);
        else
        {
            var day = await limiter.HitAsync(caller.WorkspaceId, RateClass.Day, http.RequestAborted);
            shown = day;
            if (http.GetEndpoint()?.Metadata.GetMetadata<RateLimited>() is { } limited)
            {
                var rateClass = await ClassOfAsync(http, limited);
                var minute = await limiter.HitAsync(caller.WorkspaceId, rateClass, http.RequestAborted);
                shown = minute.Exceeded || !day.Exceeded ? minute : day;
            }
            if (shown.Exceeded)
            {
                SetHeaders(http, shown);
                http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling((shown.ResetsAt - time.GetUtcNow().UtcDateTime).TotalSeconds)).ToString();
                await ErrorResult.WriteAsync(http, ApiError.RateLimited(shown.Limit, shown.Class == RateClass.Day ? "day" : "minute"));
                return;
            }
        }
        SetHeaders(http, shown);
        await next(http);
    }

    /// <summary>
    /// The headers for a response that is not counted (an idempotent replay, or a conflict on the key): the state of the
    /// limit the request would have counted in, without counting it.
    /// </summary>
    public static async Task SetUncountedHeadersAsync(HttpContext http, RateLimiter limiter, Guid workspaceId)
    {
        var rateClass = http.GetEndpoint()?.Metadata.GetMetadata<RateLimited>() is { } limited ? await ClassOfAsync(http, limited) : RateClass.Day;
        SetHeaders(http, await limiter.PeekAsync(workspaceId, rateClass, http.RequestAborted));
    }

    private static async Task<RateClass> ClassOfAsync(HttpContext http, RateLimited limited) =>
        limited.BatchProperty is { } property && await HasTopLevelPropertyAsync(http, property) ? RateClass.Bulk : limited.Class;

    private static async Task<bool> HasTopLevelPropertyAsync(HttpContext http, string property)
    {
        http.Request.EnableBuffering();
        try
        {
            using var doc = await System.Text.Json.JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty(property, out var v)
                   && v.ValueKind != System.Text.Json.JsonValueKind.Null;
        }
        catch (System.Text.Json.JsonException)
        {
            return false; // the handler reports the malformed body
        }
        finally
        {
            http.Request.Body.Position = 0;
        }
    }

    private static void SetHeaders(HttpContext http, RateStatus status)
    {
        var headers = http.Response.Headers;
        headers["X-RateLimit-Limit"] = status.Limit.ToString();
        headers["X-RateLimit-Remaining"] = status.Remaining.ToString();
        headers["X-RateLimit-Reset"] = new DateTimeOffset(status.ResetsAt).ToUnixTimeSeconds().ToString();
    }
}
