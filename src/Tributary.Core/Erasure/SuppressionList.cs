using Microsoft.EntityFrameworkCore;
using Tributary.Core.Common;
using Tributary.Core.Storage;

namespace Tributary.Core.Erasure;

/// <summary>
/// The workspace's suppression list (DESIGN §4): hashed identity keys, each with its kind, that are never enriched,
/// stored or created again while listed. A listed key is also a tombstone without an end, which is what settlements read.
/// </summary>
public sealed class SuppressionList(TributaryDbFactory dbs, TimeProvider time)
{
    /// <summary>Lists these keys (those already listed stay as they are) and returns the list's entries for them.</summary>
    public async Task<List<Suppression>> AddAsync(Guid workspaceId, IReadOnlyList<string> keys, Guid? keyId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = dbs.Create();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await ErasureGuard.TombstoneAsync(db, workspaceId, keys, null, ct);
        await ListAsync(db, workspaceId, keys, keyId, now, ct);
        await tx.CommitAsync(ct);
        var hashes = PersonKeys.Hashes(workspaceId, keys);
        return await db.Suppressions.AsNoTracking().Where(s => s.WorkspaceId == workspaceId && hashes.Contains(s.KeyHash))
            .OrderBy(s => s.Seq).ToListAsync(ct);
    }

    /// <summary>Inside the caller's transaction: adds the list's rows for keys whose tombstones are already permanent.</summary>
    internal static async Task ListAsync(TributaryDb db, Guid workspaceId, IEnumerable<string> keys, Guid? keyId, DateTime now, CancellationToken ct)
    {
        var args = new List<object?>();
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
            args.AddRange([Guid.CreateVersion7(), workspaceId, PersonKeys.KindOf(key), PersonKeys.Hash(workspaceId, key), keyId, now]);
        if (args.Count == 0) return;
        await Sql.ExecuteAsync(db, $"""
            INSERT INTO suppressions (id, workspace_id, kind, key_hash, created_by_key_id, created_at) VALUES {Sql.ValuesList(args.Count / 6, 6)}
            ON CONFLICT (workspace_id, key_hash) DO NOTHING
            """, args, ct);
    }

    public async Task<Page<Suppression>> PageAsync(Guid workspaceId, PageRequest page, CancellationToken ct)
    {
        await using var db = dbs.Create();
        return await Paging.RunAsync(db.Suppressions.AsNoTracking().Where(s => s.WorkspaceId == workspaceId), page, s => s.CreatedAt, s => s.Seq, ct);
    }

    /// <summary>Takes a key off the list: it may be enriched and stored again. False when the workspace has no such entry.</summary>
    public async Task<bool> RemoveAsync(Guid workspaceId, Guid id, CancellationToken ct)
    {
        await using var db = dbs.Create();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var entry = await db.Suppressions.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Id == id, ct);
        if (entry is null) return false;
        await db.Suppressions.Where(s => s.WorkspaceId == workspaceId && s.Id == id).ExecuteDeleteAsync(ct);
        await db.Tombstones.Where(t => t.WorkspaceId == workspaceId && t.KeyHash == entry.KeyHash && t.ExpiresAt == null).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}

/// <summary>The erasure log (DESIGN §4): which contacts were erased, by which API key, when; no personal data.</summary>
public sealed class ErasureLog(TributaryDbFactory dbs)
{
    public async Task<Page<ErasureLogEntry>> PageAsync(Guid workspaceId, PageRequest page, CancellationToken ct)
    {
        await using var db = dbs.Create();
        return await Paging.RunAsync(db.ErasureLog.AsNoTracking().Where(e => e.WorkspaceId == workspaceId), page, e => e.ErasedAt, e => e.Seq, ct);
    }
}

/// <summary>
/// What a stored idempotent response carries (DESIGN §4), as the tokens an erasure looks for: <c>h:</c> and the hash of
/// each identity key, <c>c:</c> and each id (contact ids among them), space-separated with a space at each end.
/// </summary>
public static class ResponseSubjects
{
    public static string KeyToken(Guid workspaceId, string key) => "h:" + PersonKeys.Hash(workspaceId, key);

    public static string ContactToken(Guid contactId) => "c:" + contactId.ToString("D");

    public static string? Of(Guid workspaceId, IEnumerable<string?> jsonDocuments)
    {
        var tokens = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var json in jsonDocuments)
        {
            if (string.IsNullOrEmpty(json)) continue;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(json);
                foreach (var key in PersonKeys.In(doc.RootElement)) tokens.Add(KeyToken(workspaceId, key));
                foreach (var id in Ids(doc.RootElement)) tokens.Add(ContactToken(id));
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON (a CSV upload): nothing to find in it here.
            }
        }
        return tokens.Count == 0 ? null : " " + string.Join(' ', tokens) + " ";
    }

    /// <summary>The keys among these that are tombstoned make a response that should not be kept.</summary>
    public static IEnumerable<string> Hashes(string? subjects) =>
        subjects is null ? [] : subjects.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(t => t.StartsWith("h:", StringComparison.Ordinal)).Select(t => t[2..]);

    private static IEnumerable<Guid> Ids(System.Text.Json.JsonElement element)
    {
        switch (element.ValueKind)
        {
            case System.Text.Json.JsonValueKind.String when element.GetString() is { Length: 36 } s && Guid.TryParse(s, out var id):
                yield return id;
                break;
            case System.Text.Json.JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    foreach (var inner in Ids(item)) yield return inner;
                break;
            case System.Text.Json.JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    foreach (var inner in Ids(property.Value)) yield return inner;
                break;
        }
    }
}
