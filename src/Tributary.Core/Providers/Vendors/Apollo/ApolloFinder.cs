using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Apollo;

/// <summary>
/// Apollo's People Enrichment, <c>POST /api/v1/people/match</c>, key in <c>X-Api-Key</c> (never Bearer, which is for
/// OAuth tokens); job items are asked ten at a time through <c>bulk_match</c>. Phones are only sent to a webhook minutes
/// later, so this finder does not ask for them.
/// </summary>
public sealed class ApolloFinder(VendorContext context) : VendorFinder(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var inputs = Inputs(query);
        // The reference takes the inputs as query parameters; clients also send them as a JSON body: both are sent.
        var reply = await Client.SendAsync(HttpMethod.Post, "/api/v1/people/match", inputs, Body(inputs), Auth, ct);
        if (reply.Status != 200) return Failure(reply);
        if (!reply.IsObject) return VendorFailures.Error("HTTP 200 that is not a JSON object", transient: false);
        if (reply.Str("match_confidence") is { } confidence && confidence.Equals("none", StringComparison.OrdinalIgnoreCase))
            return ProviderResult.None;
        return Map(query, reply.Get("person"));
    }

    /// <summary><c>POST /api/v1/people/bulk_match</c>: up to 10 people in <c>details</c>, <c>matches</c> in their order (null: no match).</summary>
    protected override int BulkMax => 10;

    protected override async Task<IReadOnlyList<ProviderResult>> FindManyAsync(IReadOnlyList<ProviderQuery> queries, CancellationToken ct)
    {
        var details = new JsonArray(queries.Select(q => (JsonNode)Body(Inputs(q).Where(i => i.Name != "reveal_personal_emails"))).ToArray());
        var body = new JsonObject { ["details"] = details, ["reveal_personal_emails"] = false };
        var reply = await Client.SendAsync(HttpMethod.Post, "/api/v1/people/bulk_match", null, body, Auth, ct);
        if (reply.Status != 200) return queries.Select(_ => (ProviderResult)Failure(reply)).ToList();
        if (reply.Get("matches") is not { ValueKind: JsonValueKind.Array } matches)
            return queries.Select(_ => (ProviderResult)VendorFailures.Error("a bulk answer without matches", transient: false)).ToList();
        var list = matches.EnumerateArray().ToList();
        return queries.Select((q, i) => i < list.Count
            ? Map(q, list[i].ValueKind == JsonValueKind.Object ? list[i] : null)
            : VendorFailures.Error("the bulk answer has fewer matches than people sent", transient: true)).ToList();
    }

    private void Auth(System.Net.Http.Headers.HttpRequestHeaders h) => h.TryAddWithoutValidation("X-Api-Key", Client.ApiKey);

    private static (string Name, string? Value)[] Inputs(ProviderQuery query)
    {
        var (first, last) = (KnownValues.FirstName(query), KnownValues.LastName(query));
        return
        [
            ("first_name", first), ("last_name", last), ("name", first is null || last is null ? KnownValues.FullName(query) : null),
            ("email", KnownValues.Email(query)), ("domain", KnownValues.Domain(query)), ("organization_name", KnownValues.Company(query)),
            ("linkedin_url", KnownValues.Linkedin(query)), ("reveal_personal_emails", "false"),
        ];
    }

    private static JsonObject Body(IEnumerable<(string Name, string? Value)> inputs)
    {
        var body = new JsonObject();
        foreach (var (name, value) in inputs.Where(i => i.Value is not null))
            body[name] = name == "reveal_personal_emails" ? JsonValue.Create(false) : JsonValue.Create(value);
        return body;
    }

    private ProviderResult Map(ProviderQuery query, JsonElement? match)
    {
        if (match is not { ValueKind: JsonValueKind.Object } person) return ProviderResult.None;
        var values = NewValues(query);
        var emailWord = VendorJson.Str(person, "email_status");
        if (Status(emailWord) is { } status) values.AddEmail(WaterfallChannels.WorkEmail, VendorJson.Str(person, "email"), status);
        return values
            .Add(WaterfallChannels.LinkedinUrl, VendorJson.Str(person, "linkedin_url"), MatchedConfidence)
            .Add(WaterfallChannels.JobTitle, VendorJson.Str(person, "title"), MatchedConfidence)
            .Add(WaterfallChannels.FullName, VendorJson.Str(person, "name"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyName, VendorJson.Str(person, "organization", "name"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyDomain, VendorJson.Str(person, "organization", "primary_domain"), MatchedConfidence)
            .Result();
    }

    /// <summary>
    /// <c>person.email_status</c> (VENDORS.md status table); null when the person has no usable email (<c>unavailable</c>).
    /// </summary>
    public static EmailStatus? Status(string? word) => word?.ToLowerInvariant() switch
    {
        "unavailable" => null,
        "verified" or "likely_to_engage" => EmailStatus.Valid,
        "update_required" => EmailStatus.Risky,
        "bounced" => EmailStatus.Invalid,
        _ => EmailStatus.Unknown,
    };

    /// <summary>
    /// 401 key, 403 an endpoint the key or plan may not use, 422 bad input, 429 rate. Apollo's out-of-credit code is
    /// unconfirmed: a 402, or any refusal that speaks of credits, is read as out of credits.
    /// </summary>
    private static ProviderResult.Failed Failure(VendorReply reply)
    {
        var says = reply.Describe();
        if (reply.Status == 402 || (reply.Status is 403 or 422 or 429 && says.Contains("credit", StringComparison.OrdinalIgnoreCase)))
            return VendorFailures.OutOfCredits(says);
        return reply.Status switch
        {
            403 => VendorFailures.Error($"{says}; the key or plan may not use People Enrichment", transient: false),
            _ => VendorFailures.FromStatus(reply),
        };
    }
}
