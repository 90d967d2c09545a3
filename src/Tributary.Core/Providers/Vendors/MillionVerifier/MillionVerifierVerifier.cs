using Tributary.Core.Providers.Verification;

namespace Tributary.Core.Providers.Vendors.MillionVerifier;

/// <summary>
/// MillionVerifier's <c>GET /api/v3/</c>, key in the query string (<c>api</c>, masked in logs). An error comes with
/// HTTP 200 as <c>result: "error"</c> (resultcode 4) and its text in <c>error</c>.
/// </summary>
public sealed class MillionVerifierVerifier(VendorContext context) : VendorVerifier(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Get, "/api/v3/", [("api", Client.ApiKey), ("email", email), ("timeout", "20")], null, null, ct);
        if (reply.Status != 200) return Fail(VendorFailures.FromStatus(reply));
        var result = reply.Str("result")?.ToLowerInvariant();
        var code = reply.Get("resultcode") is { ValueKind: System.Text.Json.JsonValueKind.Number } c ? c.GetInt32() : (int?)null;
        if (result == "error" || code == 4 || result is null)
        {
            var error = Client.Redact(reply.Str("error") ?? "no result in the answer");
            bool Says(string word) => error.Contains(word, StringComparison.OrdinalIgnoreCase);
            return Fail(Says("credit") ? VendorFailures.OutOfCredits(error)
                : Says("key") ? VendorFailures.BadKey(error)
                : VendorFailures.Error(error, transient: false));
        }
        var status = Status(result, code);
        // A role account that exists is still no person to write to.
        if (status == EmailStatus.Valid && VendorJson.Bool(reply.Json, "role") == true) return Verdict(EmailStatus.Risky, "ok (role)");
        return Verdict(status, result);
    }

    public static EmailStatus Status(string result, int? code) => (result, code) switch
    {
        ("ok", _) or (_, 1) => EmailStatus.Valid,
        ("catch_all", _) or (_, 2) => EmailStatus.CatchAll,
        ("invalid" or "disposable", _) or (_, 5 or 6) => EmailStatus.Invalid,
        _ => EmailStatus.Unknown,
    };
}
