using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Contacts;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;

namespace Tributary.Core.Webhooks;

/// <summary>
/// The verification webhook (DESIGN §5.2, seed 004): each newly enriched email is POSTed, signed like every webhook, to
/// the workspace's <c>verification_webhook_url</c> as <c>{"email":…,"contact_id":…}</c>. A 2xx answer
/// <c>{"valid": true|false}</c> sets <c>verified</c> in the provenance of the contact field still holding that email;
/// an unreachable service or an answer without a boolean <c>valid</c> changes nothing and is retried.
/// </summary>
public static class VerificationRequests
{
    public const string Kind = "verification.request";

    private static readonly string[] EmailFields = ["email", "personal_email"];

    public sealed record Payload(
        [property: JsonPropertyName("email")] string Email,
        [property: JsonPropertyName("contact_id")] Guid ContactId);

    /// <summary>
    /// Adds a verification request for one email of a contact to <paramref name="db"/> without saving (see
    /// <see cref="WebhookOutbox.Enqueue"/>); null when the workspace has no verification webhook.
    /// </summary>
    public static WebhookMessage? Enqueue(TributaryDb db, Workspace workspace, Guid contactId, string email, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(workspace.VerificationWebhookUrl) || string.IsNullOrWhiteSpace(email)) return null;
        var payload = JsonSerializer.Serialize(new Payload(email, contactId));
        return WebhookOutbox.Enqueue(db, workspace.Id, Kind, workspace.VerificationWebhookUrl, payload, time, contactId);
    }

    /// <summary>
    /// The enrichment hook: adds one verification request per newly stored email (<paramref name="emails"/> as
    /// (contact field, value); fields other than <c>email</c> and <c>personal_email</c> are ignored) to the caller's unit of
    /// work, to commit with the write-back that stored them. Returns how many were added.
    /// </summary>
    public static int EnqueueForNewEmails(TributaryDb db, Workspace workspace, Contact contact,
        IEnumerable<(string Field, string Email)> emails, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(workspace.VerificationWebhookUrl)) return 0;
        var added = 0;
        foreach (var email in emails.Where(e => EmailFields.Contains(e.Field) && !string.IsNullOrWhiteSpace(e.Email))
                     .Select(e => e.Email.Trim()).Distinct(StringComparer.OrdinalIgnoreCase))
            if (Enqueue(db, workspace, contact.Id, email, time) is not null) added++;
        return added;
    }

    /// <summary>Reads the service's answer: a JSON object with a boolean <c>valid</c>.</summary>
    public static bool TryReadAnswer(ReadOnlySpan<byte> reply, out bool valid)
    {
        valid = false;
        try
        {
            var reader = new Utf8JsonReader(reply);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("valid", out var v)
                || v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                return false;
            valid = v.GetBoolean();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Records the answer on the contact, in <paramref name="db"/>'s unit of work: <c>verified</c> on every email field
    /// that still holds the email asked about. A deleted contact, or one whose email has changed since, is left alone.
    /// </summary>
    public static async Task ApplyAnswerAsync(TributaryDb db, WebhookMessage message, bool valid, DateTime now, CancellationToken ct)
    {
        if (message.ContactId is not { } contactId) return;
        var payload = JsonSerializer.Deserialize<Payload>(message.PayloadJson);
        if (payload is null) return;
        var contact = await ContactStore.InWorkspace(db, message.WorkspaceId).FirstOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return;
        var sources = FieldSource.ReadAll(contact.FieldSourcesJson);
        var changed = false;
        foreach (var field in EmailFields)
        {
            if (!string.Equals(ContactFields.Get(contact, field), payload.Email, StringComparison.OrdinalIgnoreCase)) continue;
            // Values without provenance were entered by the user (enriched values always carry theirs).
            var source = sources.GetValueOrDefault(field) ?? FieldSource.User;
            if (source.Verified == valid) continue;
            sources[field] = source with { Verified = valid };
            changed = true;
        }
        if (!changed) return;
        contact.FieldSourcesJson = FieldSource.WriteAll(sources);
        contact.UpdatedAt = now;
    }
}
