using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Apollo;

/// <summary>
/// Apollo's People Enrichment, <c>POST /api/v1/people/match</c>, key in <c>X-Api-Key</c> (never Bearer, which is for
/// OAuth tokens); job items are asked ten at a time through <c>bulk_match</c>. Phones are only sent to a webhook minutes
/// later: with <c>PhoneWebhookUrl</c>, job items (and seed 002/003 records) that want a phone are asked with
/// <c>reveal_phone_number</c> and wait for the hook (<see cref="PendingAnswers"/>) within their deadline; synchronous
/// runs never ask for phones, and without the URL this finder does not serve <c>phone</c>.
/// </summary>
public sealed class ApolloFinder(VendorContext context) : VendorFinder(context, VendorFailures.UsuallyTransient)
{
    private readonly string? _webhook = context.Definition.PhoneWebhookUrl;
    private readonly PendingAnswers? _answers = context.Answers;
    /// <summary>The person each lookup that asked for a phone matched: what its answer on the hook will be named by.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProviderQuery, string> _awaitingPhone = new();

    private static readonly IReadOnlySet<string> Phones = new HashSet<string> { WaterfallChannels.Phone };

    public override IReadOnlySet<string> LateChannels => Channels.Contains(WaterfallChannels.Phone) ? Phones : base.LateChannels;

    private bool AsksPhone(ProviderQuery query) =>
        query.MayWait && _webhook is not null && _answers is not null && query.Channels.Contains(WaterfallChannels.Phone)
        && Channels.Contains(WaterfallChannels.Phone);

    protected override string BatchKey(ProviderQuery query) => AsksPhone(query) ? "phone" : "";

