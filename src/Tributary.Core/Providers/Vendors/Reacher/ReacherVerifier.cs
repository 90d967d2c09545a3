using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Providers.Vendors.Reacher;

/// <summary>
/// A self-hosted Reacher backend's <c>POST /v0/check_email</c>. <c>ApiKey</c>, when set, goes in
/// <c>x-reacher-secret</c>. A blocked port 25 makes Reacher answer <c>unknown</c>, never <c>invalid</c>.
/// </summary>
public sealed class ReacherVerifier(VendorContext context) : VendorVerifier(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Post, "/v0/check_email", null, new JsonObject { ["to_email"] = email }, headers =>
        {
            if (Client.ApiKey is not null) headers.TryAddWithoutValidation("x-reacher-secret", Client.ApiKey);
        }, ct);
        if (reply.Status != 200)
        {
            var says = reply.Describe();
            // Whether a wrong secret is a 400 or a 401 is unconfirmed; a 400 names the header it missed, in plain text.
            return Fail(reply.Status == 401 || (reply.Status is 400 or 403 && says.Contains("secret", StringComparison.OrdinalIgnoreCase))
                ? VendorFailures.BadKey(says)
                : VendorFailures.FromStatus(reply));
        }
        var reachable = reply.Str("is_reachable");
        if (reachable is null) return Fail(VendorFailures.Error("HTTP 200 without is_reachable", transient: false));
        return reachable.ToLowerInvariant() switch
        {
            "safe" => Verdict(EmailStatus.Valid, reachable),
            "risky" when VendorJson.Bool(reply.Json, "smtp", "is_catch_all") == true => Verdict(EmailStatus.CatchAll, "risky (catch-all)"),
            "risky" => Verdict(EmailStatus.Risky, reachable),
            "invalid" => Verdict(EmailStatus.Invalid, reachable),
            _ => Verdict(EmailStatus.Unknown, reachable),
        };
    }
}
