using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Prospeo;

/// <summary>
/// Prospeo's Enrich Person, <c>POST /enrich-person</c>, key in <c>X-KEY</c>, inputs inside <c>data</c>. Its no match and
/// its out-of-credits are both HTTP 400s, told apart by <c>error_code</c> (the older API put the code in <c>message</c>).
/// A mobile is asked for (10 credits instead of 1) only when the run wants a phone.
/// </summary>
public sealed class ProspeoFinder(VendorContext context) : VendorFinder(context, IsTransient)
{
    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Post, "/enrich-person", null, Body(query, Data(query)), Auth, ct);
        var code = Code(reply);
        if (code == "NO_MATCH") return ProviderResult.None;
        if (reply.Status != 200 || code is not null || reply.Get("error") is { ValueKind: JsonValueKind.True }) return Failure(reply, code);
        if (reply.Get("person") is not { ValueKind: JsonValueKind.Object } person)
            return VendorFailures.Error("HTTP 200 without a person", transient: false);
        return Map(query, person, reply.Get("company"), free: reply.Get("free_enrichment") is { ValueKind: JsonValueKind.True });
    }

    /// <summary>
    /// <c>POST /bulk-enrich-person</c>: up to 50 records, each with an <c>identifier</c>, answered as <c>matched</c> and
    /// <c>not_matched</c> lists of identifiers. Prospeo counts it as one request per record, and so do its quotas here.
    /// </summary>
    protected override int BulkMax => 50;

    /// <summary>The mobile flag is per request, so records that want a phone and records that do not are sent apart.</summary>
    protected override string BatchKey(ProviderQuery query) => WantsMobile(query) ? "mobile" : "";

    protected override async Task<IReadOnlyList<ProviderResult>> FindManyAsync(IReadOnlyList<ProviderQuery> queries, CancellationToken ct)
    {
        var records = new JsonArray(queries.Select((q, i) =>
        {
            var data = Data(q);
            data["identifier"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (JsonNode)data;
        }).ToArray());
        var reply = await Client.SendAsync(HttpMethod.Post, "/bulk-enrich-person", null, Body(queries[0], records), Auth, ct, permits: queries.Count);
        var code = Code(reply);
        if (reply.Status != 200 || code is not null || reply.Get("error") is { ValueKind: JsonValueKind.True })
            return queries.Select(_ => (ProviderResult)Failure(reply, code)).ToList();
        var matched = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (reply.Get("matched") is { ValueKind: JsonValueKind.Array } found)
            foreach (var m in found.EnumerateArray())
                if (VendorJson.Str(m, "identifier") is { } id) matched[id] = m;
        var notMatched = reply.Get("not_matched") is { ValueKind: JsonValueKind.Array } missed
            ? missed.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object ? VendorJson.Str(e, "identifier") : VendorJson.Str(e))
                .Where(id => id is not null).ToHashSet(StringComparer.Ordinal)
            : [];
        return queries.Select((q, i) =>
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The bulk answer documents only a total_cost, no per-record free flag; one is read where a match carries it.
            if (matched.TryGetValue(id, out var m) && VendorJson.Get(m, "person") is { ValueKind: JsonValueKind.Object } person)
                return Map(q, person, VendorJson.Get(m, "company"), free: VendorJson.Bool(m, "free_enrichment") == true);
            // A record in neither list was not answered: a failure, never a no match.
            return notMatched.Contains(id) ? ProviderResult.None
                : VendorFailures.Error($"the bulk answer does not mention record {id}", transient: true);
        }).ToList();
    }

    private void Auth(System.Net.Http.Headers.HttpRequestHeaders h) => h.TryAddWithoutValidation("X-KEY", Client.ApiKey);

    private static bool WantsMobile(ProviderQuery query) => query.Channels.Contains(WaterfallChannels.Phone);

    private static JsonObject Data(ProviderQuery query)
    {
        var data = new JsonObject();
        void Put(string name, string? value)
        {
            if (value is not null) data[name] = value;
        }
        var (first, last) = (KnownValues.FirstName(query), KnownValues.LastName(query));
        Put("first_name", first);
        Put("last_name", last);
        Put("full_name", first is null || last is null ? KnownValues.FullName(query) : null);
        Put("linkedin_url", KnownValues.Linkedin(query));
        Put("email", KnownValues.Email(query));
        Put("company_name", KnownValues.Company(query));
        Put("company_website", KnownValues.Domain(query));
        return data;
    }

    private static JsonObject Body(ProviderQuery query, JsonNode data) => new()
    {
        ["only_verified_email"] = false,
        ["enrich_mobile"] = WantsMobile(query),
        ["only_verified_mobile"] = false,
        ["data"] = data,
    };

    /// <param name="free">Prospeo charges a record once for the account's lifetime and says so (<c>free_enrichment</c>).</param>
    private ProviderResult Map(ProviderQuery query, JsonElement person, JsonElement? company, bool free)
    {
        var values = NewValues(query);
        if (VendorJson.Bool(person, "email", "revealed") == true)
            values.AddEmail(WaterfallChannels.WorkEmail, VendorJson.Str(person, "email", "email"), Status(VendorJson.Str(person, "email", "status")));
        if (VendorJson.Bool(person, "mobile", "revealed") == true)
            values.Add(WaterfallChannels.Phone, VendorJson.Str(person, "mobile", "mobile_international") ?? VendorJson.Str(person, "mobile", "mobile"),
                MatchedConfidence);
        return values
            .Add(WaterfallChannels.LinkedinUrl, VendorJson.Str(person, "linkedin_url"), MatchedConfidence)
            .Add(WaterfallChannels.JobTitle, VendorJson.Str(person, "current_job_title"), MatchedConfidence)
            .Add(WaterfallChannels.FullName, VendorJson.Str(person, "full_name"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyName, company is { } c ? VendorJson.Str(c, "name") : null, MatchedConfidence)
            .Result(matched: true, free);
    }

    /// <summary><c>person.email.status</c>: only <c>VERIFIED</c> is documented now; the retired API's words are read too.</summary>
    public static EmailStatus Status(string? word) => word?.ToUpperInvariant() switch
    {
        "VERIFIED" or "VALID" => EmailStatus.Valid,
        "CATCH_ALL" or "CATCHALL" => EmailStatus.CatchAll,
        "INVALID" => EmailStatus.Invalid,
        _ => EmailStatus.Unknown,
    };

    private static readonly string[] Codes =
        ["NO_MATCH", "INSUFFICIENT_CREDITS", "INVALID_API_KEY", "RATE_LIMITED", "ACCOUNT_RESTRICTED", "INVALID_DATAPOINTS", "INVALID_REQUEST", "INTERNAL_ERROR"];

    /// <summary>The error code, from <c>error_code</c> or (older API) <c>message</c>; null when the answer is no error.</summary>
    private static string? Code(VendorReply reply)
    {
        if (reply.Str("error_code") is { } code) return code.ToUpperInvariant();
        return reply.Str("message") is { } message && Codes.FirstOrDefault(c => message.Contains(c, StringComparison.OrdinalIgnoreCase)) is { } inMessage
            ? inMessage
            : null;
    }

    private static bool IsTransient(VendorReply reply) =>
        reply.Status is 429 or >= 500 || Code(reply) is "RATE_LIMITED" or "INTERNAL_ERROR";

    private static ProviderResult.Failed Failure(VendorReply reply, string? code) => code switch
    {
        "INSUFFICIENT_CREDITS" => VendorFailures.OutOfCredits(reply.Describe()),
        "INVALID_API_KEY" => VendorFailures.BadKey(reply.Describe()),
        "RATE_LIMITED" => VendorFailures.RateLimited(reply.Describe()),
        "INTERNAL_ERROR" => VendorFailures.Error(reply.Describe(), transient: true),
        "ACCOUNT_RESTRICTED" or "INVALID_DATAPOINTS" or "INVALID_REQUEST" => VendorFailures.Error(reply.Describe(), transient: false),
        _ => reply.Status == 200 ? VendorFailures.Error(reply.Describe(), transient: false) : VendorFailures.FromStatus(reply),
    };
}
