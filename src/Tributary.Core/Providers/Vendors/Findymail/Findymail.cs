using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Findymail;

/// <summary>
/// Findymail's finder, <c>POST /api/search/name</c> with <c>Authorization: Bearer</c>. It sends errors with HTTP 200
/// (<c>{"error":"Not enough credits"}</c>): a body carrying <c>error</c> is a failure, never a no match. Its emails carry
/// no verdict.
/// </summary>
public sealed class FindymailFinder(VendorContext context) : VendorFinder(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["name"] = KnownValues.FullName(query),
            // "domain" may also be a company name.
            ["domain"] = KnownValues.Domain(query) ?? KnownValues.Company(query),
        };
        var reply = await Client.SendAsync(HttpMethod.Post, "/api/search/name", null, body, Findymail.Auth(Client), ct);
        if (reply.Status == 404) return ProviderResult.None;
        if (reply.Status != 200 || Findymail.ErrorAt200(reply) is not null) return Findymail.Failure(reply);
        if (!reply.IsObject) return VendorFailures.Error("HTTP 200 that is not a JSON object", transient: false);
        return NewValues(query).AddEmail(WaterfallChannels.WorkEmail, reply.Str("contact", "email"), EmailStatus.Unknown).Result();
    }
}

/// <summary>Findymail's verifier, <c>POST /api/verify</c>: a binary <c>verified</c>.</summary>
public sealed class FindymailVerifier(VendorContext context) : VendorVerifier(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Post, "/api/verify", null, new JsonObject { ["email"] = email }, Findymail.Auth(Client), ct);
        if (reply.Status != 200 || Findymail.ErrorAt200(reply) is not null) return Fail(Findymail.Failure(reply));
        return reply.Get("verified") switch
        {
            { ValueKind: JsonValueKind.True } => Verdict(EmailStatus.Valid, "verified: true"),
            { ValueKind: JsonValueKind.False } => Verdict(EmailStatus.Invalid, "verified: false"),
            _ => Fail(VendorFailures.Error("HTTP 200 without \"verified\"", transient: false)),
        };
    }
}

internal static class Findymail
{
    public static Action<System.Net.Http.Headers.HttpRequestHeaders> Auth(VendorClient client) =>
        headers => headers.TryAddWithoutValidation("Authorization", "Bearer " + client.ApiKey);

    public static string? ErrorAt200(VendorReply reply) =>
        reply.Get("error") is { } error ? (error.ValueKind == JsonValueKind.String ? error.GetString() : error.ToString()) : null;

    /// <summary>401/403 key, 402 credits, 423 subscription paused, 429 rate; an error at 200 is read by its words.</summary>
    public static ProviderResult.Failed Failure(VendorReply reply)
    {
        var says = reply.Describe();
        if (reply.Status == 200)
        {
            var error = ErrorAt200(reply) ?? "";
            if (error.Contains("credit", StringComparison.OrdinalIgnoreCase)) return VendorFailures.OutOfCredits(says);
            if (error.Contains("unauthenticated", StringComparison.OrdinalIgnoreCase) || error.Contains("api key", StringComparison.OrdinalIgnoreCase))
                return VendorFailures.BadKey(says);
            return VendorFailures.Error(says, transient: false);
        }
        return reply.Status switch
        {
            401 or 403 => VendorFailures.BadKey(says),
            423 => VendorFailures.OutOfCredits($"{says}; the subscription is paused"),
            _ => VendorFailures.FromStatus(reply),
        };
    }
}
