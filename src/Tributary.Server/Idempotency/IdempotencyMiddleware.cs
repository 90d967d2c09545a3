using System.Text.Json;
using Tributary.Core.Erasure;
using Tributary.Core.Idempotency;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.RateLimits;

namespace Tributary.Server.Idempotency;

public sealed class IdempotentMetadata
{
    public static readonly IdempotentMetadata Instance = new();
}

/// <summary>
/// <c>Idempotency-Key</c> on charging POSTs (DESIGN §7): the same key and body replay the stored response with
/// <c>Idempotent-Replayed: true</c> and are never charged again (a query string counts as part of the body); a duplicate arriving while the first runs waits up to
/// 10 s for it, else gets 409; the same key with another body gets 422. 2xx and 4xx answers are kept (not 409 or 429);
/// a 5xx is not, so a retry runs again.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, TimeProvider time)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private static readonly string[] ReplayedHeaders = ["Content-Type", "Location", "X-Enrichment-Id"];
    /// <summary>Request and response bodies up to this size are searched for the people they carry.</summary>
    private const int MaxSubjectScan = 1024 * 1024;

    public async Task InvokeAsync(HttpContext http, CallerContext caller)
    {
        if (!caller.IsAuthenticated || http.GetEndpoint()?.Metadata.GetMetadata<IdempotentMetadata>() is null
            || !http.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(http);
            return;
        }
        var key = values.ToString();
        if (!IdempotencyStore.IsValidKey(key))
        {
            await RateLimitHeaders.ReportWithoutCountingAsync(http, caller.WorkspaceId, inspectBody: true);
            await ErrorResult.WriteAsync(http, ApiError.Validation($"{Header} must be 1 to 255 visible ASCII characters"));
            return;
        }

        // Hash the body as it streams by; large bodies (job uploads) are buffered to disk, not memory, for the handler.
        http.Request.EnableBuffering(bufferThreshold: 1024 * 1024);
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        // Some routes take part of the request in the query (seed 002's field, a job's channels): it is part of "the same request".
        if (http.Request.QueryString.Value is { Length: > 0 } query) sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"query {query.Length}:{query}\n"));
        var chunk = new byte[81920];
        int read;
        // A small JSON request is kept to find the people it names (an erasure looks for its stored response by them).
        using var small = new MemoryStream();
        var json = http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            sha.AppendData(chunk, 0, read);
            if (json && small.Length + read <= MaxSubjectScan) small.Write(chunk, 0, read);
            else json = false;
        }
        http.Request.Body.Position = 0;
        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        var method = http.Request.Method;
        var path = Scope(http);

        var claim = await store.ClaimAsync(caller.WorkspaceId, method, path, key, hash, http.RequestAborted);
        // Answered here, these count against no limit, but still say where the workspace stands.
        if (claim is not IdempotencyClaim.First) await RateLimitHeaders.ReportWithoutCountingAsync(http, caller.WorkspaceId, inspectBody: true);
        switch (claim)
        {
            case IdempotencyClaim.Replay replay:
                await ReplayAsync(http, replay.Record);
                return;
            case IdempotencyClaim.KeyReused:
                await ErrorResult.WriteAsync(http, ApiError.IdempotencyKeyReused);
                return;
            case IdempotencyClaim.InProgress:
                http.Response.Headers.RetryAfter = "1";
                await ErrorResult.WriteAsync(http, ApiError.IdempotencyInProgress);
                return;
        }
        caller.Idempotency = new IdempotencyScope(caller.WorkspaceId, method, path, key) { Settled = ((IdempotencyClaim.First)claim).Settled };

        var original = http.Response.Body;
        using var captured = new MemoryStream();
        http.Response.Body = captured;
        var completed = false;
        using var running = new CancellationTokenSource();
        var renewing = RenewWhileRunningAsync(caller.WorkspaceId, method, path, key, running.Token);
        try
        {
            await next(http);
            await running.CancelAsync();
            await renewing;
            var status = http.Response.StatusCode;
            if (IsStored(status, http.Features.Get<ApiError>()))
            {
                var headers = ReplayedHeaders.Where(h => http.Response.Headers.ContainsKey(h))
                    .ToDictionary(h => h, h => http.Response.Headers[h].ToString());
                var stored = captured.ToArray();
                var subjects = ResponseSubjects.Of(caller.WorkspaceId,
                    [json ? System.Text.Encoding.UTF8.GetString(small.GetBuffer(), 0, (int)small.Length) : null,
                     stored.Length <= MaxSubjectScan ? System.Text.Encoding.UTF8.GetString(stored) : null]);
                await store.CompleteAsync(caller.WorkspaceId, method, path, key, status, JsonSerializer.Serialize(headers), stored, subjects,
                    CancellationToken.None);
                completed = true;
            }
        }
        finally
        {
            await running.CancelAsync();
            await renewing;
            if (!completed) await store.AbandonAsync(caller.WorkspaceId, method, path, key, CancellationToken.None);
            http.Response.Body = original;
            captured.Position = 0;
            if (captured.Length > 0) await captured.CopyToAsync(original, CancellationToken.None);
        }
    }

    /// <summary>
    /// DESIGN §7: 2xx and 4xx answers are kept for replay, except those after which nothing ran and a retry should run
    /// (401, 402, 403, 409, 429, and any credit refusal, which seed 003 answers as 422).
    /// </summary>
    private static bool IsStored(int status, ApiError? error) =>
        status is >= 200 and < 300 or >= 400 and < 500
        && status is not (401 or 402 or 403 or 409 or 429)
        && error?.Code != ErrorCodes.InsufficientCredits;

    /// <summary>
    /// The route as routed (DESIGN §7): the endpoint's template with its parameter values, lower case, without a trailing
    /// slash (seed 000's gateway prefix is already gone), so <c>/enrichment/</c> and <c>/Enrichment</c> are one scope and
    /// one person's route never replays another's.
    /// </summary>
    public static string Scope(HttpContext http)
    {
        if (http.GetEndpoint() is not RouteEndpoint { RoutePattern: var pattern })
            return (http.Request.Path.Value ?? "/").TrimEnd('/').ToLowerInvariant();
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter =>
                Uri.EscapeDataString(http.Request.RouteValues[parameter.Name]?.ToString() ?? ""),
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        })));
        return ("/" + string.Join('/', segments)).TrimEnd('/').ToLowerInvariant() is { Length: > 0 } scope ? scope : "/";
    }

    private async Task RenewWhileRunningAsync(Guid workspaceId, string method, string path, string key, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(IdempotencyStore.RenewEvery, time, stop);
                await store.RenewAsync(workspaceId, method, path, key, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // Tried again at the next tick; a lapsed lease only lets a retry run as well.
        }
    }

    private static async Task ReplayAsync(HttpContext http, IdempotencyRecord record)
    {
        if (record.ErasedAt is not null)
        {
            http.Response.Headers[ReplayedHeader] = "true";
            await ErrorResult.WriteAsync(http, ApiError.ResponseErased);
            return;
        }
        http.Response.StatusCode = record.StatusCode!.Value;
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(record.HeadersJson ?? "{}") ?? [])
            http.Response.Headers[name] = value;
        http.Response.Headers[ReplayedHeader] = "true";
        if (record.Body is { Length: > 0 } body) await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }
}
