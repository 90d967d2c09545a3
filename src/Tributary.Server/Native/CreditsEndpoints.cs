using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Credits;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.Docs;

namespace Tributary.Server.Native;

public static class CreditsEndpoints
{
    public sealed record BalanceBody(long Balance, long Reserved);
    public sealed record LedgerEntryDto(Guid Id, string Kind, long Amount, string Reason, Guid? EnrichmentId, DateTime CreatedAt);
    public sealed record LedgerList(IReadOnlyList<LedgerEntryDto> Entries);

    public static IEndpointRouteBuilder MapCredits(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/credits").WithTags(ApiTags.Credits).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.ReadCredits);
        group.MapGet("/", GetBalance);
        group.MapGet("/ledger", ListLedger);
        return app;
    }

    static async Task<Ok<Envelope<BalanceBody>>> GetBalance(CallerContext caller, TributaryDb db, Ledger ledger, CancellationToken ct)
    {
        var b = await ledger.GetBalanceAsync(db, caller.WorkspaceId, ct);
        return TypedResults.Ok(new Envelope<BalanceBody>(new BalanceBody(b.Balance, b.Reserved)));
    }

    /// <summary>Newest first. Paged by page/per_page, or by cursor (the last entry's sequence number) for deep pages.</summary>
    static async Task<Results<Ok<Listed<LedgerList>>, ErrorResult>> ListLedger(
        HttpContext http, CallerContext caller, TributaryDb db, CancellationToken ct)
    {
        var query = http.Request.Query;
        if (ListQuery.TryParse(query, out var page, out var rest) is { } bad) return new ErrorResult(bad);
        if (rest.FirstOrDefault() is { Key: { } unknown }) return new ErrorResult(ApiError.Validation($"unknown filter '{unknown}'"));
        var entries = Ledger.EntriesOf(db, caller.WorkspaceId);
        var total = await entries.LongCountAsync(ct);
        var q = entries;
        if (page.Cursor is not null && Core.Common.Cursor.TryDecode(page.Cursor, out var cursor)) q = q.Where(e => e.Seq < cursor.Seq);
        var skip = page.Cursor is null ? (page.Page - 1) * page.PerPage : 0;
        var rows = await q.OrderByDescending(e => e.Seq).Skip(skip).Take(page.PerPage + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > page.PerPage)
        {
            rows.RemoveAt(rows.Count - 1);
            next = new Core.Common.Cursor(rows[^1].CreatedAt, rows[^1].Seq).Encode();
        }
        var list = rows.Select(e => new LedgerEntryDto(e.Id, e.Kind, e.Amount, e.Reason, e.EnrichmentId, e.CreatedAt)).ToList();
        return TypedResults.Ok(new Listed<LedgerList>(new LedgerList(list),
            new ListMeta(page.Cursor is null ? page.Page : 1, page.PerPage, total, next)));
    }
}
