using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Dropcontact;

/// <summary>
/// Dropcontact's enrichment: a request (<c>POST /v1/enrich/all</c>) polled (<c>GET /v1/enrich/all/{request_id}</c>)
/// until ready, key in <c>X-Access-Token</c>. "Not ready" (<c>success:false</c>, <c>error:false</c>) is a wait, never an
/// error; <c>error:true</c> is a failure whatever the HTTP status. Answers take minutes: synchronous runs skip it.
/// </summary>
public sealed class DropcontactFinder(VendorContext context) : VendorFinder(context, VendorFailures.UsuallyTransient)
{
    /// <summary>However long the deadline allows, a request is not waited for beyond this.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(15);

    /// <summary>Reads of a request back off to at most this far apart.</summary>
    private static readonly TimeSpan MaxPollGap = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Every read is a call the vendor counts like a request: the first comes after the vendor's typical delay, when the
    /// answer is usually ready, not at once (reads at 0.5 s and 1 s made 32 of the 48 calls of a 1,000-record job).
    /// </summary>
    private readonly TimeSpan _firstPoll = TimeSpan.FromMilliseconds(context.Definition.FirstPollMs ?? context.Vendor.DefaultFirstPollMs ?? 5_000);

    public override bool AnswersLater => true;

    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct) =>
        (await EnrichAsync([query], ct))[0];

    /// <summary>One request takes up to 250 contacts, answered in their order.</summary>
    protected override int BulkMax => 250;

    protected override Task<IReadOnlyList<ProviderResult>> FindManyAsync(IReadOnlyList<ProviderQuery> queries, CancellationToken ct) =>
        EnrichAsync(queries, ct);

    private async Task<IReadOnlyList<ProviderResult>> EnrichAsync(IReadOnlyList<ProviderQuery> queries, CancellationToken ct)
    {
        IReadOnlyList<ProviderResult> All(ProviderResult result) => queries.Select(_ => result).ToList();
        var body = new JsonObject
        {
            ["data"] = new JsonArray(queries.Select(q => (JsonNode)Contact(q)).ToArray()), ["siren"] = false, ["language"] = "en",
        };
        var submitted = await Client.SendAsync(HttpMethod.Post, "/v1/enrich/all", null, body, Auth, ct);
        if (submitted.Status != 200 || IsError(submitted) || submitted.Get("success") is not { ValueKind: JsonValueKind.True })
            return All(Failure(submitted));
        var requestId = submitted.Str("request_id");
        if (requestId is null) return All(VendorFailures.Error("the answer has no request_id", transient: false));

        var started = Time.GetTimestamp();
        for (var gap = _firstPoll; ; gap = gap * 2 < MaxPollGap ? gap * 2 : MaxPollGap)
        {
            await Task.Delay(gap, Time, ct);
            var read = await Client.SendAsync(HttpMethod.Get, "/v1/enrich/all/" + Uri.EscapeDataString(requestId), null, null, Auth, ct);
            if (read.Status != 200 || IsError(read)) return All(Failure(read));
            if (read.Get("success") is { ValueKind: JsonValueKind.True })
            {
                if (read.Get("data") is not { ValueKind: JsonValueKind.Array } data || data.GetArrayLength() == 0)
                    return All(VendorFailures.Error("a ready answer without data", transient: false));
                var records = data.EnumerateArray().ToList();
                return queries.Select((q, i) => i < records.Count
                    ? Map(records[i], q)
                    : VendorFailures.Error("the ready answer has fewer contacts than were sent", transient: true)).ToList();
            }
            if (Time.GetElapsedTime(started) > MaxWait)
                return All(VendorFailures.Error($"request {requestId} not ready after {MaxWait.TotalMinutes:0} minutes", transient: true));
        }
    }

    private static JsonObject Contact(ProviderQuery query)
    {
        var contact = new JsonObject();
        void Put(string name, string? value)
        {
            if (value is not null) contact[name] = value;
        }
        Put("first_name", KnownValues.FirstName(query));
        Put("last_name", KnownValues.LastName(query));
        Put("full_name", KnownValues.FirstName(query) is null || KnownValues.LastName(query) is null ? KnownValues.FullName(query) : null);
        Put("email", KnownValues.Email(query));
        Put("phone", KnownValues.Phone(query));
        Put("company", KnownValues.Company(query));
        Put("website", KnownValues.Domain(query));
        Put("linkedin", KnownValues.Linkedin(query));
        return contact;
    }

    private void Auth(System.Net.Http.Headers.HttpRequestHeaders headers) => headers.TryAddWithoutValidation("X-Access-Token", Client.ApiKey);

    private ProviderResult Map(JsonElement record, ProviderQuery query)
    {
        var values = NewValues(query);
        // Dropcontact refunds the credit of a record whose email it did not find, except when it was given one to verify.
        if (KnownValues.Email(query) is not null) values.Billed(WaterfallChannels.WorkEmail);
        if (VendorJson.Get(record, "email") is { ValueKind: JsonValueKind.Array } emails)
        {
            var best = emails.EnumerateArray().Where(e => VendorJson.Str(e, "email") is not null)
                .Select(e => (Email: VendorJson.Str(e, "email"), Status: Status(VendorJson.Str(e, "qualification"))))
                .OrderByDescending(e => EmailStatuses.Rank(e.Status)).FirstOrDefault();
            if (best.Email is not null) values.AddEmail(WaterfallChannels.WorkEmail, best.Email, best.Status);
        }
        return values
            .Add(WaterfallChannels.Phone, VendorJson.Str(record, "phone"), MatchedConfidence)
            .Add(WaterfallChannels.LinkedinUrl, VendorJson.Str(record, "linkedin"), MatchedConfidence)
            .Add(WaterfallChannels.JobTitle, VendorJson.Str(record, "job"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyName, VendorJson.Str(record, "company"), MatchedConfidence)
            .Add(WaterfallChannels.CompanyDomain, VendorJson.Str(record, "website"), MatchedConfidence)
            .Result();
    }

    /// <summary><c>qualification</c> is <c>local@domain</c> (VENDORS.md status table).</summary>
    public static EmailStatus Status(string? qualification)
    {
        var parts = (qualification ?? "").ToLowerInvariant().Split('@', 2);
        var (local, domain) = (parts[0].Trim(), parts.Length > 1 ? parts[1].Trim() : "");
        if (local == "invalid" || domain == "invalid") return EmailStatus.Invalid;
        return (local, domain) switch
        {
            ("nominative", "pro") => EmailStatus.Valid,
            ("catch_all" or "non_confirm", "pro") => EmailStatus.CatchAll,
            ("generic" or "random", _) or ("nominative", "perso") => EmailStatus.Risky,
            _ => EmailStatus.Unknown,
        };
    }

    private static bool IsError(VendorReply reply) => reply.Get("error") is { ValueKind: JsonValueKind.True };

    /// <summary>Out of credits is a 403 for the whole request; whether a bad token is 401 or 403 is unconfirmed, so a 403 is read by its words.</summary>
    private static ProviderResult.Failed Failure(VendorReply reply)
    {
        var says = reply.Describe();
        bool Says(string word) => says.Contains(word, StringComparison.OrdinalIgnoreCase);
        return reply.Status switch
        {
            401 => VendorFailures.BadKey(says),
            403 when !Says("credit") && (Says("token") || Says("key") || Says("auth")) => VendorFailures.BadKey(says),
            403 => VendorFailures.OutOfCredits(says),
            200 when Says("credit") => VendorFailures.OutOfCredits(says),
            200 => VendorFailures.Error(says, transient: false),
            _ => VendorFailures.FromStatus(reply),
        };
    }
}
