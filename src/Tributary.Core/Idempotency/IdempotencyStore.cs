using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Idempotency;

/// <summary>A charging POST remembered under its Idempotency-Key (DESIGN §7), for 24 hours.</summary>
public sealed class IdempotencyRecord
{
    public Guid WorkspaceId { get; set; }
    public required string Method { get; set; }
    public required string Path { get; set; }
    public required string Key { get; set; }
    public required string BodyHash { get; set; }
    /// <summary>Null while the first request is still running.</summary>
    public int? StatusCode { get; set; }
    public string? HeadersJson { get; set; }
    public byte[]? Body { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    /// <summary>While the first request runs, its process renews this; a claim whose lease lapsed (its owner died) is taken over by the next retry.</summary>
    public DateTime? LeaseExpiresAt { get; set; }
}

public abstract record IdempotencyClaim
{
    /// <summary>This request is the first with its key: run it, then <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.AbandonAsync"/>.</summary>
    public sealed record First : IdempotencyClaim;
    public sealed record Replay(IdempotencyRecord Record) : IdempotencyClaim;
    public sealed record InProgress : IdempotencyClaim;
    public sealed record KeyReused : IdempotencyClaim;
}

/// <summary>
/// Idempotency records in the database, so that every server process sees them: the first request with a key inserts
/// its record (the unique key decides the race), later ones replay it, wait for it, or are refused.
/// </summary>
public sealed class IdempotencyStore(TributaryDbFactory dbs, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan WaitForFirst = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(3);

    public static bool IsValidKey(string key) => key.Length is >= 1 and <= 255 && key.All(c => c is >= '!' and <= '~');

    public async Task<IdempotencyClaim> ClaimAsync(Guid workspaceId, string method, string path, string key, string bodyHash, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + WaitForFirst;
        while (true)
        {
            var now = time.GetUtcNow().UtcDateTime;
            await using var db = dbs.Create();
            var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO idempotency_records (workspace_id, method, path, key, body_hash, created_at, expires_at, lease_expires_at)
                VALUES ({workspaceId}, {method}, {path}, {key}, {bodyHash}, {now}, {now.Add(Lifetime)}, {now.Add(Lease)})
                ON CONFLICT (workspace_id, method, path, key) DO NOTHING
                """, ct);
            if (inserted == 1) return new IdempotencyClaim.First();
            var record = await db.IdempotencyRecords.AsNoTracking()
                .FirstOrDefaultAsync(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key, ct);
            if (record is null) continue; // abandoned between our insert and read: try again
            if (record.ExpiresAt <= now)
            {
                await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key
                                                      && r.ExpiresAt <= now).ExecuteDeleteAsync(ct);
                continue;
            }
            if (record.BodyHash != bodyHash) return new IdempotencyClaim.KeyReused();
            if (record.StatusCode is not null) return new IdempotencyClaim.Replay(record);
            // The first request's process died mid-request: this retry takes the claim over and runs.
            if (record.LeaseExpiresAt is null || record.LeaseExpiresAt < now)
            {
                var taken = await db.IdempotencyRecords
                    .Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key && r.StatusCode == null
                                && (r.LeaseExpiresAt == null || r.LeaseExpiresAt < now))
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, now.Add(Lease)), ct);
                if (taken == 1) return new IdempotencyClaim.First();
                continue;
            }
            if (time.GetUtcNow() >= deadline) return new IdempotencyClaim.InProgress();
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    /// <summary>Extends the lease of a claim whose request is still running.</summary>
    public async Task RenewAsync(Guid workspaceId, string method, string path, string key, CancellationToken ct)
    {
        var expires = time.GetUtcNow().UtcDateTime.Add(Lease);
        await using var db = dbs.Create();
        await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key && r.StatusCode == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, expires), ct);
    }

    public async Task CompleteAsync(Guid workspaceId, string method, string path, string key, int status, string headersJson, byte[] body,
        CancellationToken ct)
    {
        await using var db = dbs.Create();
        await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StatusCode, status).SetProperty(r => r.HeadersJson, headersJson)
                .SetProperty(r => r.Body, body), ct);
    }

    /// <summary>Forgets a request that should run again when retried (a 5xx, a 409, a 429, a crash).</summary>
    public async Task AbandonAsync(Guid workspaceId, string method, string path, string key, CancellationToken ct)
    {
        await using var db = dbs.Create();
        await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key
                                              && r.StatusCode == null).ExecuteDeleteAsync(ct);
    }
}
