using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Providers.Vendors.ZeroBounce;

/// <summary>
/// ZeroBounce's <c>GET /v2/validate</c>. The key can only travel in the query string (<c>api_key</c>); the vendors'
/// client masks it in its log lines. A bad key and an empty account are one answer at HTTP 200, <c>{"error": …}</c>.
/// </summary>
public sealed class ZeroBounceVerifier(VendorContext context) : VendorVerifier(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Get, "/v2/validate", [("api_key", Client.ApiKey), ("email", email), ("ip_address", "")],
            null, null, ct);
        if (reply.Status != 200) return Fail(reply.Status == 403
            ? VendorFailures.Error($"{reply.Describe()}; ZeroBounce's API Shield may be on", transient: false)
            : VendorFailures.FromStatus(reply));
        var status = reply.Str("status");
        if (status is null)
        {
            var error = Client.Redact(reply.Message());
            // The vendor does not say which of the two it is.
            return Fail(new ProviderResult.Failed($"bad key or out of vendor credits ({(error.Length > 0 ? error : "no status in the answer")})",
                Transient: false, error.Length > 0 ? FailureKind.BadKey : FailureKind.Other));
        }
        var sub = reply.Str("sub_status");
        return Verdict(Status(status, sub), sub is null ? status : $"{status}/{sub}");
    }

    /// <summary>A disposable sub_status is invalid, as the built-in disposable list decides (VENDORS.md).</summary>
    public static EmailStatus Status(string status, string? subStatus)
    {
        if (string.Equals(subStatus, "disposable", StringComparison.OrdinalIgnoreCase)) return EmailStatus.Invalid;
        return status.ToLowerInvariant() switch
        {
            "valid" => EmailStatus.Valid,
            "invalid" => EmailStatus.Invalid,
            "catch-all" or "catch_all" => EmailStatus.CatchAll,
            "spamtrap" or "abuse" or "do_not_mail" => EmailStatus.Risky,
            _ => EmailStatus.Unknown,
        };
    }
}
