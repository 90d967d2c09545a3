using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Hunter;

/// <summary>Hunter's Email Finder, <c>GET /v2/email-finder</c>, key in <c>X-API-KEY</c> (VENDORS.md § hunter).</summary>
public sealed class HunterFinder(VendorContext context) : VendorFinder(context, Hunter.IsTransient)
{
    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var domain = KnownValues.Domain(query);
        var (first, last) = (KnownValues.FirstName(query), KnownValues.LastName(query));
        var reply = await Client.SendAsync(HttpMethod.Get, "/v2/email-finder",
        [
            ("domain", domain), ("company", domain is null ? KnownValues.Company(query) : null),
            ("first_name", first is not null && last is not null ? first : null),
            ("last_name", first is not null && last is not null ? last : null),
            ("full_name", first is null || last is null ? KnownValues.FullName(query) : null),
        ], null, Hunter.Auth(Client), ct);
        if (reply.Status == 404) return ProviderResult.None;
        if (reply.Status != 200) return Hunter.Failure(reply);
        if (reply.Get("data") is not { ValueKind: System.Text.Json.JsonValueKind.Object } data)
            return VendorFailures.Error("HTTP 200 without a data object", transient: false);
        var email = VendorJson.Str(data, "email");
        if (email is null) return ProviderResult.None;
        var status = Hunter.Status(VendorJson.Str(data, "verification", "status"));
        var score = VendorJson.Num(data, "score");
        return NewValues(query)
            .AddEmail(WaterfallChannels.WorkEmail, email, status, score / 100)
            .Add(WaterfallChannels.JobTitle, VendorJson.Str(data, "position"), MatchedConfidence)
            .Add(WaterfallChannels.LinkedinUrl, VendorJson.Str(data, "linkedin_url"), MatchedConfidence)
            .Add(WaterfallChannels.XHandle, VendorJson.Str(data, "twitter"), MatchedConfidence)
            .Add(WaterfallChannels.Phone, VendorJson.Str(data, "phone_number"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyName, VendorJson.Str(data, "company"), MatchedConfidence)
            .Result();
    }
}

/// <summary>Hunter's Email Verifier, <c>GET /v2/email-verifier</c>; a 202 (still verifying) is asked again and counts once.</summary>
public sealed class HunterVerifier(VendorContext context) : VendorVerifier(context, Hunter.IsTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var reply = await Client.SendAsync(HttpMethod.Get, "/v2/email-verifier", [("email", email)], null, Hunter.Auth(Client), ct);
            switch (reply.Status)
            {
                case 202:
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500 * Math.Pow(2, attempt), 5000)), Time, ct);
                    continue;
                case 222:
                    return Verdict(EmailStatus.Unknown, "222 remote SMTP failure", billed: false);
                case 451:
                    return Fail(VendorFailures.Error("HTTP 451: Hunter may not process this person's data", transient: false));
                case 200:
                    var word = reply.Str("data", "status");
                    // Hunter does not charge a verification that ends unknown or disposable.
                    return reply.Get("data") is null
                        ? Fail(VendorFailures.Error("HTTP 200 without a data object", transient: false))
                        : Verdict(Hunter.Status(word), word, billed: word?.ToLowerInvariant() is not ("unknown" or "disposable" or null));
                default:
                    return Fail(Hunter.Failure(reply));
            }
        }
    }
}

internal static class Hunter
{
    public static Action<System.Net.Http.Headers.HttpRequestHeaders> Auth(VendorClient client) =>
        headers => headers.TryAddWithoutValidation("X-API-KEY", client.ApiKey);

    /// <summary>Hunter's 403 is its rate limit; its 429 is the plan's usage limit, which no retry cures.</summary>
    public static bool IsTransient(VendorReply reply) => reply.Status is 403 or >= 500;

    public static ProviderResult.Failed Failure(VendorReply reply) => reply.Status switch
    {
        401 => VendorFailures.BadKey(reply.Describe()),
        403 => VendorFailures.RateLimited(reply.Describe()),
        429 => VendorFailures.OutOfCredits(reply.Describe()),
        _ => VendorFailures.FromStatus(reply),
    };

    /// <summary>Finder <c>verification.status</c> and verifier <c>data.status</c> (VENDORS.md status table).</summary>
    public static EmailStatus Status(string? word) => word?.ToLowerInvariant() switch
    {
        "valid" => EmailStatus.Valid,
        "accept_all" => EmailStatus.CatchAll,
        "invalid" or "disposable" => EmailStatus.Invalid,
        _ => EmailStatus.Unknown,
    };
}
