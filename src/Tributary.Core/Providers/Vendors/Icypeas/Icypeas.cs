using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Core.Providers.Vendors.Icypeas;

/// <summary>
/// Icypeas' email search: a ticket (<c>POST /api/email-search</c>) read back (<c>POST /api/bulk-single-searchs/read</c>)
/// until it is done, within the run's deadline. Key in <c>Authorization</c>, raw, no <c>Bearer</c>.
/// </summary>
public sealed class IcypeasFinder(VendorContext context) : VendorFinder(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<ProviderResult> FindAsync(ProviderQuery query, CancellationToken ct)
    {
        var body = new JsonObject
        {
            // One of firstname/lastname may be empty.
            ["firstname"] = KnownValues.FirstName(query) ?? "",
            ["lastname"] = KnownValues.LastName(query) ?? "",
            ["domainOrCompany"] = KnownValues.Domain(query) ?? KnownValues.Company(query),
        };
        var (item, failure) = await Icypeas.AwaitAsync(Client, "/api/email-search", body, Time, ct);
        if (failure is not null) return failure;
        if (item is null) return ProviderResult.None;
        var email = Icypeas.BestEmail(item.Value);
        if (email is null) return ProviderResult.None;
        var (status, confidence) = Icypeas.Certainty(VendorJson.Str(email.Value, "certainty"));
        return NewValues(query).AddEmail(WaterfallChannels.WorkEmail, VendorJson.Str(email.Value, "email"), status, confidence).Result();
    }
}

/// <summary>Icypeas' verification, <c>POST /api/email-verification</c> and the same read.</summary>
public sealed class IcypeasVerifier(VendorContext context) : VendorVerifier(context, VendorFailures.UsuallyTransient)
{
    protected override async Task<VerifierAnswer> CheckAsync(string email, CancellationToken ct)
    {
        var (item, failure) = await Icypeas.AwaitAsync(Client, "/api/email-verification", new JsonObject { ["email"] = email }, Time, ct);
        if (failure is not null) return Fail(failure);
        // Verification's "not found" means it could not tell.
        if (item is null || Icypeas.BestEmail(item.Value) is not { } found) return Verdict(EmailStatus.Unknown, "not_found");
        var word = VendorJson.Str(found, "certainty");
        return Verdict(Icypeas.Certainty(word).Status, word);
    }
}

internal static class Icypeas
{
    /// <summary>However long the run's deadline allows, a ticket is not waited for beyond this.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    private static Action<System.Net.Http.Headers.HttpRequestHeaders> Auth(VendorClient client) =>
        headers => headers.TryAddWithoutValidation("Authorization", client.ApiKey);

    /// <summary>
    /// Submits a ticket and reads it until it is done: the finished item, or null for no match (<c>NOT_FOUND</c>,
    /// <c>DEBITED_NOT_FOUND</c>), or the failure.
    /// </summary>
    public static async Task<(JsonElement? Item, ProviderResult.Failed? Failure)> AwaitAsync(VendorClient client, string path, JsonObject body,
        TimeProvider time, CancellationToken ct)
    {
        var submitted = await client.SendAsync(HttpMethod.Post, path, null, body, Auth(client), ct);
        if (submitted.Status != 200 || submitted.Get("success") is not { ValueKind: JsonValueKind.True }) return (null, Failure(submitted));
        var id = submitted.Str("item", "_id");
        if (id is null) return (null, VendorFailures.Error("the ticket has no item._id", transient: false));
        var started = time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500 * Math.Pow(2, attempt), 5000)), time, ct);
            var read = await client.SendAsync(HttpMethod.Post, "/api/bulk-single-searchs/read", null,
                new JsonObject { ["id"] = id, ["mode"] = "single" }, Auth(client), ct);
            if (read.Status != 200 || read.Get("success") is not { ValueKind: JsonValueKind.True }) return (null, Failure(read));
            if (read.Get("items") is not { ValueKind: JsonValueKind.Array } items || items.GetArrayLength() == 0)
                return (null, VendorFailures.Error($"the read of ticket {id} has no item", transient: false));
            var item = items[0];
            switch (VendorJson.Str(item, "status")?.ToUpperInvariant())
            {
                case "NONE" or "SCHEDULED" or "IN_PROGRESS":
                    if (time.GetElapsedTime(started) > MaxWait)
                        return (null, VendorFailures.Error($"ticket {id} still pending after {MaxWait.TotalSeconds:0} s", transient: true));
                    continue;
                case "FOUND" or "DEBITED":
                    return (item, null);
                case "NOT_FOUND" or "DEBITED_NOT_FOUND":
                    return (null, null);
                case "INSUFFICIENT_FUNDS":
                    return (null, VendorFailures.OutOfCredits("item status INSUFFICIENT_FUNDS"));
                case "BAD_INPUT":
                    return (null, VendorFailures.Error("item status BAD_INPUT", transient: false));
                case "ABORTED":
                    return (null, VendorFailures.Error("item status ABORTED", transient: false));
                case var other:
                    return (null, VendorFailures.Error($"item status {other ?? "missing"}", transient: false));
            }
        }
    }

    /// <summary>The surest email of a finished item.</summary>
    public static JsonElement? BestEmail(JsonElement item) =>
        VendorJson.Get(item, "results", "emails") is { ValueKind: JsonValueKind.Array } emails
            ? emails.EnumerateArray().Where(e => VendorJson.Str(e, "email") is not null)
                .OrderByDescending(e => Certainty(VendorJson.Str(e, "certainty")).Confidence).Cast<JsonElement?>().FirstOrDefault()
            : null;

    /// <summary>ultra_sure/very_sure 99 %, probable 95 % (the vendor's stated levels), undeliverable invalid.</summary>
    public static (EmailStatus Status, double Confidence) Certainty(string? word) => word?.ToLowerInvariant() switch
    {
        "ultra_sure" or "very_sure" => (EmailStatus.Valid, 0.99),
        "probable" => (EmailStatus.Probable, 0.95),
        "undeliverable" => (EmailStatus.Invalid, 0),
        _ => (EmailStatus.Unknown, EmailStatuses.DefaultConfidence(EmailStatus.Unknown)),
    };

    /// <summary>The HTTP status of a bad key is unconfirmed: 401 and 403 are both read as one.</summary>
    private static ProviderResult.Failed Failure(VendorReply reply)
    {
        var says = reply.Describe();
        if (reply.Status is 401 or 403) return VendorFailures.BadKey(says);
        if (reply.Status == 200)
            return says.Contains("fund", StringComparison.OrdinalIgnoreCase) || says.Contains("credit", StringComparison.OrdinalIgnoreCase)
                ? VendorFailures.OutOfCredits(says)
                : VendorFailures.Error($"{says}; success is not true", transient: false);
        return VendorFailures.FromStatus(reply);
    }
}
