using Microsoft.EntityFrameworkCore;
using Tributary.Core.Erasure;
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
    /// <summary>
    /// The enrichment or job the request made, set in the transaction that settled or accepted it: a retry that takes over
    /// the claim of an owner that died after that point answers from it instead of running again.
    /// </summary>
    public Guid? ResultId { get; set; }
    /// <summary>The hashed identity keys and the ids the stored response carries (<see cref="Erasure.ResponseSubjects"/>).</summary>
    public string? Subjects { get; set; }
    /// <summary>Set when an erasure deleted the stored body: a replay answers 410 and runs nothing.</summary>
    public DateTime? ErasedAt { get; set; }
}

/// <summary>
/// The idempotency claim a request runs under (DESIGN §7), handed to what settles a run or accepts a job so that the
/// claim is marked done in the same transaction.
/// </summary>
public sealed record IdempotencyScope(Guid WorkspaceId, string Method, string Path, string Key)
{
    /// <summary>
    /// Set when this request took over the claim of one that died after its settlement: the enrichment or job that one
    /// made. The retry answers from it and charges nothing more.
    /// </summary>
    public Guid? Settled { get; init; }
}

public abstract record IdempotencyClaim
{
    /// <summary>
    /// This request is the first with its key, or takes over the claim of one whose process died (<paramref name="Settled"/>
    /// says what that one had made): run it, then <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.AbandonAsync"/>.
    /// </summary>
    public sealed record First(Guid? Settled = null) : IdempotencyClaim;
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
                if (taken == 1) return new IdempotencyClaim.First(record.ResultId);
                continue;
            }
            if (time.GetUtcNow() >= deadline) return new IdempotencyClaim.InProgress();
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    /// <summary>
    /// Marks the claim done with what its request made, on <paramref name="db"/> inside the transaction that settles the
    /// run or accepts the job (the first of a request's runs to settle is the one named).
    /// </summary>
    public static Task MarkDoneInAsync(TributaryDb db, IdempotencyScope scope, Guid resultId, CancellationToken ct) =>
        db.IdempotencyRecords.Where(r => r.WorkspaceId == scope.WorkspaceId && r.Method == scope.Method && r.Path == scope.Path && r.Key == scope.Key
                                         && r.StatusCode == null && r.ResultId == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.ResultId, resultId), ct);

    /// <summary>Extends the lease of a claim whose request is still running.</summary>
    public async Task RenewAsync(Guid workspaceId, string method, string path, string key, CancellationToken ct)
    {
        var expires = time.GetUtcNow().UtcDateTime.Add(Lease);
        await using var db = dbs.Create();
        await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key && r.StatusCode == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, expires), ct);
    }

    /// <param name="subjects">What the response carries (<see cref="ResponseSubjects"/>), so that an erasure finds it.</param>
    public async Task CompleteAsync(Guid workspaceId, string method, string path, string key, int status, string headersJson, byte[] body,
        string? subjects, CancellationToken ct)
    {
        await using var db = dbs.Create();
        var hashes = ResponseSubjects.Hashes(subjects).ToList();
        await using var tx = hashes.Count > 0 ? await db.Database.BeginTransactionAsync(ct) : null;
        // A person erased while this request ran: the response is stored as already erased, so no copy outlives the erasure.
        var now = time.GetUtcNow().UtcDateTime;
        if (tx is not null) await ErasureGuard.HoldOffErasuresAsync(db, workspaceId, ct);
        if (await ErasureGuard.BlocksAnyHashAsync(db, workspaceId, hashes, now, ct))
        {
            await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.StatusCode, status).SetProperty(r => r.ErasedAt, now), ct);
        }
        else
            await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StatusCode, status).SetProperty(r => r.HeadersJson, headersJson)
                .SetProperty(r => r.Body, body).SetProperty(r => r.Subjects, subjects), ct);
        if (tx is not null) await tx.CommitAsync(ct);
    }

    /// <summary>Forgets a request that should run again when retried (a 5xx, a 409, a 429, a crash).</summary>
    public async Task AbandonAsync(Guid workspaceId, string method, string path, string key, CancellationToken ct)
    {
        await using var db = dbs.Create();
        await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key
                                              && r.StatusCode == null && r.ResultId == null).ExecuteDeleteAsync(ct);
        // A request that settled and then failed (a 5xx while writing its answer) leaves its claim done: the lease is
        // let go so that the next retry takes it over at once and answers from what was settled.
        await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Method == method && r.Path == path && r.Key == key
                                              && r.StatusCode == null && r.ResultId != null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseExpiresAt, (DateTime?)null), ct);
    }
}
