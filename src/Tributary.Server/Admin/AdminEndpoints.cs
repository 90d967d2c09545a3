using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Credits;
using Tributary.Core.Storage;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.Native;
using Tributary.Server.Docs;

namespace Tributary.Server.Admin;

/// <summary>The operator's API (DESIGN §3), behind <c>Tributary:AdminToken</c>; bodies are not wrapped in <c>data</c>.</summary>
public static class AdminEndpoints
{
    public sealed record CreateWorkspaceRequest(string? Name);
    public sealed record WorkspaceCreated(Guid Id, string Name);
    public sealed record WorkspaceView(Guid Id, string Name, DateTime CreatedAt, long Balance, long Reserved, WorkspaceSettings Settings);
    public sealed record CreateKeyRequest(string? Name, List<string>? Permissions, DateTime? ExpiresAt);
    public sealed record KeyCreated(Guid Id, Guid WorkspaceId, string Name, string Key, IReadOnlyList<string> Permissions, DateTime? ExpiresAt);
    public sealed record GrantRequest(long? Amount, string? Reason);
    public sealed record BalanceView(long Balance, long Reserved);
    public sealed record WorkspaceListItem(Guid Id, string Name, DateTime CreatedAt, long Balance, long Reserved);
    public sealed record WorkspaceList(IReadOnlyList<WorkspaceListItem> Workspaces);
    public sealed record KeyView(Guid Id, string Name, IReadOnlyList<string> Permissions, DateTime CreatedAt, DateTime? LastUsedAt,
        DateTime? ExpiresAt, DateTime? RevokedAt);
    public sealed record KeyList(IReadOnlyList<KeyView> Keys);

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/workspaces").WithTags(ApiTags.Admin).WithErrorShape(NativeErrorShape.Instance).RequireAdminToken();
        group.MapPost("/", CreateWorkspace);
        group.MapGet("/", ListWorkspaces);
        group.MapGet("/{id}", GetWorkspace);
        group.MapGet("/{id}/keys", ListKeys);
        group.MapPatch("/{id}", UpdateSettings);
        group.MapPost("/{id}/keys", CreateKey);
        group.MapDelete("/{id}/keys/{keyId}", RevokeKey);
        group.MapPost("/{id}/credits", AdjustCredits);
        return app;
    }

    static async Task<Results<Created<WorkspaceCreated>, ErrorResult>> CreateWorkspace(
        CreateWorkspaceRequest body, TributaryDb db, WorkspaceAdmin admin, CancellationToken ct)
    {
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
            return new ErrorResult(ApiError.Validation("'name' is required (1 to 200 characters)"));
        var workspace = await admin.CreateWorkspaceAsync(db, name, ct);
        return TypedResults.Created($"/admin/workspaces/{workspace.Id}", new WorkspaceCreated(workspace.Id, workspace.Name));
    }

    /// <summary>Every workspace, oldest first, with its balance.</summary>
    static async Task<Ok<WorkspaceList>> ListWorkspaces(TributaryDb db, CancellationToken ct)
    {
        var rows = await db.Workspaces.AsNoTracking().OrderBy(w => w.CreatedAt)
            .GroupJoin(db.CreditAccounts.AsNoTracking(), w => w.Id, a => a.WorkspaceId, (w, accounts) => new { w, accounts })
            .SelectMany(x => x.accounts.DefaultIfEmpty(), (x, a) => new
            {
                x.w.Id, x.w.Name, x.w.CreatedAt,
                Balance = a == null ? 0 : a.Granted - a.Charged - a.Reserved, Reserved = a == null ? 0 : a.Reserved,
            })
            .ToListAsync(ct);
        return TypedResults.Ok(new WorkspaceList(rows.Select(r => new WorkspaceListItem(r.Id, r.Name, r.CreatedAt, r.Balance, r.Reserved)).ToList()));
    }

    /// <summary>A workspace's keys, oldest first; never their secrets.</summary>
    static async Task<Results<Ok<KeyList>, ErrorResult>> ListKeys(string id, TributaryDb db, WorkspaceAdmin admin, CancellationToken ct)
    {
        var (workspace, error) = await FindAsync(id, db, admin, ct);
        if (error is not null) return error;
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.WorkspaceId == workspace!.Id).OrderBy(k => k.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(new KeyList(keys.Select(k =>
            new KeyView(k.Id, k.Name, k.PermissionList, k.CreatedAt, k.LastUsedAt, k.ExpiresAt, k.RevokedAt)).ToList()));
    }

    static async Task<Results<Ok<WorkspaceView>, ErrorResult>> GetWorkspace(
        string id, TributaryDb db, WorkspaceAdmin admin, Ledger ledger, CancellationToken ct)
    {
        var (workspace, error) = await FindAsync(id, db, admin, ct);
        if (error is not null) return error;
        var balance = await ledger.GetBalanceAsync(db, workspace!.Id, ct);
        return TypedResults.Ok(new WorkspaceView(workspace.Id, workspace.Name, workspace.CreatedAt, balance.Balance, balance.Reserved,
            WorkspaceSettings.Of(workspace)));
    }

    static async Task<Results<Ok<WorkspaceSettings>, ErrorResult>> UpdateSettings(
        string id, SettingsPatch? body, TributaryDb db, WorkspaceAdmin admin, WebhookTargetGuard targets, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        var (workspace, error) = await FindAsync(id, db, admin, ct);
        if (error is not null) return error;
        if (await admin.UpdateSettingsAsync(db, workspace!, body, targets, ct) is { } invalid) return new ErrorResult(ApiError.Validation(invalid));
        return TypedResults.Ok(WorkspaceSettings.Of(workspace!));
    }

    static async Task<Results<Created<KeyCreated>, ErrorResult>> CreateKey(
        string id, CreateKeyRequest body, TributaryDb db, WorkspaceAdmin admin, TimeProvider time, CancellationToken ct)
    {
        var (workspace, error) = await FindAsync(id, db, admin, ct);
        if (error is not null) return error;
        var name = string.IsNullOrWhiteSpace(body.Name) ? "key" : body.Name.Trim();
        if (name.Length > 200) return new ErrorResult(ApiError.Validation("'name' must be at most 200 characters"));
        if (body.Permissions is not { Count: > 0 } permissions)
            return new ErrorResult(ApiError.Validation($"'permissions' must list at least one of: {string.Join(", ", Permissions.All)}"));
        if (permissions.FirstOrDefault(p => !Permissions.IsKnown(p)) is { } unknown)
            return new ErrorResult(ApiError.Validation($"unknown permission '{unknown}'; known: {string.Join(", ", Permissions.All)}"));
        var expiresAt = body.ExpiresAt?.ToUniversalTime();
        if (expiresAt <= time.GetUtcNow().UtcDateTime) return new ErrorResult(ApiError.Validation("'expires_at' must be in the future"));
        var created = await admin.CreateKeyAsync(db, workspace!.Id, name, permissions, expiresAt, ct);
        return TypedResults.Created($"/admin/workspaces/{workspace.Id}/keys/{created.Key.Id}", new KeyCreated(
            created.Key.Id, workspace.Id, created.Key.Name, created.Secret, created.Key.PermissionList, created.Key.ExpiresAt));
    }

    static async Task<Results<NoContent, ErrorResult>> RevokeKey(
        string id, string keyId, TributaryDb db, WorkspaceAdmin admin, CancellationToken ct)
    {
        var (workspace, error) = await FindAsync(id, db, admin, ct);
        if (error is not null) return error;
        if (Ids.TryParse(keyId, "key", out var key) is { } bad) return new ErrorResult(bad);
        return await admin.RevokeKeyAsync(db, workspace!.Id, key, ct) ? TypedResults.NoContent() : new ErrorResult(ApiError.NotFound("Key"));
    }

    static async Task<Results<Ok<BalanceView>, ErrorResult>> AdjustCredits(
        string id, GrantRequest body, TributaryDb db, WorkspaceAdmin admin, Ledger ledger, CancellationToken ct)
    {
        var (workspace, error) = await FindAsync(id, db, admin, ct);
        if (error is not null) return error;
        if (body.Amount is not { } amount || amount == 0)
            return new ErrorResult(ApiError.Validation("'amount' is required: a non-zero whole number (negative to adjust down)"));
        var reason = string.IsNullOrWhiteSpace(body.Reason) ? (amount > 0 ? "grant" : "adjustment") : body.Reason.Trim();
        var outcome = await admin.AdjustCreditsAsync(db, workspace!.Id, amount, reason, ct);
        if (outcome is AdjustOutcome.TooLarge tooLarge)
            return new ErrorResult(ApiError.Validation(tooLarge.Granted == 0
                ? $"'amount' must be from -{Ledger.MaxAdjustment} to {Ledger.MaxAdjustment}"
                : $"granting {amount} would take the credits granted to this workspace past {Ledger.MaxGranted} (granted so far: {tooLarge.Granted})"));
        if (outcome is AdjustOutcome.Insufficient insufficient)
            return new ErrorResult(ApiError.Validation(
                $"cannot take {-amount} credits: only {insufficient.Available} are available (reserved credits cannot be taken)"));
        var balance = await ledger.GetBalanceAsync(db, workspace.Id, ct);
        return TypedResults.Ok(new BalanceView(balance.Balance, balance.Reserved));
    }

    private static async Task<(Workspace? Workspace, ErrorResult? Error)> FindAsync(string id, TributaryDb db, WorkspaceAdmin admin, CancellationToken ct)
    {
        if (Ids.TryParse(id, "workspace", out var workspaceId) is { } bad) return (null, new ErrorResult(bad));
        var workspace = await admin.FindAsync(db, workspaceId, ct);
        return workspace is null ? (null, new ErrorResult(ApiError.NotFound("Workspace"))) : (workspace, null);
    }
}
