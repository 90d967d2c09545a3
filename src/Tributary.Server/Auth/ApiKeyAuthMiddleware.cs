using System.Security.Cryptography;
using System.Text;
using Tributary.Core.Workspaces;
using Tributary.Server.Configuration;
using Tributary.Server.Errors;
using Tributary.Server.RateLimits;

namespace Tributary.Server.Auth;

/// <summary>
/// Authenticates and authorises before the body is read, so an unauthenticated request costs no parsing and gets 401
/// even when its body is malformed. Accepts every header form of DESIGN §3.
/// </summary>
public sealed class ApiKeyAuthMiddleware(RequestDelegate next, TimeProvider time, TributaryOptions options, TenantCache tenants)
{
    public async Task InvokeAsync(HttpContext http, CallerContext caller)
    {
        var metadata = http.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<AdminOnly>() is not null)
        {
            if (!options.AdminApiEnabled)
            {
                await ErrorResult.WriteAsync(http, new ApiError(404, ErrorCodes.NotFound, $"No route for {http.Request.Method} {http.Request.Path}"));
                return;
            }
            if (!AdminTokenMatches(http, options.AdminToken!))
            {
                await ErrorResult.WriteAsync(http, new ApiError(401, ErrorCodes.InvalidKey, "Invalid or missing admin token"));
                return;
            }
        }
        else if (metadata?.GetMetadata<RequiredPermission>() is { } required)
        {
            var key = await FindKeyAsync(http);
            var workspace = key is null ? null : await tenants.GetWorkspaceAsync(key.WorkspaceId, http.RequestAborted);
            if (key is null || workspace is null || !key.IsUsableAt(time.GetUtcNow().UtcDateTime))
            {
                await RateLimitHeaders.ReportWithoutCountingAsync(http, workspaceId: null);
                await ErrorResult.WriteAsync(http, ApiError.InvalidKey);
                return;
            }
            if (required.Permission is not null && !Permissions.Allows(key.PermissionList, required.Permission))
            {
                await RateLimitHeaders.ReportWithoutCountingAsync(http, key.WorkspaceId);
                await ErrorResult.WriteAsync(http, ApiError.MissingPermission(required.Permission));
                return;
            }
            caller.Authenticate(key, workspace);
            tenants.NoteUse(key);
        }
        await next(http);
    }

    private async Task<ApiKey?> FindKeyAsync(HttpContext http)
    {
        var headers = http.Request.Headers;
        string? secret = null;
        Guid? accessKeyId = null;
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            secret = authorization["Bearer ".Length..].Trim();
        else if (headers["X-Api-Key"].ToString() is { Length: > 0 } apiKey)
            secret = apiKey.Trim();
        else if (headers["X-Secret-Key"].ToString() is { Length: > 0 } secretKey)
        {
            secret = secretKey.Trim();
            if (!Guid.TryParse(headers["X-Access-Key"].ToString().Trim(), out var id)) return null;
            accessKeyId = id;
        }
        if (secret is null || !Secrets.LooksLikeApiKey(secret)) return null;
        var key = await tenants.FindKeyAsync(Secrets.Hash(secret), http.RequestAborted);
        return accessKeyId is { } expected && key?.Id != expected ? null : key;
    }

    private static bool AdminTokenMatches(HttpContext http, string token)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
