using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.RateLimits;

/// <summary>One counter per workspace, class and fixed window (DESIGN §7), shared by every server process.</summary>
public sealed class RateCounter
{
    public Guid WorkspaceId { get; set; }
    public required string Class { get; set; }
    public DateTime WindowStart { get; set; }
    /// <summary>Permits handed out to processes so far in this window (never more than the limit).</summary>
    public long Count { get; set; }
    /// <summary>The size of the last block taken, so the statement that took it can say how many it got.</summary>
    public long LastTake { get; set; }
}

public enum RateClass { Single, Bulk, Day }

public sealed class RateLimitOptions : IValidatedOptions
{
    public static string Section => "Tributary:RateLimits";

    public int SinglePerMinute { get; set; } = 100;
    public int BulkPerMinute { get; set; } = 20;
    public int PerDay { get; set; } = 10_000;

    public IEnumerable<string> Validate()
    {
        if (SinglePerMinute < 1) yield return "Tributary:RateLimits:SinglePerMinute must be at least 1";
        if (BulkPerMinute < 1) yield return "Tributary:RateLimits:BulkPerMinute must be at least 1";
        if (PerDay < 1) yield return "Tributary:RateLimits:PerDay must be at least 1";
    }
}

/// <summary>Where a workspace stands in one window: the limit, what it has used, and when the window resets.</summary>
public readonly record struct RateStatus(RateClass Class, int Limit, long Used, DateTime ResetsAt)
{
    public bool Exceeded => Used > Limit;
    public long Remaining => Math.Max(0, Limit - Used);
}

/// <summary>
/// Fixed windows aligned to the UTC minute and day, shared by every server process (DESIGN §7) without a database write
/// per request: a process takes permits from the shared counter in blocks of max(1, ⌊limit/20⌋) with one conditional
/// upsert that never takes past the limit, and hands them out in memory. So no window ever admits more than its limit,
/// a request is refused early by at most one unused block per other process, and what the headers report is exact to
/// within one block.
/// </summary>
public sealed class RateLimiter(TributaryDbFactory dbs, RateLimitOptions options, TimeProvider time)
{
    private static readonly TimeSpan PeekFor = TimeSpan.FromSeconds(1);

    private sealed class LocalWindow(DateTime start)
    {
        public readonly DateTime Start = start;
        public readonly SemaphoreSlim Refill = new(1, 1);
        /// <summary>Permits this process took and has not handed out yet.</summary>
        public long Local;
        /// <summary>The shared count as this process last saw it.</summary>
        public long Shared;
        public bool Exhausted;
        public long PeekedAt = long.MinValue;
    }

    private readonly ConcurrentDictionary<(Guid Workspace, RateClass Class), LocalWindow> _windows = new();

    public int BlockSize(RateClass c) => Math.Max(1, Limit(c) / 20);

    public async Task<RateStatus> HitAsync(Guid workspaceId, RateClass rateClass, CancellationToken ct)
    {
        var (start, reset) = Window(rateClass);
        var limit = Limit(rateClass);
        var window = Current(workspaceId, rateClass, start);
        if (TryTakeLocal(window, rateClass, limit, reset, out var status)) return status;
        await window.Refill.WaitAsync(ct);
        try
        {
            if (TryTakeLocal(window, rateClass, limit, reset, out status)) return status;
            await TakeBlockAsync(workspaceId, rateClass, window, limit, ct);
            TryTakeLocal(window, rateClass, limit, reset, out status);
            return status;
        }
        finally
        {
            window.Refill.Release();
        }
    }

