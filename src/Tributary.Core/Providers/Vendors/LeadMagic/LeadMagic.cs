using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.LeadMagic;

/// <summary>LeadMagic's Email Finder, <c>POST /v1/people/email-finder</c>, key in <c>X-API-Key</c>; no match is <c>status: not_found</c>.</summary>
public sealed class LeadMagicFinder(VendorContext context) : VendorFinder(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var body = new JsonObject();
        void Put(string name, string? value)
        {
            if (value is not null) body[name] = value;
        }
        var (first, last) = (KnownValues.FirstName(query), KnownValues.LastName(query));
        Put("first_name", first);
        Put("last_name", last);
        Put("full_name", first is null || last is null ? KnownValues.FullName(query) : null);
        var domain = KnownValues.Domain(query);
        Put("domain", domain);
        Put("company_name", domain is null ? KnownValues.Company(query) : null);
        var reply = await Client.SendAsync(HttpMethod.Post, "/v1/people/email-finder", null, body, LeadMagic.Auth(Client), ct);
        if (reply.Status != 200) return LeadMagic.Failure(reply);
        if (!reply.IsObject) return VendorFailures.Error("HTTP 200 that is not a JSON object", transient: false);
        var word = reply.Str("status");
        if (word is not null && word.Equals("not_found", StringComparison.OrdinalIgnoreCase)) return ProviderResult.None;
        return NewValues(query)
            .AddEmail(WaterfallChannels.WorkEmail, reply.Str("email"), LeadMagic.Status(word))
            .Add(WaterfallChannels.CompanyName, reply.Str("company_name"), MatchedConfidence)
            .Result();
    }
}

/// <summary>LeadMagic's Email Validation, <c>POST /v1/people/email-validation</c> (v1 <c>status</c>, legacy <c>email_status</c>).</summary>
public sealed class LeadMagicVerifier(VendorContext context) : VendorVerifier(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Post, "/v1/people/email-validation", null, new JsonObject { ["email"] = email },
            LeadMagic.Auth(Client), ct);
        if (reply.Status != 200) return Fail(LeadMagic.Failure(reply));
        var word = reply.Str("status") ?? reply.Str("email_status");
        return word is null
            ? Fail(VendorFailures.Error("HTTP 200 without a status", transient: false))
            : Verdict(LeadMagic.Status(word), word);
    }
}

internal static class LeadMagic
{
    public static Action<System.Net.Http.Headers.HttpRequestHeaders> Auth(VendorClient client) =>
        headers => headers.TryAddWithoutValidation("X-API-Key", client.ApiKey);

    public static EmailStatus Status(string? word) => word?.ToLowerInvariant() switch
    {
        "valid" => EmailStatus.Valid,
        "valid_catch_all" => EmailStatus.Probable,
        "catch_all" => EmailStatus.CatchAll,
        "invalid" => EmailStatus.Invalid,
        _ => EmailStatus.Unknown,
    };

    /// <summary>RFC 9457 problem details: 401 key, 402 credits, 429 rate (Retry-After), 5xx.</summary>
    public static ProviderResult.Failed Failure(VendorReply reply) => VendorFailures.FromStatus(reply);
}
