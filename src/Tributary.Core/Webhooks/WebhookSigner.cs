using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tributary.Core.Webhooks;

public enum SignatureCheck { Valid, MissingHeaders, BadTimestamp, TooOld, TooNew, NoMatch }

/// <summary>
/// Standard Webhooks signatures (standardwebhooks.com): <c>v1,</c> + base64 of HMAC-SHA256 over
/// <c>"{webhook-id}.{webhook-timestamp}.{raw body}"</c>, keyed with the base64-decoded part of the secret after
/// <c>whsec_</c>. Receivers can check them with the specification's published libraries in any language.
/// </summary>
public static class WebhookSigner
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>The window the official libraries accept around their own clock.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The HMAC key of a secret; the <c>whsec_</c> prefix is optional, as in the official libraries.</summary>
    public static byte[] KeyOf(string secret)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        var key = Convert.FromBase64String(encoded);
        return key.Length > 0 ? key : throw new FormatException("A webhook secret must not be empty");
    }

    /// <summary>The value of <c>webhook-signature</c> for one attempt.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(Mac(KeyOf(secret), webhookId, timestamp, body));

    /// <summary>
    /// Checks a received webhook as a receiver would: the timestamp within <paramref name="tolerance"/> of
    /// <paramref name="now"/>, and any one of the space-separated <c>v1</c> signatures matching (compared in constant time).
    /// </summary>
    public static SignatureCheck Verify(string secret, string? webhookId, string? timestamp, string? signatures,
        ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
            return SignatureCheck.MissingHeaders;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return SignatureCheck.BadTimestamp;
        var window = (long)(tolerance ?? DefaultTolerance).TotalSeconds;
        var current = now.ToUnixTimeSeconds();
        if (seconds < current - window) return SignatureCheck.TooOld;
        if (seconds > current + window) return SignatureCheck.TooNew;

        var expected = Mac(KeyOf(secret), webhookId, seconds, body);
        Span<byte> candidate = stackalloc byte[64];
        foreach (var versioned in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = versioned.IndexOf(',');
            if (comma < 0 || !versioned.AsSpan(0, comma).SequenceEqual("v1")) continue;
            if (Convert.TryFromBase64String(versioned[(comma + 1)..], candidate, out var written)
                && CryptographicOperations.FixedTimeEquals(candidate[..written], expected))
                return SignatureCheck.Valid;
        }
        return SignatureCheck.NoMatch;
    }

    private static byte[] Mac(byte[] key, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{webhookId}.{timestamp.ToString(CultureInfo.InvariantCulture)}."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
