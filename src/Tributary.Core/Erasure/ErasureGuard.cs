using Tributary.Core.Storage;

namespace Tributary.Core.Erasure;

/// <summary>
/// What keeps an erased person out (DESIGN §4): the tombstones of their hashed identity keys, read by every settlement
/// before it stores anything, and the suppression list, read by whatever creates contacts.
/// </summary>
public static class ErasureGuard
{
    // The two halves of the advisory lock that orders erasures against settlements of one workspace on PostgreSQL.
    private const int LockClass = 0x54726962;

    /// <summary>
    /// Whether any of these identity keys is tombstoned (erased in the last 24 hours, or suppressed): one lookup on the
    /// tombstones' primary key, whatever the number of keys.
    /// </summary>
    public static Task<bool> BlocksAnyAsync(TributaryDb db, Guid workspaceId, IEnumerable<string> keys, DateTime now, CancellationToken ct) =>
        BlocksAnyHashAsync(db, workspaceId, PersonKeys.Hashes(workspaceId, keys), now, ct);

    /// <summary><see cref="BlocksAnyAsync"/> for keys already hashed.</summary>
    public static async Task<bool> BlocksAnyHashAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<string> hashes, DateTime now, CancellationToken ct)
    {
        if (hashes.Count == 0) return false;
        var rows = await Sql.QueryAsync(db,
            $"SELECT 1 FROM erasure_tombstones WHERE workspace_id = {{0}} AND key_hash IN ({Sql.InList(hashes.Count, 2)}) AND (expires_at IS NULL OR expires_at > {{1}}) LIMIT 1",
            [workspaceId, now, .. hashes], _ => 1, ct);
        return rows.Count > 0;
    }

    /// <summary>Whether the workspace's suppression list has any entry at all (most have none).</summary>
    public static async Task<bool> AnySuppressedAsync(TributaryDb db, Guid workspaceId, CancellationToken ct) =>
        (await Sql.QueryAsync(db, "SELECT 1 FROM erasure_tombstones WHERE workspace_id = {0} AND expires_at IS NULL LIMIT 1",
            [workspaceId], _ => 1, ct)).Count > 0;

    /// <summary>The keys among <paramref name="keys"/> that are on the workspace's suppression list.</summary>
    public static async Task<HashSet<string>> SuppressedAsync(TributaryDb db, Guid workspaceId, IEnumerable<string> keys, CancellationToken ct)
    {
        var byHash = keys.Distinct(StringComparer.Ordinal).ToDictionary(k => PersonKeys.Hash(workspaceId, k), k => k);
        if (byHash.Count == 0) return [];
        var hashes = byHash.Keys.ToList();
        var listed = await Sql.QueryAsync(db,
            $"SELECT key_hash FROM erasure_tombstones WHERE workspace_id = {{0}} AND {Sql.InValues(db, "key_hash", 1)} AND expires_at IS NULL",
            [workspaceId, Sql.ListArgument(db, hashes)], r => r.GetString(0), ct);
        return listed.Select(h => byHash[h]).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// PostgreSQL, inside a settling transaction, before <see cref="BlocksAnyAsync"/>: waits for an erasure of the
    /// workspace that is committing, and keeps one from starting until this transaction ends. Without it a settlement that
    /// read no tombstone could commit its cache rows just after an erasure deleted the person's (READ COMMITTED sees
    /// neither side's uncommitted rows). SQLite needs nothing: every writing transaction there holds the one write lock.
    /// </summary>
    public static async Task HoldOffErasuresAsync(TributaryDb db, Guid workspaceId, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Postgres) return;
        await Sql.ExecuteAsync(db, "SELECT pg_advisory_xact_lock_shared({0}, {1})", [LockClass, LockKey(workspaceId)], ct);
    }

    /// <summary>The erasure's side of <see cref="HoldOffErasuresAsync"/>: waits until no settlement of the workspace is open.</summary>
    internal static async Task ExcludeSettlementsAsync(TributaryDb db, Guid workspaceId, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Postgres) return;
        await Sql.ExecuteAsync(db, "SELECT pg_advisory_xact_lock({0}, {1})", [LockClass, LockKey(workspaceId)], ct);
    }

    /// <summary>
    /// Tombstones these keys until <paramref name="expires"/>, or for good when it is null; a key that is tombstoned for
    /// good stays so, and a key erased again starts its 24 hours again.
    /// </summary>
    internal static async Task TombstoneAsync(TributaryDb db, Guid workspaceId, IEnumerable<string> keys, DateTime? expires, CancellationToken ct)
    {
        var hashes = PersonKeys.Hashes(workspaceId, keys);
        if (hashes.Count == 0) return;
        var until = expires is null ? "NULL" : "{1}";
        var rows = string.Join(", ", hashes.Select((_, i) => $"({{0}}, {{{i + 2}}}, {until})"));
        await Sql.ExecuteAsync(db, $"""
            INSERT INTO erasure_tombstones (workspace_id, key_hash, expires_at) VALUES {rows}
            ON CONFLICT (workspace_id, key_hash) DO UPDATE SET expires_at =
                CASE WHEN erasure_tombstones.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL ELSE excluded.expires_at END
            """, [workspaceId, expires ?? DateTime.UnixEpoch, .. hashes], ct);
    }

    private static int LockKey(Guid workspaceId) => BitConverter.ToInt32(workspaceId.ToByteArray(), 12);
}

/// <summary>
/// The workspaces whose erasures a commit batch already holds off (PostgreSQL), so that the lock is taken once per
/// workspace and batch rather than once per settlement. Writes nothing when the batch flushes.
/// </summary>
public sealed class ErasureHolds : IDeferredWrite
{
    private readonly HashSet<Guid> _held = [];

    public int Order => 0;

    public async Task HoldAsync(TributaryDb db, Guid workspaceId, CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Postgres && _held.Add(workspaceId)) await ErasureGuard.HoldOffErasuresAsync(db, workspaceId, ct);
    }

    public Task FlushAsync(TributaryDb db, CancellationToken ct) => Task.CompletedTask;
}
