using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Core.Providers.Vendors;

/// <summary>What a vendor's account or credits endpoint said about the key (DESIGN §5.4 <c>check</c>).</summary>
public sealed record AccountCheck(AccountCheckOutcome Outcome, string Detail, FailureKind? Failure = null)
{
    public static AccountCheck Ok(string detail) => new(AccountCheckOutcome.Ok, detail);
    public static AccountCheck Failed(ProviderResult.Failed failure) => new(AccountCheckOutcome.Failed, failure.Reason, failure.Kind);
    public static readonly AccountCheck NotAvailable =
        new(AccountCheckOutcome.NotAvailable, "the vendor has no account endpoint: the key is checked by the next lookup");
}

public enum AccountCheckOutcome { Ok, Failed, NotAvailable }

/// <summary>Each vendor's free account or credits endpoint, as VENDORS.md records it; null for vendors that have none.</summary>
public static class VendorAccounts
{
    public static Func<VendorClient, CancellationToken, Task<AccountCheck>>? For(string type) => type.ToLowerInvariant() switch
    {
        "hunter" => Hunter,
        "apollo" => Apollo,
        "prospeo" => Prospeo,
        "leadmagic" => LeadMagic,
        "findymail" => Findymail,
        "zerobounce" => ZeroBounce,
        "neverbounce" => NeverBounce,
        "millionverifier" => MillionVerifier,
        _ => null,
    };

    private static async Task<AccountCheck> Hunter(VendorClient client, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "/v2/account", null, null, h => h.TryAddWithoutValidation("X-API-KEY", client.ApiKey), ct);
        if (reply.Status != 200) return AccountCheck.Failed(reply.Status == 401 ? VendorFailures.BadKey(reply.Describe()) : VendorFailures.FromStatus(reply));
        double Left(string kind) => (VendorJson.Num(reply.Json, "data", "requests", kind, "available") ?? 0) - (VendorJson.Num(reply.Json, "data", "requests", kind, "used") ?? 0);
        var (searches, verifications) = (Left("searches"), Left("verifications"));
        return searches <= 0 && verifications <= 0
            ? AccountCheck.Failed(VendorFailures.OutOfCredits("no searches or verifications left this period"))
            : AccountCheck.Ok($"searches left {searches:0}, verifications left {verifications:0}");
    }

    private static async Task<AccountCheck> Apollo(VendorClient client, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "/v1/auth/health", null, null, h => h.TryAddWithoutValidation("X-Api-Key", client.ApiKey), ct);
        if (reply.Status == 401 || (reply.Status == 200 && VendorJson.Bool(reply.Json, "is_logged_in") == false))
            return AccountCheck.Failed(VendorFailures.BadKey(reply.Describe()));
        return reply.Status == 200 ? AccountCheck.Ok("the key is logged in") : AccountCheck.Failed(VendorFailures.FromStatus(reply));
    }

    private static async Task<AccountCheck> Prospeo(VendorClient client, CancellationToken ct)
    {
        void Auth(System.Net.Http.Headers.HttpRequestHeaders h) => h.TryAddWithoutValidation("X-KEY", client.ApiKey);
        // GET in the current docs, POST in the older ones.
        var reply = await client.SendAsync(HttpMethod.Get, "/account-information", null, null, Auth, ct);
        if (reply.Status == 405) reply = await client.SendAsync(HttpMethod.Post, "/account-information", null, new JsonObject(), Auth, ct);
        if (reply.Status == 401 || reply.Str("error_code") == "INVALID_API_KEY") return AccountCheck.Failed(VendorFailures.BadKey(reply.Describe()));
        if (reply.Status != 200) return AccountCheck.Failed(VendorFailures.FromStatus(reply));
        return Credits(VendorJson.Num(reply.Json, "response", "remaining_credits"), "credits left");
    }

    private static async Task<AccountCheck> LeadMagic(VendorClient client, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "/v1/credits", null, null, h => h.TryAddWithoutValidation("X-API-Key", client.ApiKey), ct);
        return reply.Status == 200 ? Credits(VendorJson.Num(reply.Json, "credits"), "credits left") : AccountCheck.Failed(VendorFailures.FromStatus(reply));
    }

    private static async Task<AccountCheck> Findymail(VendorClient client, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "/api/credits", null, null,
            h => h.TryAddWithoutValidation("Authorization", "Bearer " + client.ApiKey), ct);
        if (reply.Status is 401 or 403) return AccountCheck.Failed(VendorFailures.BadKey(reply.Describe()));
        if (reply.Status != 200) return AccountCheck.Failed(VendorFailures.FromStatus(reply));
        var (finder, verifier) = (VendorJson.Num(reply.Json, "credits") ?? 0, VendorJson.Num(reply.Json, "verifier_credits") ?? 0);
        return finder <= 0 && verifier <= 0
            ? AccountCheck.Failed(VendorFailures.OutOfCredits("no finder or verifier credits left"))
            : AccountCheck.Ok($"credits left {finder:0.##}, verifier credits left {verifier:0.##}");
    }

    private static async Task<AccountCheck> ZeroBounce(VendorClient client, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "/v2/getcredits", [("api_key", client.ApiKey)], null, null, ct);
        if (reply.Status != 200) return AccountCheck.Failed(VendorFailures.FromStatus(reply));
        var credits = VendorJson.Num(reply.Json, "Credits") ?? VendorJson.Num(reply.Json, "credits");
        // "-1" is ZeroBounce's answer to a bad key.
        return credits is < 0 ? AccountCheck.Failed(VendorFailures.BadKey("Credits -1")) : Credits(credits, "credits left");
    }

    private static async Task<AccountCheck> NeverBounce(VendorClient client, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "/v4/account/info", [("key", client.ApiKey)], null, null, ct);
        if (reply.Status != 200) return AccountCheck.Failed(VendorFailures.FromStatus(reply));
        if (reply.Str("status") is var status && status != "success")
            return AccountCheck.Failed(status == "auth_failure"
                ? VendorFailures.BadKey(client.Redact(reply.Describe()))
                : VendorFailures.Error(client.Redact(reply.Describe()), transient: status is "temp_unavail" or "throttle_triggered"));
        var left = (VendorJson.Num(reply.Json, "credits_info", "paid_credits_remaining") ?? 0) + (VendorJson.Num(reply.Json, "credits_info", "free_credits_remaining") ?? 0);
        return Credits(left, "credits left");
    }

    private static async Task<AccountCheck> MillionVerifier(VendorClient client, CancellationToken ct)
    {
        var reply = await client.SendAsync(HttpMethod.Get, "/api/v3/credits", [("api", client.ApiKey)], null, null, ct);
        if (reply.Status != 200) return AccountCheck.Failed(VendorFailures.FromStatus(reply));
        if (reply.Str("error") is { } error) return AccountCheck.Failed(VendorFailures.BadKey(client.Redact(error)));
        return Credits(VendorJson.Num(reply.Json, "credits"), "credits left");
    }

    private static AccountCheck Credits(double? left, string what) => left switch
    {
        null => AccountCheck.Failed(VendorFailures.Error("the answer does not say how many credits are left", transient: false)),
        <= 0 => AccountCheck.Failed(VendorFailures.OutOfCredits($"{what}: 0")),
        _ => AccountCheck.Ok($"{what}: {left:0.##}"),
    };
}
