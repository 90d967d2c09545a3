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
            var rateClass = await RateLimitHeaders.ClassOfAsync(http, inspectBody: true);
            if (rateClass != RateClass.Day)
            {
                var minute = await limiter.HitAsync(caller.WorkspaceId, rateClass, http.RequestAborted);
                shown = minute.Exceeded || !day.Exceeded ? minute : day;
            }
            if (shown.Exceeded)
            {
                RateLimitHeaders.Set(http, shown);
                http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling((shown.ResetsAt - time.GetUtcNow().UtcDateTime).TotalSeconds)).ToString();
                await ErrorResult.WriteAsync(http, ApiError.RateLimited(shown.Limit, shown.Class == RateClass.Day ? "day" : "minute"));
                return;
            }
        }
        RateLimitHeaders.Set(http, shown);
        await next(http);
    }
}
