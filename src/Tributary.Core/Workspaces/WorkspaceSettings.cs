using System.Text.Json;
using System.Text.Json.Serialization;
using Tributary.Core.Common;
using Tributary.Core.Providers.Phones;
using Tributary.Core.Webhooks;

namespace Tributary.Core.Workspaces;

public sealed record WorkspaceSettings(
    bool PersonalEmailConsent,
    IReadOnlyList<string> DefaultPhoneCountries,
    double MinConfidence,
    string? VerificationWebhookUrl,
    string WebhookSecret)
{
    public static WorkspaceSettings Of(Workspace w) => new(
        w.PersonalEmailConsent, w.PhoneCountries, w.MinConfidence, w.VerificationWebhookUrl, w.WebhookSecret);

    /// <summary>The fields of the settings object; <c>webhook_secret</c> is read-only (accepted unchanged, as GET gave it).</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["personal_email_consent", "default_phone_countries", "min_confidence", "verification_webhook_url", "webhook_secret"];

    /// <summary>
    /// Applies a PATCH: only the members given change; a member not in <see cref="Fields"/> or a bad value is an error
    /// that names it, and then nothing changes. A webhook URL must pass <paramref name="targets"/>' submission check.
    /// </summary>
    public static string? TryApplyPatch(Workspace w, SettingsPatch patch, WebhookTargetGuard targets)
    {
        // A misspelt field changing nothing while the answer says 200 is worse than a refusal.
        if (patch.Unknown is { Count: > 0 } unknown)
            return $"unknown settings {(unknown.Count == 1 ? "field" : "fields")} {string.Join(", ", unknown.Keys.Select(n => $"'{n}'"))}; " +
                   $"known: {string.Join(", ", Fields)}";
        var next = (Consent: w.PersonalEmailConsent, Countries: w.DefaultPhoneCountries, Min: w.MinConfidence,
            Url: w.VerificationWebhookUrl);
        if (patch.PersonalEmailConsent.IsGiven) next.Consent = patch.PersonalEmailConsent.Value;
        if (patch.DefaultPhoneCountries is { IsGiven: true, Value: var given })
        {
            if (given?.Any(c => c is null) == true) return "'default_phone_countries' must be an array of ISO 3166-1 alpha-2 codes";
            var codes = given?.Select(c => c!.Trim().ToUpperInvariant()).ToList() ?? [];
            var bad = codes.FirstOrDefault(c => c.Length != 2 || !PhoneNormalizer.IsKnownRegion(c));
            if (bad is not null) return $"'default_phone_countries' has an unknown country code '{bad}'";
            next.Countries = string.Join(',', codes.Distinct());
        }
        if (patch.MinConfidence is { IsGiven: true, Value: var min })
        {
            if (min is < 0 or > 1 || double.IsNaN(min)) return "'min_confidence' must be a number from 0 to 1";
            next.Min = min;
        }
        if (patch.VerificationWebhookUrl is { IsGiven: true, Value: var url })
        {
            if (url is null) next.Url = null;
            else if (targets.CheckSubmission(url, out var uri) is { } refused) return $"'verification_webhook_url' {refused}";
            else next.Url = uri!.AbsoluteUri;
        }
        if (patch.WebhookSecret.IsGiven && patch.WebhookSecret.Value != w.WebhookSecret) return "'webhook_secret' is read-only";
        (w.PersonalEmailConsent, w.DefaultPhoneCountries, w.MinConfidence, w.VerificationWebhookUrl) = next;
        return null;
    }
}

/// <summary>
/// The body of a settings PATCH (<c>PATCH /v1/workspace/settings</c>, and the operator's <c>PATCH /admin/workspaces/{id}</c>):
/// the members of <see cref="WorkspaceSettings"/>, each changed only when given; <c>null</c> clears the phone countries
/// and the verification webhook. Members it does not know are kept to be refused by name.
/// </summary>
public sealed record SettingsPatch
{
    [JsonPropertyName("personal_email_consent")] public Given<bool> PersonalEmailConsent { get; init; }
    [JsonPropertyName("default_phone_countries")] public Given<List<string?>> DefaultPhoneCountries { get; init; }
    [JsonPropertyName("min_confidence")] public Given<double> MinConfidence { get; init; }
    [JsonPropertyName("verification_webhook_url")] public Given<string> VerificationWebhookUrl { get; init; }
    [JsonPropertyName("webhook_secret")] public Given<string> WebhookSecret { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unknown { get; init; }
}
