using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Workspaces;

/// <summary>A counter every process reads to learn that keys or workspace settings changed somewhere (DESIGN §3).</summary>
public sealed class ChangeCounter
{
    public required string Name { get; set; }
    public long Value { get; set; }
}

/// <summary>
/// API keys and workspace settings, read once per process instead of once per request (DESIGN §3). A process keeps what
/// it read for as long as the shared change counter stands still; it looks at the counter at most once a second, when a
/// request needs it, so an idle server reads nothing, and a change made anywhere is seen everywhere within a second. The
/// process that makes a change drops its own copies before it answers. Expiry is the caller's check on every request.
/// </summary>
public sealed class TenantCache(TributaryDbFactory dbs, TimeProvider time)
{
    public const string CounterName = "tenants";
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, ApiKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Workspace> _workspaces = new();
    private readonly SemaphoreSlim _looking = new(1, 1);
    private long _seen = -1;
    private long _lookedAtTicks = long.MinValue;

    /// <summary>The key of this secret hash, or null when there is none (unknown secrets are not remembered).</summary>
    public async Task<ApiKey?> FindKeyAsync(string secretHash, CancellationToken ct)
    {
        await FreshenAsync(ct);
        if (_keys.TryGetValue(secretHash, out var key)) return key;
        await using var db = dbs.Create();
        key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == secretHash, ct);
        if (key is not null) _keys[secretHash] = key;
        return key;
    }

    /// <summary>The workspace with its settings (not tracked: change settings through <see cref="WorkspaceAdmin"/>).</summary>
    public async Task<Workspace?> GetWorkspaceAsync(Guid id, CancellationToken ct)
    {
        await FreshenAsync(ct);
        if (_workspaces.TryGetValue(id, out var workspace)) return workspace;
        await using var db = dbs.Create();
        workspace = await db.Workspaces.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct);
        if (workspace is not null) _workspaces[id] = workspace;
        return workspace;
    }

    private static readonly TimeSpan NoteUseEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Guid, long> _useNotedTicks = new();

    /// <summary>
    /// Records that a key opened a request, at most once a minute per key and process, off the request's path, so that
    /// the operator's key list shows <c>last_used_at</c> without a database write per request.
    /// </summary>
    public void NoteUse(ApiKey key)
    {
        var now = time.GetUtcNow();
        var last = _useNotedTicks.GetValueOrDefault(key.Id, long.MinValue);
        if (last != long.MinValue && now.UtcTicks - last < NoteUseEvery.Ticks) return;
        if (last == long.MinValue ? !_useNotedTicks.TryAdd(key.Id, now.UtcTicks) : !_useNotedTicks.TryUpdate(key.Id, now.UtcTicks, last)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await using var db = dbs.Create();
                await Sql.ExecuteAsync(db, $"UPDATE api_keys SET last_used_at = {now.UtcDateTime} WHERE id = {key.Id}", CancellationToken.None);
            }
            catch (Exception)
            {
                _useNotedTicks.TryRemove(key.Id, out _); // retried on the next request; a lost note costs nothing else
            }
        });
    }

    /// <summary>
    /// Inside the transaction that changes a key or a workspace's settings: moves the shared counter, so every other
    /// process drops its copies within a second. Call <see cref="Forget"/> once it committed.
    /// </summary>
    public static Task MarkChangedAsync(TributaryDb db, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO change_counters (name, value) VALUES ({CounterName}, 1)
            ON CONFLICT (name) DO UPDATE SET value = change_counters.value + 1
            """, ct);

    /// <summary>Drops every copy this process holds; the next request reads afresh.</summary>
    public void Forget()
    {
        _keys.Clear();
        _workspaces.Clear();
        Interlocked.Exchange(ref _lookedAtTicks, long.MinValue);
    }

    private async Task FreshenAsync(CancellationToken ct)
    {
        if (!IsDue()) return;
        await _looking.WaitAsync(ct);
        try
        {
            if (!IsDue()) return; // another request looked while this one waited
            await using var db = dbs.Create();
            var value = await db.ChangeCounters.AsNoTracking().Where(c => c.Name == CounterName).Select(c => c.Value).FirstOrDefaultAsync(ct);
            if (value != Interlocked.Read(ref _seen))
            {
                _keys.Clear();
                _workspaces.Clear();
                Interlocked.Exchange(ref _seen, value);
            }
            Interlocked.Exchange(ref _lookedAtTicks, time.GetTimestamp());
        }
        finally
        {
            _looking.Release();
        }
    }

    private bool IsDue()
    {
        var looked = Interlocked.Read(ref _lookedAtTicks);
        return looked == long.MinValue || time.GetElapsedTime(looked) >= LookEvery;
    }
}
