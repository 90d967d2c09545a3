using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Providers.Quotas;

/// <summary>A provider's <c>DailyLimit</c> is spent for the UTC day: it is skipped, not delayed (DESIGN §5.4).</summary>
public sealed class DailyLimitSpentException() : Exception("quota: daily limit");

/// <summary>
/// A provider's <c>RatePerSecond</c>, <c>RatePerMinute</c> and <c>DailyLimit</c> (DESIGN §5.4), counted per request sent
/// (retries included) in the fixed windows the workspace rate limits use, in the same shared table, so every server
/// process sharing the database holds the vendor's plan limits together. Per-second and per-minute quotas delay a
/// call until a window has room, within the caller's deadline; a spent daily limit throws
/// <see cref="DailyLimitSpentException"/>. Each permit is one conditional upsert that never counts past the limit.
/// </summary>
public sealed class ProviderQuota
{
    private readonly TributaryDbFactory _dbs;
    private readonly TimeProvider _time;
    private readonly Guid _key;
    private readonly int? _perSecond, _perMinute, _perDay;
    private readonly SemaphoreSlim _inOrder = new(1, 1);
    private DateTime _daySpent = DateTime.MinValue;

    /// <param name="vendor">The vendor type, whose documented limits apply where the definition sets none.</param>
    public ProviderQuota(string provider, ProviderDefinition definition, TributaryDbFactory dbs, TimeProvider time, Vendors.VendorType? vendor = null)
    {
        _dbs = dbs;
        _time = time;
        _key = CounterKey(provider);
        (_perSecond, _perMinute, _perDay) = (definition.RatePerSecond ?? vendor?.DefaultRatePerSecond,
            definition.RatePerMinute ?? vendor?.DefaultRatePerMinute, definition.DailyLimit);
    }

    /// <summary>rate_counters is keyed by a workspace id: a provider gets a fixed id of its own, which no workspace can have.</summary>
    public static Guid CounterKey(string provider) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes("tributary-provider-quota:" + provider.ToLowerInvariant()))[..16]);

    /// <summary>Requests counted against the provider's <c>DailyLimit</c> in the current UTC day, by every process.</summary>
    public static async Task<long> UsedTodayAsync(string provider, TributaryDbFactory dbs, TimeProvider time, CancellationToken ct)
    {
        await using var db = dbs.Create();
        var today = DateTime.SpecifyKind(time.GetUtcNow().UtcDateTime.Date, DateTimeKind.Utc);
        var key = CounterKey(provider);
        var counts = await Sql.QueryAsync(db, $"SELECT count FROM rate_counters WHERE workspace_id = {key} AND class = 'provider_day' AND window_start = {today}",
            r => r.GetInt64(0), ct);
        return counts.Sum();
    }

    public static bool IsConfigured(ProviderDefinition d, Vendors.VendorType? vendor = null) =>
        (d.RatePerSecond ?? vendor?.DefaultRatePerSecond) is not null || (d.RatePerMinute ?? vendor?.DefaultRatePerMinute) is not null
        || d.DailyLimit is not null;

    /// <summary>The UTC day's limit is known to be spent: the provider can be skipped without asking the database.</summary>
    public bool DaySpent => _daySpent == Today();

    /// <summary>
    /// Waits for room in the per-second and per-minute windows, in the order calls asked, then takes the daily permits.
    /// <paramref name="permits"/> is how many requests the vendor counts this one as (Prospeo's bulk: one per record).
    /// </summary>
    public async Task AcquireAsync(CancellationToken ct, int permits = 1)
    {
        if (DaySpent) throw new DailyLimitSpentException();
        await _inOrder.WaitAsync(ct);
        try
        {
            if (_perSecond is { } second) await WaitForRoomAsync("provider_second", second, TimeSpan.FromSeconds(1), permits, ct);
            if (_perMinute is { } minute) await WaitForRoomAsync("provider_minute", minute, TimeSpan.FromMinutes(1), permits, ct);
        }
        finally
        {
            _inOrder.Release();
        }
        if (_perDay is { } day && !await TakeAsync("provider_day", Today(), day, permits, ct))
        {
            _daySpent = Today();
            throw new DailyLimitSpentException();
        }
    }

    private async Task WaitForRoomAsync(string window, int limit, TimeSpan size, int permits, CancellationToken ct)
    {
        while (true)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            var start = new DateTime(now.Ticks - now.Ticks % size.Ticks, DateTimeKind.Utc);
            if (await TakeAsync(window, start, limit, permits, ct)) return;
            var wait = start + size - _time.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct);
        }
    }

    private DateTime Today() => DateTime.SpecifyKind(_time.GetUtcNow().UtcDateTime.Date, DateTimeKind.Utc);

    private async Task<bool> TakeAsync(string window, DateTime start, int limit, int permits, CancellationToken ct)
    {
        // A bulk call larger than a whole window takes the whole window, or it would never fit.
        var take = Math.Clamp(permits, 1, limit);
        await using var db = _dbs.Create();
        var taken = await db.Database.SqlQuery<long>($"""
            INSERT INTO rate_counters (workspace_id, class, window_start, count, last_take)
            VALUES ({_key}, {window}, {start}, {take}, {take})
            ON CONFLICT (workspace_id, class, window_start) DO UPDATE SET count = rate_counters.count + {take}, last_take = {take}
            WHERE rate_counters.count + {take} <= {limit}
            RETURNING count AS "Value"
            """).ToListAsync(ct);
        return taken.Count == 1;
    }
}