    /// <summary>The current standing without counting a request (GETs consume no limit); read at most once a second.</summary>
    public async Task<RateStatus> PeekAsync(Guid workspaceId, RateClass rateClass, CancellationToken ct)
    {
        var (start, reset) = Window(rateClass);
        var limit = Limit(rateClass);
        var window = Current(workspaceId, rateClass, start);
        var peeked = Interlocked.Read(ref window.PeekedAt);
        if (peeked == long.MinValue || time.GetElapsedTime(peeked) >= PeekFor)
        {
            var name = rateClass.ToString().ToLowerInvariant();
            await using var db = dbs.Create();
            var shared = await db.RateCounters.AsNoTracking()
                .Where(c => c.WorkspaceId == workspaceId && c.Class == name && c.WindowStart == start)
                .Select(c => c.Count).FirstOrDefaultAsync(ct);
            lock (window)
            {
                window.Shared = Math.Max(window.Shared, shared);
                window.PeekedAt = time.GetTimestamp();
            }
        }
        lock (window) return new RateStatus(rateClass, limit, Math.Min(limit, window.Shared - window.Local), reset);
    }

    /// <summary>A standing with nothing counted: what a request that belongs to no workspace (a bad key) is told.</summary>
    public RateStatus Uncounted(RateClass rateClass) => new(rateClass, Limit(rateClass), 0, Window(rateClass).Reset);

    private LocalWindow Current(Guid workspaceId, RateClass rateClass, DateTime start)
    {
        var key = (workspaceId, rateClass);
        while (true)
        {
            var window = _windows.GetOrAdd(key, _ => new LocalWindow(start));
            if (window.Start == start) return window;
            if (window.Start > start) return window; // a clock step back: keep counting in the newer window
            _windows.TryUpdate(key, new LocalWindow(start), window);
        }
    }

    private static bool TryTakeLocal(LocalWindow window, RateClass rateClass, int limit, DateTime reset, out RateStatus status)
    {
        lock (window)
        {
            if (window.Local > 0)
            {
                window.Local--;
                status = new RateStatus(rateClass, limit, window.Shared - window.Local, reset);
                return true;
            }
            status = new RateStatus(rateClass, limit, limit + 1L, reset);
            return window.Exhausted;
        }
    }

    private async Task TakeBlockAsync(Guid workspaceId, RateClass rateClass, LocalWindow window, int limit, CancellationToken ct)
    {
        var block = BlockSize(rateClass);
        var name = rateClass.ToString().ToLowerInvariant();
        await using var db = dbs.Create();
        var taken = await db.Database.SqlQuery<TakenBlock>($"""
            INSERT INTO rate_counters (workspace_id, class, window_start, count, last_take)
            VALUES ({workspaceId}, {name}, {window.Start}, {Math.Min(block, limit)}, {Math.Min(block, limit)})
            ON CONFLICT (workspace_id, class, window_start) DO UPDATE SET
                last_take = CASE WHEN {limit} - rate_counters.count < {block} THEN {limit} - rate_counters.count ELSE {block} END,
                count = rate_counters.count + CASE WHEN {limit} - rate_counters.count < {block} THEN {limit} - rate_counters.count ELSE {block} END
            WHERE rate_counters.count < {limit}
            RETURNING count AS "Count", last_take AS "Taken"
            """).ToListAsync(ct);
        lock (window)
        {
            if (taken is [var got])
            {
                window.Local += got.Taken;
                window.Shared = Math.Max(window.Shared, got.Count);
            }
            else
            {
                window.Exhausted = true;
                window.Shared = limit;
            }
        }
        if (Random.Shared.Next(200) == 0)
        {
            var old = time.GetUtcNow().UtcDateTime.AddDays(-2);
            await db.RateCounters.Where(c => c.WindowStart < old).ExecuteDeleteAsync(ct);
        }
    }

    private sealed class TakenBlock
    {
        public long Count { get; init; }
        public long Taken { get; init; }
    }

    private int Limit(RateClass c) => c switch
    {
        RateClass.Single => options.SinglePerMinute,
        RateClass.Bulk => options.BulkPerMinute,
        _ => options.PerDay,
    };

    private (DateTime Start, DateTime Reset) Window(RateClass c)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (c == RateClass.Day)
        {
            var day = now.Date;
            return (DateTime.SpecifyKind(day, DateTimeKind.Utc), DateTime.SpecifyKind(day.AddDays(1), DateTimeKind.Utc));
        }
        var minute = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc);
        return (minute, minute.AddMinutes(1));
    }
}
