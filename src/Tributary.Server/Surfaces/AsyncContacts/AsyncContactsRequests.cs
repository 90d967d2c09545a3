using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Providers.Phones;
using Tributary.Core.Webhooks;
using Tributary.Server.Errors;
using WaterfallChannels = Tributary.Core.Waterfall.Channels;

namespace Tributary.Server.Surfaces.AsyncContacts;

/// <summary>
/// One contact as seed 003 sends it: the whole body of <c>single_enrich</c>, one entry of <c>bulk_enrich</c>'s
/// <c>contacts</c>. Blank names and companies count as absent; <c>custom</c> is any object, echoed back as sent.
/// </summary>
public record AsyncContactBody
{
    [JsonPropertyName("firstname")] public string? FirstName { get; init; }
    [JsonPropertyName("lastname")] public string? LastName { get; init; }
    [JsonPropertyName("domain")] public string? Domain { get; init; }
    [JsonPropertyName("company_name")] public string? CompanyName { get; init; }
    [JsonPropertyName("linkedin_url")] public string? LinkedinUrl { get; init; }
    [JsonPropertyName("phone_country_codes")] public List<string?>? PhoneCountryCodes { get; init; }
    [JsonPropertyName("phone_countries")] public List<string?>? PhoneCountries { get; init; }
    [JsonPropertyName("custom")] public JsonElement? Custom { get; init; }

    public List<string>? Countries() => AsyncContactsRequests.Countries(PhoneCountryCodes, PhoneCountries);

    /// <summary>The contact's known values and stored input, under seed 003's rules: names always; a domain or company for email; a LinkedIn URL for phones.</summary>
    public ApiError? Validate(IReadOnlyCollection<string> types, List<string>? batchCountries, out AsyncContact contact)
    {
        contact = default;
        static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        var (first, last, domain, company, linkedin) = (Text(FirstName), Text(LastName), Text(Domain), Text(CompanyName), Text(LinkedinUrl));
        if (first is null || last is null) return ApiError.Validation("firstname and lastname are required");
        if (types.Contains("email") && domain is null && company is null)
            return ApiError.Validation("domain or company_name is required for email enrichment");
        if ((types.Contains("phone") || types.Contains("personal_email")) && linkedin is null)
            return ApiError.Validation("linkedin_url is required for phone and personal_email enrichment");
        var countries = Countries() ?? batchCountries;
        if (countries?.FirstOrDefault(c => c.Length != 2 || !PhoneNormalizer.IsKnownRegion(c)) is { } bad)
            return ApiError.Validation($"phone_country_codes has an unknown country code '{bad}'");
        var custom = Custom is { ValueKind: JsonValueKind.Object } given ? given : JsonSerializer.SerializeToElement(new { });
        var known = new Dictionary<string, JsonElement>
        {
            ["first_name"] = JsonSerializer.SerializeToElement(first), ["last_name"] = JsonSerializer.SerializeToElement(last),
        };
        if (domain is not null) known["company_domain"] = JsonSerializer.SerializeToElement(domain);
        if (company is not null) known["company_name"] = JsonSerializer.SerializeToElement(company);
        if (linkedin is not null) known["linkedin_url"] = JsonSerializer.SerializeToElement(linkedin);
        contact = new AsyncContact(known, new AsyncContactInput(first, last, custom, countries));
        return null;
    }
}

/// <summary>A validated contact: what the run knows of it, and what is stored to answer with (names, custom, countries).</summary>
public readonly record struct AsyncContact(Dictionary<string, JsonElement> Known, AsyncContactInput Input);

/// <summary><c>POST …/contacts/single_enrich</c> (and <c>sync_single_enrich</c>): one contact, its enrichment types, an optional webhook.</summary>
public sealed record SingleEnrichRequest : AsyncContactBody
{
    [JsonPropertyName("enrichment_type")] public List<string?>? EnrichmentType { get; init; }
    [JsonPropertyName("webhook_url")] public string? WebhookUrl { get; init; }

