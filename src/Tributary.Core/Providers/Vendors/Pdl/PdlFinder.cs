using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Pdl;

/// <summary>
/// People Data Labs' Person Enrichment, <c>POST /v5/person/enrich</c>, key in <c>X-Api-Key</c>. Confidence is
/// <c>likelihood/10</c>; PDL gives no email verdict, so its emails go to the verifiers. On the free plan contact fields
/// come back as <c>true</c>/<c>false</c> ("a value exists"): a boolean is never a value. Job items are asked in bulk.
/// </summary>
public sealed class PdlFinder(VendorContext context) : VendorFinder(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var reply = await Client.SendAsync(HttpMethod.Post, "/v5/person/enrich", null, Params(query), Auth, ct);
        return Answer(query, reply);
    }

    /// <summary><c>POST /v5/person/bulk</c>: up to 100 requests, answered by a JSON array in their order.</summary>
    protected override int BulkMax => 100;

    protected override async Task<IReadOnlyList<ProviderResult>> FindManyAsync(IReadOnlyList<ProviderQuery> queries, CancellationToken ct)
    {
        var requests = new JsonArray(queries.Select(q => (JsonNode)new JsonObject { ["params"] = Params(q) }).ToArray());
        var reply = await Client.SendAsync(HttpMethod.Post, "/v5/person/bulk", null, new JsonObject { ["requests"] = requests }, Auth, ct);
        if (reply.Status != 200) return queries.Select(_ => (ProviderResult)Failure(reply)).ToList();
        if (reply.Json.ValueKind != JsonValueKind.Array)
            return queries.Select(_ => (ProviderResult)VendorFailures.Error("a bulk answer that is not a JSON array", transient: false)).ToList();
        var answers = reply.Json.EnumerateArray().ToList();
        // Each record carries its own status, as the single endpoint would have answered it.
        return queries.Select((q, i) => i < answers.Count
            ? Answer(q, new VendorReply(VendorJson.Num(answers[i], "status") is { } status ? (int)status : 200, answers[i], null))
            : VendorFailures.Error("the bulk answer has fewer records than were sent", transient: true)).ToList();
    }

    private void Auth(System.Net.Http.Headers.HttpRequestHeaders h) => h.TryAddWithoutValidation("X-Api-Key", Client.ApiKey);

    private static JsonObject Params(ProviderQuery query)
    {
        var (first, last) = (KnownValues.FirstName(query), KnownValues.LastName(query));
        var body = new JsonObject();
        void Put(string name, string? value)
        {
            if (value is not null) body[name] = value;
        }
        Put("profile", KnownValues.Linkedin(query));
        Put("email", KnownValues.Email(query));
        Put("phone", KnownValues.Phone(query));
        Put("first_name", first is not null && last is not null ? first : null);
        Put("last_name", first is not null && last is not null ? last : null);
        Put("name", first is null || last is null ? KnownValues.FullName(query) : null);
        // "company" takes a name, a website or a PDL id: the domain is the sharper of the two.
        Put("company", KnownValues.Domain(query) ?? KnownValues.Company(query));
        Put("location", KnownValues.Location(query));
        return body;
    }

    private ProviderResult Answer(ProviderQuery query, VendorReply reply)
    {
        if (reply.Status == 404) return ProviderResult.None;
        if (reply.Status != 200) return Failure(reply);
        if (reply.Get("data") is not { ValueKind: JsonValueKind.Object } data)
            return VendorFailures.Error("HTTP 200 without a data object", transient: false);
        var likelihood = reply.Get("likelihood") is { ValueKind: JsonValueKind.Number } l ? Math.Clamp(l.GetDouble() / 10, 0, 1) : MatchedConfidence;
        return NewValues(query)
            .AddEmail(WaterfallChannels.WorkEmail, VendorJson.Str(data, "work_email"), EmailStatus.Unknown, likelihood)
            .AddEmail(WaterfallChannels.PersonalEmail,
                VendorJson.Str(data, "recommended_personal_email") ?? FirstString(data, "personal_emails"), EmailStatus.Unknown, likelihood)
            .Add(WaterfallChannels.Phone, VendorJson.Str(data, "mobile_phone") ?? FirstString(data, "phone_numbers"), likelihood)
            .Add(WaterfallChannels.LinkedinUrl, Url(VendorJson.Str(data, "linkedin_url")), likelihood)
            .Add(WaterfallChannels.JobTitle, VendorJson.Str(data, "job_title"), likelihood)
            .Add(WaterfallChannels.FullName, VendorJson.Str(data, "full_name"), likelihood)
            .Add(WaterfallChannels.CompanyName, VendorJson.Str(data, "job_company_name"), likelihood)
            .Add(WaterfallChannels.CompanyDomain, VendorJson.Str(data, "job_company_website"), likelihood)
            .Add(WaterfallChannels.Location, VendorJson.Str(data, "location_name"), likelihood)
            // PDL bills every 200, whatever it holds (free-plan booleans, or none of the channels asked).
            .Result(matched: true);
    }

    private static string? FirstString(JsonElement data, string array) =>
        VendorJson.Get(data, array) is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s))
            : null;

    /// <summary>PDL writes LinkedIn URLs without a scheme (<c>linkedin.com/in/…</c>).</summary>
    private static string? Url(string? value) =>
        value is null || value.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? value
        : value.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? "https://" + value
        : "https://www." + value.TrimStart('/');

    private static ProviderResult.Failed Failure(VendorReply reply) => reply.Status switch
    {
        402 => VendorFailures.OutOfCredits(reply.Describe()),
        _ => VendorFailures.FromStatus(reply),
    };
}
