using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.RateLimits;

/// <summary>One counter per workspace, class and fixed window (DESIGN §7), shared by every server process.</summary>
public sealed class RateCounter
{
    public Guid WorkspaceId { get; set; }
    public required string Class { get; set; }
    public DateTime WindowStart { get; set; }
    public long Count { get; set; }
}

public enum RateClass { Single, Bulk, Day }

public sealed class RateLimitOptions
{
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
/// Fixed windows aligned to the UTC minute and day, counted with one atomic upsert per request in the database, so the
/// limit holds across all server processes.
/// </summary>
public sealed class RateLimiter(TributaryDbFactory dbs, RateLimitOptions options, TimeProvider time)
{
    public async Task<RateStatus> HitAsync(Guid workspaceId, RateClass rateClass, CancellationToken ct)
    {
        var (start, reset) = Window(rateClass);
        var name = rateClass.ToString().ToLowerInvariant();
        await using var db = dbs.Create();
        var used = await db.Database.SqlQuery<long>($"""
            INSERT INTO rate_counters (workspace_id, class, window_start, count) VALUES ({workspaceId}, {name}, {start}, 1)
            ON CONFLICT (workspace_id, class, window_start) DO UPDATE SET count = rate_counters.count + 1
            RETURNING count AS "Value"
            """).ToListAsync(ct);
        if (Random.Shared.Next(1000) == 0)
        {
            var old = time.GetUtcNow().UtcDateTime.AddDays(-2);
            await db.RateCounters.Where(c => c.WindowStart < old).ExecuteDeleteAsync(ct);
        }
        return new RateStatus(rateClass, Limit(rateClass), used.Single(), reset);
    }

    /// <summary>The current standing without counting a request (GETs consume no limit).</summary>
    public async Task<RateStatus> PeekAsync(Guid workspaceId, RateClass rateClass, CancellationToken ct)
    {
        var (start, reset) = Window(rateClass);
        var name = rateClass.ToString().ToLowerInvariant();
        await using var db = dbs.Create();
        var used = await db.RateCounters.Where(c => c.WorkspaceId == workspaceId && c.Class == name && c.WindowStart == start)
            .Select(c => c.Count).FirstOrDefaultAsync(ct);
        return new RateStatus(rateClass, Limit(rateClass), used, reset);
    }

    /// <summary>A standing with nothing counted: what a request that belongs to no workspace (a bad key) is told.</summary>
    public RateStatus Uncounted(RateClass rateClass) => new(rateClass, Limit(rateClass), 0, Window(rateClass).Reset);

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