    public ApiError? Validate(WebhookTargetGuard guard, out List<string> types, out AsyncContact contact, out string? webhook)
    {
        contact = default;
        webhook = null;
        return AsyncContactsRequests.Types(EnrichmentType, out types)
               ?? Validate(types, null, out contact)
               ?? AsyncContactsRequests.Webhook(WebhookUrl, guard, out webhook);
    }
}

/// <summary><c>POST …/contacts/bulk_enrich</c>: 2 to 100 contacts sharing their enrichment types, webhook and phone countries.</summary>
public sealed record BulkEnrichRequest
{
    [JsonPropertyName("contacts")] public List<AsyncContactBody?>? Contacts { get; init; }
    [JsonPropertyName("enrichment_type")] public List<string?>? EnrichmentType { get; init; }
    [JsonPropertyName("webhook_url")] public string? WebhookUrl { get; init; }
    [JsonPropertyName("phone_country_codes")] public List<string?>? PhoneCountryCodes { get; init; }
    [JsonPropertyName("phone_countries")] public List<string?>? PhoneCountries { get; init; }

    public ApiError? Validate(WebhookTargetGuard guard, out List<string> types, out List<AsyncContact> contacts, out string? webhook)
    {
        types = [];
        contacts = [];
        webhook = null;
        if (Contacts is not { Count: >= AsyncContactsEndpoints.MinBulk and <= AsyncContactsEndpoints.MaxBulk })
            return ApiError.Validation($"contacts must be an array of {AsyncContactsEndpoints.MinBulk} to {AsyncContactsEndpoints.MaxBulk} contacts");
        if (AsyncContactsRequests.Types(EnrichmentType, out types) is { } typeError) return typeError;
        if (AsyncContactsRequests.Webhook(WebhookUrl, guard, out webhook) is { } hookError) return hookError;
        var batchCountries = AsyncContactsRequests.Countries(PhoneCountryCodes, PhoneCountries);
        for (var i = 0; i < Contacts.Count; i++)
        {
            if (Contacts[i] is not { } body) return ApiError.Validation($"contacts[{i}]: a contact must be an object");
            if (body.Validate(types, batchCountries, out var contact) is { } error) return ApiError.Validation($"contacts[{i}]: {error.Message}");
            contacts.Add(contact);
        }
        return null;
    }
}

public static class AsyncContactsRequests
{
    public static readonly IReadOnlyDictionary<string, string> TypeChannels = new Dictionary<string, string>
    {
        ["email"] = WaterfallChannels.WorkEmail, ["phone"] = WaterfallChannels.Phone, ["personal_email"] = WaterfallChannels.PersonalEmail,
    };

    /// <summary>The phone countries asked for, upper-cased: <c>phone_country_codes</c>, also spelt <c>phone_countries</c>; null when neither.</summary>
    internal static List<string>? Countries(List<string?>? codes, List<string?>? countries) =>
        (codes ?? countries)?.OfType<string>().Select(c => c.Trim().ToUpperInvariant()).ToList();

    internal static ApiError? Types(List<string?>? given, out List<string> types)
    {
        types = [];
        if (given is not { Count: > 0 }) return ApiError.Validation("enrichment_type is required: a non-empty array of email, phone, personal_email");
        foreach (var type in given)
        {
            if (type is null || !TypeChannels.ContainsKey(type))
                return ApiError.Validation($"enrichment_type has an unknown value {type}; allowed: email, phone, personal_email");
            if (!types.Contains(type)) types.Add(type);
        }
        return null;
    }

    internal static ApiError? Webhook(string? given, WebhookTargetGuard guard, out string? url)
    {
        url = null;
        if (given is null) return null;
        if (guard.CheckSubmission(given, out var uri) is { } refused) return ApiError.Validation($"webhook_url is not accepted: {refused}");
        url = uri!.AbsoluteUri;
        return null;
    }
}
