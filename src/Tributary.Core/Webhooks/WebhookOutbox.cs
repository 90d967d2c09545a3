using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Webhooks;

/// <summary>
/// The webhook outbox (DESIGN §8): events are added to the caller's unit of work and committed with the work that
/// produced them, so an event exists exactly when its work does; <see cref="WebhookDispatcher"/> delivers them.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>
    /// Adds a message, due now, to <paramref name="db"/> without saving: the caller's SaveChanges (inside its transaction)
    /// commits it together with the work it reports.
    /// </summary>
    public static WebhookMessage Enqueue(TributaryDb db, Guid workspaceId, string kind, string url, string payloadJson,
        TimeProvider time, Guid? contactId = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var message = new WebhookMessage
        {
            Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, Kind = kind, Url = url, PayloadJson = payloadJson,
            CreatedAt = now, Status = WebhookStatus.Pending, NextAttemptAt = now, ContactId = contactId,
        };
        db.WebhookMessages.Add(message);
        return message;
    }

    /// <summary>
    /// Queues a message of the workspace again, due now, with a fresh retry schedule and the same <c>webhook-id</c>;
    /// <paramref name="id"/> is the message's id or the id of one of its attempts. Null when the workspace has neither.
    /// </summary>
    public static async Task<WebhookMessage?> RedeliverAsync(TributaryDb db, Guid workspaceId, Guid id, TimeProvider time, CancellationToken ct)
    {
        var message = await db.WebhookMessages.FirstOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.Id == id, ct);
        if (message is null)
        {
            var messageId = await db.WebhookAttempts.Where(a => a.WorkspaceId == workspaceId && a.Id == id)
                .Select(a => (Guid?)a.MessageId).FirstOrDefaultAsync(ct);
            if (messageId is null) return null;
            message = await db.WebhookMessages.FirstOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.Id == messageId, ct);
            if (message is null) return null;
        }
        message.Status = WebhookStatus.Pending;
        message.AttemptCount = 0;
        message.NextAttemptAt = time.GetUtcNow().UtcDateTime;
        message.DeliveredAt = null;
        await db.SaveChangesAsync(ct);
        return message;
    }
}