    /// <summary>
    /// <c>PhoneWebhookUrl</c> with this provider's secret: in place of a <c>{secret}</c> in it, else after a URL that
    /// already ends in <c>/hooks/apollo/{name}</c>, else after the server's public address.
    /// </summary>
    private async Task<string> WebhookUrlAsync(CancellationToken ct)
    {
        var secret = await _answers!.SecretAsync(Name, ct);
        var url = _webhook!.Trim();
        if (url.Contains("{secret}", StringComparison.Ordinal)) return url.Replace("{secret}", secret, StringComparison.Ordinal);
        var route = "/hooks/apollo/" + Uri.EscapeDataString(Name);
        url = url.TrimEnd('/');
        return url.EndsWith(route, StringComparison.OrdinalIgnoreCase) ? $"{url}/{secret}" : $"{url}{route}/{secret}";
    }

    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var inputs = Inputs(query);
        var phone = AsksPhone(query);
        if (phone) inputs = [.. inputs, ("reveal_phone_number", "true"), ("webhook_url", await WebhookUrlAsync(ct))];
        // The reference takes the inputs as query parameters; clients also send them as a JSON body: both are sent.
        var reply = await Client.SendAsync(HttpMethod.Post, "/api/v1/people/match", inputs, Body(inputs), Auth, ct);
        if (reply.Status != 200) return Failure(reply);
        if (!reply.IsObject) return VendorFailures.Error("HTTP 200 that is not a JSON object", transient: false);
        if (reply.Str("match_confidence") is { } confidence && confidence.Equals("none", StringComparison.OrdinalIgnoreCase))
            return ProviderResult.None;
        return Map(query, reply.Get("person"), phone);
    }

    /// <summary><c>POST /api/v1/people/bulk_match</c>: up to 10 people in <c>details</c>, <c>matches</c> in their order (null: no match).</summary>
    protected override int BulkMax => 10;

    protected override async Task<IReadOnlyList<ProviderResult>> FindManyAsync(IReadOnlyList<ProviderQuery> queries, CancellationToken ct)
    {
        var details = new JsonArray(queries.Select(q => (JsonNode)Body(Inputs(q).Where(i => i.Name != "reveal_personal_emails"))).ToArray());
        var body = new JsonObject { ["details"] = details, ["reveal_personal_emails"] = false };
        // Batches are keyed on wanting a phone, so either every query of this one does or none does.
        var phone = AsksPhone(queries[0]);
        if (phone)
        {
            body["reveal_phone_number"] = true;
            body["webhook_url"] = await WebhookUrlAsync(ct);
        }
        var reply = await Client.SendAsync(HttpMethod.Post, "/api/v1/people/bulk_match", null, body, Auth, ct);
        if (reply.Status != 200) return queries.Select(_ => (ProviderResult)Failure(reply)).ToList();
        if (reply.Get("matches") is not { ValueKind: JsonValueKind.Array } matches)
            return queries.Select(_ => (ProviderResult)VendorFailures.Error("a bulk answer without matches", transient: false)).ToList();
        var list = matches.EnumerateArray().ToList();
        return queries.Select((q, i) => i < list.Count
            ? Map(q, list[i].ValueKind == JsonValueKind.Object ? list[i] : null, phone)
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
            body[name] = name.StartsWith("reveal_", StringComparison.Ordinal) ? JsonValue.Create(value == "true") : JsonValue.Create(value);
        return body;
    }

    private ProviderResult Map(ProviderQuery query, JsonElement? match, bool phoneAsked)
    {
        if (match is not { ValueKind: JsonValueKind.Object } person) return ProviderResult.None;
        if (phoneAsked && ApolloPhones.PersonId(person) is { } personId) _awaitingPhone.AddOrUpdate(query, personId);
        var values = NewValues(query);
        var emailWord = VendorJson.Str(person, "email_status");
        if (Status(emailWord) is { } status) values.AddEmail(WaterfallChannels.WorkEmail, VendorJson.Str(person, "email"), status);
        return values
            .Add(WaterfallChannels.LinkedinUrl, VendorJson.Str(person, "linkedin_url"), MatchedConfidence)
            .Add(WaterfallChannels.JobTitle, VendorJson.Str(person, "title"), MatchedConfidence)
            .Add(WaterfallChannels.FullName, VendorJson.Str(person, "name"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyName, VendorJson.Str(person, "organization", "name"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyDomain, VendorJson.Str(person, "organization", "primary_domain"), MatchedConfidence)
            // A credit for the person's demographics, with or without an email.
            .Result(matched: true);
    }

    /// <summary>
    /// A lookup that asked for a phone waits, within its deadline, for the number Apollo sends to the hook, with its worker
    /// slot given up meanwhile (<see cref="Jobs.WorkerSlot"/>). A number that comes after the deadline is stored when it
    /// comes (<see cref="Enrichment.LateAnswers"/>): the run says so (<see cref="ProviderResult.Found.Later"/>), never a miss.
    /// </summary>
    protected override async Task<ProviderResult> CompleteAsync(ProviderQuery query, ProviderResult answered, CancellationToken ct)
    {
        if (!_awaitingPhone.TryGetValue(query, out var personId)) return answered;
        _awaitingPhone.Remove(query);
        if (answered is ProviderResult.Failed) return answered;
        var values = answered is ProviderResult.Found found
            ? new Dictionary<string, ProviderValue>(found.Values, StringComparer.Ordinal)
            : new Dictionary<string, ProviderValue>(StringComparer.Ordinal);
        var deadline = query.Later?.Deadline ?? Time.GetUtcNow().UtcDateTime.AddMinutes(15);
        var row = await _answers!.BeginAsync(Name, personId, query, [WaterfallChannels.Phone], deadline, CancellationToken.None);
        string? answer;
        await using (await Jobs.WorkerSlot.StepOutAsync())
            answer = await _answers.AwaitAsync(row, ct);
        if (answer is null)
            return new ProviderResult.Found(values) { Later = [WaterfallChannels.Phone] };
        if (PhoneOf(answer) is { } number) values[WaterfallChannels.Phone] = number;
        return values.Count == 0 ? ProviderResult.None : new ProviderResult.Found(values);
    }

    /// <summary>The phone of a hook's person (<see cref="ApolloPhones"/>), as a found value.</summary>
    public static ProviderValue? PhoneOf(string personJson)
    {
        using var doc = JsonDocument.Parse(personJson);
        return ApolloPhones.Best(doc.RootElement) is { } best
            ? new ProviderValue(JsonSerializer.SerializeToElement(best.Number), best.Mobile ? MatchedConfidence : 0.8)
            : null;
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
