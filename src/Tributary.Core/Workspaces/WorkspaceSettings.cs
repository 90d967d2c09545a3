using System.Text.Json;
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

    /// <summary>
    /// Applies a PATCH body: only the keys present change; unknown keys are ignored; a bad value is an error that
    /// names the key, and then nothing changes. A webhook URL must pass <paramref name="targets"/>' submission check.
    /// </summary>
    /// <summary>The fields of the settings object; <c>webhook_secret</c> is read-only (accepted unchanged, as GET gave it).</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["personal_email_consent", "default_phone_countries", "min_confidence", "verification_webhook_url", "webhook_secret"];

    public static string? TryApplyPatch(Workspace w, JsonElement body, WebhookTargetGuard targets)
    {
        if (body.ValueKind != JsonValueKind.Object) return "the body must be a JSON object";
        // A misspelt field changing nothing while the answer says 200 is worse than a refusal.
        var unknown = body.EnumerateObject().Select(p => p.Name).Where(n => !Fields.Contains(n)).ToList();
        if (unknown.Count > 0)
            return $"unknown settings {(unknown.Count == 1 ? "field" : "fields")} {string.Join(", ", unknown.Select(n => $"'{n}'"))}; " +
                   $"known: {string.Join(", ", Fields)}";
        var next = (Consent: w.PersonalEmailConsent, Countries: w.DefaultPhoneCountries, Min: w.MinConfidence,
            Url: w.VerificationWebhookUrl);
        foreach (var p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "personal_email_consent":
                    if (p.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        return "'personal_email_consent' must be true or false";
                    next.Consent = p.Value.GetBoolean();
                    break;
                case "default_phone_countries":
                    if (p.Value.ValueKind == JsonValueKind.Null) { next.Countries = ""; break; }
                    if (p.Value.ValueKind != JsonValueKind.Array || p.Value.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
                        return "'default_phone_countries' must be an array of ISO 3166-1 alpha-2 codes";
                    var codes = p.Value.EnumerateArray().Select(c => c.GetString()!.Trim().ToUpperInvariant()).ToList();
                    var bad = codes.FirstOrDefault(c => c.Length != 2 || !PhoneNormalizer.IsKnownRegion(c));
                    if (bad is not null) return $"'default_phone_countries' has an unknown country code '{bad}'";
                    next.Countries = string.Join(',', codes.Distinct());
                    break;
                case "min_confidence":
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var min) || min < 0 || min > 1)
                        return "'min_confidence' must be a number from 0 to 1";
                    next.Min = min;
                    break;
                case "verification_webhook_url":
                    if (p.Value.ValueKind == JsonValueKind.Null) { next.Url = null; break; }
                    if (p.Value.ValueKind != JsonValueKind.String)
                        return "'verification_webhook_url' must be an absolute http(s) URL or null";
                    if (targets.CheckSubmission(p.Value.GetString(), out var uri) is { } refused)
                        return $"'verification_webhook_url' {refused}";
                    next.Url = uri!.AbsoluteUri;
                    break;
                case "webhook_secret":
                    if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString() != w.WebhookSecret)
                        return "'webhook_secret' is read-only";
                    break;
            }
        }
        (w.PersonalEmailConsent, w.DefaultPhoneCountries, w.MinConfidence, w.VerificationWebhookUrl) = next;
        return null;
    }
}
