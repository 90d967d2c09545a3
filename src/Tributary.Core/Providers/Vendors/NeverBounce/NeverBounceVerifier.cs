using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Providers.Vendors.NeverBounce;

/// <summary>
/// NeverBounce's <c>GET /v4/single/check</c>, key in the query string (<c>key</c>, masked in logs). Its errors come
/// with HTTP 200: <c>status</c> is read before <c>result</c>.
/// </summary>
public sealed class NeverBounceVerifier(VendorContext context) : VendorVerifier(context, IsTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Get, "/v4/single/check", [("key", Client.ApiKey), ("email", email)], null, null, ct);
        if (reply.Status != 200) return Fail(VendorFailures.FromStatus(reply));
        var status = reply.Str("status")?.ToLowerInvariant();
        var says = Client.Redact(reply.Describe());
        bool Says(string word) => says.Contains(word, StringComparison.OrdinalIgnoreCase);
        switch (status)
        {
            case "success":
                var result = reply.Str("result");
                return result is null ? Fail(VendorFailures.Error("success without a result", transient: false)) : Verdict(Status(result), result);
            case "auth_failure":
                return Fail(Says("credit") ? VendorFailures.OutOfCredits(says) : VendorFailures.BadKey(says));
            case "throttle_triggered":
                return Fail(VendorFailures.RateLimited(says));
            case "temp_unavail":
                return Fail(VendorFailures.Error(says, transient: true));
            default:
                return Fail(Says("credit") ? VendorFailures.OutOfCredits(says) : VendorFailures.Error($"status {status ?? "missing"}: {says}", transient: false));
        }
    }

    public static EmailStatus Status(string result) => result.ToLowerInvariant() switch
    {
        "valid" => EmailStatus.Valid,
        "catchall" => EmailStatus.CatchAll,
        "invalid" or "disposable" => EmailStatus.Invalid,
        _ => EmailStatus.Unknown,
    };

    private static bool IsTransient(VendorReply reply) =>
        VendorFailures.UsuallyTransient(reply) || reply.Str("status") is "temp_unavail" or "throttle_triggered";
}
