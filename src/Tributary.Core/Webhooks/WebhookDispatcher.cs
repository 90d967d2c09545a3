using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Webhooks;

/// <summary>
/// Delivers due outbox messages (DESIGN §8). A pass claims a batch with a lease, sends each message once, records the
/// attempt and schedules a retry or ends the message. Several processes may run passes on one database: a claim is one
/// statement (PostgreSQL skips rows another process holds), and an attempt's result is written only while its lease
/// still stands, so no two processes send the same attempt.
/// </summary>
public sealed class WebhookDispatcher(
    TributaryDbFactory dbs,
    IHttpClientFactory httpClients,
    WebhookTargetGuard guard,
    WebhookOptions options,
    TimeProvider time,
    IMeterFactory meters,
    ILogger<WebhookDispatcher> log)
{
    public const string HttpClientName = "webhooks";
    public const int BatchSize = 32;
    private const int MaxReplyBytes = 64 * 1024;

    private readonly Counter<long> _attempts = meters.Create(WaterfallMetrics.MeterName)
        .CreateCounter<long>("tributary.webhook.attempts", description: "Webhook delivery attempts, by outcome");

    // Beyond the attempt's own timeout: time to record its result before another process may take the message.
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>One pass: sends every claimed due message once; returns how many attempts it made.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(ct);
        if (claimed.Count == 0) return 0;
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = BatchSize, CancellationToken = ct },
            async (message, token) => await AttemptAsync(message, token));
        return claimed.Count;
    }

    private sealed record Claimed(WebhookMessage Message, string Secret);

    private async Task<List<Claimed>> ClaimAsync(CancellationToken ct)
    {
        await using var db = dbs.Create();
        var now = Now();
        // A read first: an idle pass then takes no write lock (SQLite has one for the whole file).
        if (!await db.WebhookMessages.AnyAsync(m => m.Status == WebhookStatus.Pending && m.NextAttemptAt <= now, ct)) return [];

        var lease = now + TimeSpan.FromSeconds(options.TimeoutSeconds) + LeaseMargin;
        var claim = db.Provider == DatabaseProvider.Postgres ? ClaimSql("FOR UPDATE SKIP LOCKED") : ClaimSql("");
        var ids = await db.Database.SqlQueryRaw<Guid>(claim, lease, now).ToListAsync(ct);
        if (ids.Count == 0) return [];

        var rows = await db.WebhookMessages.AsNoTracking().Where(m => ids.Contains(m.Id))
            .Join(db.Workspaces, m => m.WorkspaceId, w => w.Id, (m, w) => new { Message = m, w.WebhookSecret })
            .ToListAsync(ct);
        return rows.Select(r => new Claimed(r.Message, r.WebhookSecret)).ToList();
    }

    // One statement, so the claim is its own short transaction. PostgreSQL skips rows another process is claiming;
    // SQLite needs no such clause, as it runs one writer at a time.
    private static string ClaimSql(string lockClause) => $$"""
        UPDATE webhook_messages SET next_attempt_at = {0}
        WHERE id IN (SELECT id FROM webhook_messages
                     WHERE status = '{{WebhookStatus.Pending}}' AND next_attempt_at <= {1}
                     ORDER BY next_attempt_at LIMIT {{BatchSize}} {{lockClause}})
        RETURNING id AS "Value"
        """;

    private sealed record Result(string Outcome, int? StatusCode, string? Error, bool? Valid = null);

    private async Task AttemptAsync(Claimed claimed, CancellationToken ct)
    {
        var attemptedAt = Now();
        var started = time.GetTimestamp();
        Result result;
        try
        {
            result = await SendAsync(claimed, attemptedAt, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Webhook {WebhookId} could not be sent", claimed.Message.WebhookId);
            result = new Result(AttemptOutcome.NetworkError, null, e.Message);
        }
        var duration = time.GetElapsedTime(started);
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", result.Outcome));
        try
        {
            await RecordAsync(claimed.Message, attemptedAt, duration, result, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The lease runs out and the message is tried again: at least once, never lost.
            log.LogError(e, "The attempt of webhook {WebhookId} could not be recorded", claimed.Message.WebhookId);
        }
    }

    private async Task<Result> SendAsync(Claimed claimed, DateTime attemptedAt, CancellationToken ct)
    {
        var message = claimed.Message;
        if (!Uri.TryCreate(message.Url, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            return new Result(AttemptOutcome.Refused, null, "the target is not an absolute http(s) URL");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            var check = await guard.ResolveAsync(target, linked.Token);
            if (check is TargetCheck.Refused refused) return new Result(AttemptOutcome.Refused, null, refused.Reason);
            if (check is TargetCheck.Unresolved unresolved) return new Result(AttemptOutcome.NetworkError, null, unresolved.Error);

            var body = Encoding.UTF8.GetBytes(message.PayloadJson);
            var timestamp = new DateTimeOffset(attemptedAt).ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation(WebhookSigner.IdHeader, message.WebhookId);
            request.Headers.TryAddWithoutValidation(WebhookSigner.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, WebhookSigner.Sign(claimed.Secret, message.WebhookId, timestamp, body));
            request.Options.Set(WebhookTargetGuard.CheckedAddresses, ((TargetCheck.Allowed)check).Addresses);

            using var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                return new Result(AttemptOutcome.HttpError, status, $"the receiver answered {status} {response.ReasonPhrase}".TrimEnd());
            if (message.Kind != VerificationRequests.Kind) return new Result(AttemptOutcome.Delivered, status, null);

            var reply = await ReadReplyAsync(response, linked.Token);
            return reply is not null && VerificationRequests.TryReadAnswer(reply, out var valid)
                ? new Result(AttemptOutcome.Delivered, status, null, valid)
                : new Result(AttemptOutcome.InvalidReply, status, "the verification service's answer is not a JSON object with a boolean 'valid'");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new Result(AttemptOutcome.Timeout, null, $"no answer within {options.TimeoutSeconds} s");
        }
        catch (HttpRequestException e)
        {
            return new Result(AttemptOutcome.NetworkError, null, Describe(e));
        }
    }

    private static async Task<byte[]?> ReadReplyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxReplyBytes) return null;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxReplyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async Task RecordAsync(WebhookMessage message, DateTime attemptedAt, TimeSpan duration, Result result, CancellationToken ct)
    {
        var now = Now();
        var attempts = message.AttemptCount + 1;
        var (status, next, deliveredAt) = result.Outcome switch
        {
            AttemptOutcome.Delivered => (WebhookStatus.Delivered, message.NextAttemptAt, (DateTime?)now),
            AttemptOutcome.Refused => (WebhookStatus.Refused, message.NextAttemptAt, null),
            _ when attempts >= options.MaxAttempts => (WebhookStatus.Failed, message.NextAttemptAt, null),
            _ => (WebhookStatus.Pending, now.AddSeconds(options.RetryDelays[attempts - 1]), null),
        };

        await using var db = dbs.Create();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The lease is the fence: a message queued again by a redelivery meanwhile keeps its new schedule.
        var lease = message.NextAttemptAt;
        var updated = await db.WebhookMessages
            .Where(m => m.Id == message.Id && m.Status == WebhookStatus.Pending && m.NextAttemptAt == lease)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, status)
                .SetProperty(m => m.AttemptCount, attempts)
                .SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.DeliveredAt, deliveredAt), ct);
        if (updated == 0 && !await db.WebhookMessages.AnyAsync(m => m.Id == message.Id, ct)) return; // erased with its contact

        db.WebhookAttempts.Add(new WebhookAttempt
        {
            Id = Guid.CreateVersion7(), MessageId = message.Id, WorkspaceId = message.WorkspaceId, AttemptedAt = attemptedAt,
            StatusCode = result.StatusCode, DurationMs = (long)duration.TotalMilliseconds, Outcome = result.Outcome,
            Error = result.Error is { Length: > 1000 } text ? text[..1000] : result.Error,
        });
        if (result.Valid is { } valid) await VerificationRequests.ApplyAnswerAsync(db, message, valid, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (result.Outcome != AttemptOutcome.Delivered)
            log.LogInformation("Webhook {WebhookId} attempt {Attempt} to {Url}: {Outcome} ({Error}); the message is {Status}",
                message.WebhookId, attempts, Uri.TryCreate(message.Url, UriKind.Absolute, out var url) ? WebhookTargetGuard.ForLogs(url) : "(a URL)", result.Outcome, result.Error, updated == 1 ? status : "queued again");
    }

    private static string Describe(HttpRequestException e)
    {
        var inner = e.InnerException is { } i && !e.Message.Contains(i.Message, StringComparison.Ordinal) ? $" ({i.Message})" : "";
        return e.HttpRequestError == HttpRequestError.Unknown ? e.Message + inner : $"{e.HttpRequestError}: {e.Message}{inner}";
    }

    // Whole milliseconds: both databases store them exactly, so the lease read back equals the lease written.
    private DateTime Now()
    {
        var ticks = time.GetUtcNow().UtcDateTime.Ticks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
