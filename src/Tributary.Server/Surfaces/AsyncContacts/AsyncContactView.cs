using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Jobs;
using Tributary.Core.Providers.Phones;
using Tributary.Core.Providers.Verification;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Server.Surfaces.AsyncContacts;

/// <summary>What seed 003 keeps per job: the requested types and the webhook.</summary>
public sealed record AsyncContactsJob(
    [property: JsonPropertyName("types")] IReadOnlyList<string> Types,
    [property: JsonPropertyName("webhook_url")] string? WebhookUrl);

/// <summary>What seed 003 keeps per contact: the names and custom data to echo, and its phone countries.</summary>
public sealed record AsyncContactInput(
    [property: JsonPropertyName("first_name")] string FirstName,
    [property: JsonPropertyName("last_name")] string LastName,
    [property: JsonPropertyName("custom")] JsonElement Custom,
    [property: JsonPropertyName("phone_countries")] IReadOnlyList<string>? PhoneCountries);

/// <summary>The result object of one contact: what GET /api/v2/contacts/{id} returns and what the webhook POSTs.</summary>
public static class AsyncContactView
{
    public const string Kind = "async_contacts";

    public static AsyncContactsJob JobOf(Job job) =>
        JsonDocument.Parse(job.OptionsJson).RootElement.GetProperty(Kind).Deserialize<AsyncContactsJob>()!;

    public static Dictionary<string, object?> Of(Job job, JobItem item, IReadOnlyList<string> workspaceCountries)
    {
        if (item.Status == JobItemStatus.Erased) return Erased(item);
        var spec = JobOf(job);
        var input = JsonSerializer.Deserialize<AsyncContactInput>(item.RawJson!)!;
        var result = ItemResult.Of(item);
        var finished = item.Status is not (JobItemStatus.Pending or JobItemStatus.Running);
        var view = new Dictionary<string, object?>
        {
            ["enrichment_id"] = item.Id, ["first_name"] = input.FirstName, ["last_name"] = input.LastName,
            ["status"] = finished ? "finished" : "pending",
        };
        if (spec.Types.Contains("email")) AddEmail(view, "email", result?.Channels.GetValueOrDefault(WaterfallChannels.WorkEmail));
        if (spec.Types.Contains("personal_email")) AddEmail(view, "personal_email", result?.Channels.GetValueOrDefault(WaterfallChannels.PersonalEmail));
        var countries = PhoneFilter.Countries(input.PhoneCountries, workspaceCountries);
        view["phone"] = PhonesOf(result?.Channels ?? new Dictionary<string, ItemChannel>(), countries);
        view["custom"] = input.Custom;
        return view;
    }

    /// <summary>A contact whose person was erased (DESIGN §4): nothing of it is left to show.</summary>
    private static Dictionary<string, object?> Erased(JobItem item) => new()
    {
        ["enrichment_id"] = item.Id, ["status"] = "failed",
        ["error"] = new { code = "erased", message = "This contact's data was erased" },
    };

    /// <summary>The synchronous host's answer (DESIGN §7.4): every key present, statuses in the vendor's words.</summary>
    public static Dictionary<string, object?> SynchronousOf(JobItem item, IReadOnlyDictionary<string, JsonElement> known,
        IReadOnlyList<string> workspaceCountries)
    {
        if (item.Status == JobItemStatus.Erased) return Erased(item);
        var input = JsonSerializer.Deserialize<AsyncContactInput>(item.RawJson!)!;
        var channels = ItemResult.Of(item)?.Channels ?? new Dictionary<string, ItemChannel>();
        var phones = PhonesOf(channels, PhoneFilter.Countries(input.PhoneCountries, workspaceCountries));
        var view = new Dictionary<string, object?>
        {
            ["enrichment_id"] = item.Id, ["first_name"] = input.FirstName, ["last_name"] = input.LastName,
            ["linkedin_profile_url"] = known.TryGetValue("linkedin_url", out var linkedin) ? linkedin.GetString() : null,
        };
        var found = channels.Count > 0 && (channels.Keys.Any(c => c != WaterfallChannels.Phone) || phones.Length > 0);
        view["status"] = found ? "success" : "not_found";
        AddEmail(view, "email", channels.GetValueOrDefault(WaterfallChannels.WorkEmail));
        AddEmail(view, "personal_email", channels.GetValueOrDefault(WaterfallChannels.PersonalEmail));
        view["phones"] = phones;
        view["phone_status"] = phones.Length > 0 ? EmailVerification.DeliverabilityLabelOf(EmailStatus.Valid) : "N/A";
        view["custom"] = input.Custom;
        return view;
    }

    private static string?[] PhonesOf(IReadOnlyDictionary<string, ItemChannel> channels, IReadOnlyList<string> countries) =>
        channels.GetValueOrDefault(WaterfallChannels.Phone) is { Value.ValueKind: JsonValueKind.String } phone
        && PhoneFilter.Allows(phone.Value.GetString()!, countries)
            ? [phone.Value.GetString()]
            : [];

    private static void AddEmail(Dictionary<string, object?> view, string key, ItemChannel? found)
    {
        view[key] = found?.Value.GetString();
        // A verdict of the workspace's verification service (verified true/false) outranks the status found with the value.
        var status = found?.Verified switch
        {
            true => EmailStatus.Valid,
            false => EmailStatus.Invalid,
            _ => EmailStatuses.Parse(found?.EmailStatus) ?? EmailStatus.Unknown,
        };
        view[key + "_status"] = EmailVerification.DeliverabilityLabelOf(status);
    }
}
