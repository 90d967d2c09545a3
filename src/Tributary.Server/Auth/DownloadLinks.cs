using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Errors;

namespace Tributary.Server.Auth;

/// <summary>
/// The console's short-lived download links (DESIGN §15): <c>v1.&lt;job&gt;.&lt;format&gt;.&lt;key id&gt;.&lt;expiry&gt;.&lt;mac&gt;</c>,
/// an HMAC-SHA256 over the rest with the installation's download key, which lives in the database so that a link made
/// by one server process is accepted by every other. A link carries no secret of the key it was made with: it names the
/// key, which must still be usable, and still allowed to read results, when the link is used. It is the only credential
/// Tributary accepts in a query string.
/// </summary>
public sealed class DownloadLinks(ServerSecrets secrets, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromMinutes(10);
    public static readonly IReadOnlyList<string> Formats = ["csv", "jsonl"];

    public sealed record Grant(Guid JobId, string Format, Guid KeyId);

    public async Task<(string Token, DateTime ExpiresAt)> IssueAsync(Grant grant, CancellationToken ct)
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds());
        var body = $"v1.{grant.JobId:N}.{grant.Format}.{grant.KeyId:N}.{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var mac = await MacAsync(body, ct);
        return ($"{body}.{Base64Url(mac)}", expires.UtcDateTime);
    }

    /// <summary>The grant of a token for <paramref name="jobId"/>, or the refusal: 401 for a bad, expired or revoked link, 403 for a key without read:enrich.</summary>
    public async Task<(Grant? Grant, ApiKey? Key, ApiError? Error)> CheckAsync(string? token, Guid jobId, TributaryDb db, CancellationToken ct)
    {
        var parts = (token ?? "").Split('.');
        if (parts.Length != 6 || parts[0] != "v1" || !Guid.TryParseExact(parts[1], "N", out var job) || !Formats.Contains(parts[2])
            || !Guid.TryParseExact(parts[3], "N", out var keyId)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry) || !TryBase64Url(parts[5], out var given))
            return (null, null, Invalid("This download link is not one Tributary made; ask the console for a new one"));
        var expected = await MacAsync(string.Join('.', parts[..5]), ct);
        if (!CryptographicOperations.FixedTimeEquals(expected, given) || job != jobId)
            return (null, null, Invalid("This download link is not one Tributary made; ask the console for a new one"));
        var now = time.GetUtcNow();
        if (expiry <= now.ToUnixTimeSeconds() || expiry > now.Add(LongestLifetime).ToUnixTimeSeconds())
            return (null, null, Invalid("This download link has expired; ask the console for a new one"));
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, ct);
        if (key is null || !key.IsUsableAt(now.UtcDateTime))
            return (null, null, Invalid("The API key this download link was made with is revoked or expired"));
        if (!Permissions.Allows(key.PermissionList, Permissions.ReadEnrich))
            return (null, null, ApiError.MissingPermission(Permissions.ReadEnrich));
        return (new Grant(job, parts[2], keyId), key, null);
    }

    private static ApiError Invalid(string message) => new(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidDownloadLink, message);

    private async Task<byte[]> MacAsync(string body, CancellationToken ct) =>
        HMACSHA256.HashData(await secrets.GetAsync(ServerSecrets.ConsoleDownloads, ct), Encoding.ASCII.GetBytes(body));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryBase64Url(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length != 43 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))) return false;
        bytes = Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + "=");
        return true;
    }
}
