namespace Tributary.Core.Webhooks;

/// <summary>
/// One event to deliver (the outbox row), written in the transaction of the work that produced it. Every attempt to
/// deliver it is a <see cref="WebhookAttempt"/>; all attempts carry the same <see cref="WebhookId"/>.
/// </summary>
public sealed class WebhookMessage
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>What happened, e.g. <c>enrichment.finished</c> or <c>verification.request</c>.</summary>
    public required string Kind { get; set; }
    public required string Url { get; set; }
    /// <summary>The exact body sent (and signed) on every attempt.</summary>
    public required string PayloadJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public string Status { get; set; } = WebhookStatus.Pending;
    /// <summary>Attempts since the message was queued, or last queued again by a redelivery.</summary>
    public int AttemptCount { get; set; }
    /// <summary>When the next attempt is due; while an attempt runs, the end of its lease.</summary>
    public DateTime NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>The contact the payload is about, so that deleting the contact erases its payloads.</summary>
    public Guid? ContactId { get; set; }

    public string WebhookId => WebhookIds.Of(Id);
}

/// <summary>One delivery attempt of a <see cref="WebhookMessage"/>, as <c>GET /v1/webhooks/deliveries</c> lists it.</summary>
public sealed class WebhookAttempt
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid MessageId { get; set; }
    public Guid WorkspaceId { get; set; }
    public DateTime AttemptedAt { get; set; }
    /// <summary>The receiver's HTTP status; null when no answer came (refused, timeout, network error).</summary>
    public int? StatusCode { get; set; }
    public long DurationMs { get; set; }
    public required string Outcome { get; set; }
    public string? Error { get; set; }
}

public static class WebhookStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    /// <summary>Every attempt failed; only a redelivery sends it again.</summary>
    public const string Failed = "failed";
    /// <summary>The target resolved into a network webhooks may not reach; nothing was sent.</summary>
    public const string Refused = "refused";
}

public static class AttemptOutcome
{
    /// <summary>A 2xx answer (for a verification request: one that says whether the email is valid).</summary>
    public const string Delivered = "delivered";
    /// <summary>The receiver answered, but not with 2xx.</summary>
    public const string HttpError = "http_error";
    /// <summary>A 2xx answer that a verification request cannot use (not JSON with a boolean <c>valid</c>).</summary>
    public const string InvalidReply = "invalid_reply";
    public const string Timeout = "timeout";
    /// <summary>DNS failure, connection refused or reset, TLS failure.</summary>
    public const string NetworkError = "network_error";
    /// <summary>Not sent: the target is in a loopback, private, link-local or metadata range.</summary>
    public const string Refused = "refused";
}

public static class WebhookIds
{
    /// <summary>The Standard Webhooks <c>webhook-id</c> of a message: stable across its attempts.</summary>
    public static string Of(Guid messageId) => "msg_" + messageId.ToString("N");

    public static bool TryParse(string webhookId, out Guid messageId)
    {
        messageId = Guid.Empty;
        return webhookId.StartsWith("msg_", StringComparison.Ordinal)
               && Guid.TryParseExact(webhookId.AsSpan(4), "N", out messageId);
    }
}
