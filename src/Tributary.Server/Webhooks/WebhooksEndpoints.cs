using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Common;
using Tributary.Core.Storage;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.Native;
using Tributary.Server.Docs;

namespace Tributary.Server.Webhooks;

/// <summary>The workspace's webhook deliveries (DESIGN §4, §8): every attempt, and redelivery of a message.</summary>
public static class WebhooksEndpoints
{
    public sealed record DeliveryDto(
        Guid Id, Guid MessageId, string WebhookId, string Kind, string Url, DateTime AttemptedAt, int? StatusCode,
        long DurationMs, string Outcome, string? Error);

    public sealed record DeliveryList(IReadOnlyList<DeliveryDto> Deliveries);

    public sealed record MessageDto(
        Guid Id, string WebhookId, string Kind, string Url, string Status, int AttemptCount, DateTime CreatedAt,
        DateTime NextAttemptAt, DateTime? DeliveredAt)
    {
        public static MessageDto Of(WebhookMessage m) =>
            new(m.Id, m.WebhookId, m.Kind, m.Url, m.Status, m.AttemptCount, m.CreatedAt, m.NextAttemptAt, m.DeliveredAt);
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").WithTags(ApiTags.Webhooks).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.AdminWorkspace);
        group.MapGet("/deliveries", ListDeliveries);
        group.MapPost("/deliveries/{id}/redeliver", Redeliver);
        return app;
    }

    /// <summary>Every attempt, newest first; paged by page/per_page, or by cursor for deep pages.</summary>
    static async Task<Results<Ok<Listed<DeliveryList>>, ErrorResult>> ListDeliveries(
        HttpContext http, CallerContext caller, TributaryDb db, CancellationToken ct)
    {
        if (ListQuery.TryParse(http.Request.Query, out var page, out var rest) is { } bad) return new ErrorResult(bad);
        if (rest.FirstOrDefault() is { Key: { } unknown }) return new ErrorResult(ApiError.Validation($"unknown filter '{unknown}'"));
        var attempts = db.WebhookAttempts.AsNoTracking().Where(a => a.WorkspaceId == caller.WorkspaceId);
        var total = await attempts.LongCountAsync(ct);
        if (page.Cursor is not null && Cursor.TryDecode(page.Cursor, out var cursor)) attempts = attempts.Where(a => a.Seq < cursor.Seq);
        var skip = page.Cursor is null ? (page.Page - 1) * page.PerPage : 0;
        var rows = await (
                from a in attempts
                join m in db.WebhookMessages on a.MessageId equals m.Id
                orderby a.Seq descending
                select new { Attempt = a, m.Kind, m.Url })
            .Skip(skip).Take(page.PerPage + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > page.PerPage)
        {
            rows.RemoveAt(rows.Count - 1);
            next = new Cursor(rows[^1].Attempt.AttemptedAt, rows[^1].Attempt.Seq).Encode();
        }
        var list = rows.Select(r => new DeliveryDto(r.Attempt.Id, r.Attempt.MessageId, WebhookIds.Of(r.Attempt.MessageId), r.Kind, r.Url,
            r.Attempt.AttemptedAt, r.Attempt.StatusCode, r.Attempt.DurationMs, r.Attempt.Outcome, r.Attempt.Error)).ToList();
        return TypedResults.Ok(new Listed<DeliveryList>(new DeliveryList(list),
            new ListMeta(page.Cursor is null ? page.Page : 1, page.PerPage, total, next)));
    }

    /// <summary>Queues a message again, due now, with the same webhook-id; the id is the message's or one of its attempts'.</summary>
    static async Task<Results<Accepted<Envelope<MessageDto>>, ErrorResult>> Redeliver(
        string id, CallerContext caller, TributaryDb db, TimeProvider time, CancellationToken ct)
    {
        if (Ids.TryParse(id, "delivery", out var deliveryId) is { } bad) return new ErrorResult(bad);
        var message = await WebhookOutbox.RedeliverAsync(db, caller.WorkspaceId, deliveryId, time, ct);
        return message is null
            ? new ErrorResult(ApiError.NotFound("Delivery"))
            : TypedResults.Accepted((string?)null, new Envelope<MessageDto>(MessageDto.Of(message)));
    }
}
