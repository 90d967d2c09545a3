using Microsoft.EntityFrameworkCore;
using Tributary.Core.Credits;
using Tributary.Core.Storage;

namespace Tributary.Core.Workspaces;

public sealed record CreatedKey(ApiKey Key, string Secret);

/// <summary>What the operator does: workspaces, keys, credit grants. Shared by the admin API, the CLI and the demo seed.</summary>
public sealed class WorkspaceAdmin(Ledger ledger, TenantCache tenants, TimeProvider time)
{
    public async Task<Workspace> CreateWorkspaceAsync(TributaryDb db, string name, CancellationToken ct = default)
    {
        var workspace = new Workspace
        {
            Id = Guid.CreateVersion7(), Name = name.Trim(), CreatedAt = Now(), WebhookSecret = Secrets.NewWebhookSecret(),
        };
        db.Workspaces.Add(workspace);
        db.CreditAccounts.Add(new CreditAccount { WorkspaceId = workspace.Id });
        await db.SaveChangesAsync(ct);
        return workspace;
    }

    public Task<Workspace?> FindAsync(TributaryDb db, Guid id, CancellationToken ct = default) =>
        db.Workspaces.FirstOrDefaultAsync(w => w.Id == id, ct);

    public async Task<CreatedKey> CreateKeyAsync(TributaryDb db, Guid workspaceId, string name, IEnumerable<string> permissions,
        DateTime? expiresAt, CancellationToken ct = default)
    {
        var secret = Secrets.NewApiKeySecret();
        var key = new ApiKey
        {
            Id = Guid.NewGuid(), WorkspaceId = workspaceId, Name = name.Trim(), SecretHash = Secrets.Hash(secret),
            Permissions = string.Join(' ', permissions.Distinct()), CreatedAt = Now(), ExpiresAt = expiresAt,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return new CreatedKey(key, secret);
    }

    public async Task<bool> RevokeKeyAsync(TributaryDb db, Guid workspaceId, Guid keyId, CancellationToken ct = default)
    {
        var now = Now();
        var found = await db.ApiKeys.AnyAsync(k => k.WorkspaceId == workspaceId && k.Id == keyId, ct);
        if (!found) return false;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.ApiKeys.Where(k => k.WorkspaceId == workspaceId && k.Id == keyId && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
            await TenantCache.MarkChangedAsync(db, ct);
            await tx.CommitAsync(ct);
        }
        tenants.Forget(); // refused by this process at once, by the others within a second
        return true;
    }

    /// <summary>
    /// Applies a settings PATCH (see <see cref="WorkspaceSettings.TryApplyPatch"/>) to a tracked workspace and stores it;
    /// every process sees the new settings within a second, this one at once. Returns the error, or null.
    /// </summary>
    public async Task<string?> UpdateSettingsAsync(TributaryDb db, Workspace workspace, SettingsPatch patch,
        Webhooks.WebhookTargetGuard targets, CancellationToken ct = default)
    {
        if (WorkspaceSettings.TryApplyPatch(workspace, patch, targets) is { } error) return error;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            await TenantCache.MarkChangedAsync(db, ct);
            await tx.CommitAsync(ct);
        }
        tenants.Forget();
        return null;
    }

    public Task<AdjustOutcome> AdjustCreditsAsync(TributaryDb db, Guid workspaceId, long amount, string reason,
        CancellationToken ct = default) => ledger.AdjustAsync(db, workspaceId, amount, reason, ct);

    /// <summary>The key a secret belongs to, with its workspace, or null when unknown. Expiry and revocation are the caller's check.</summary>
    public static Task<ApiKey?> FindKeyBySecretAsync(TributaryDb db, string secret, CancellationToken ct = default)
    {
        var hash = Secrets.Hash(secret);
        return db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == hash, ct);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
