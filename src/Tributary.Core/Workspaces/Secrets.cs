using System.Security.Cryptography;
using System.Text;

namespace Tributary.Core.Workspaces;

public static class Secrets
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const string ApiKeyPrefix = "wbk_";

    public static string NewApiKeySecret() => ApiKeyPrefix + RandomNumberGenerator.GetString(Base62, 32);

    public static string NewWebhookSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool LooksLikeApiKey(string value) =>
        value.Length == ApiKeyPrefix.Length + 32 && value.StartsWith(ApiKeyPrefix, StringComparison.Ordinal)
        && value.AsSpan(ApiKeyPrefix.Length).IndexOfAnyExcept(Base62) < 0;
}
