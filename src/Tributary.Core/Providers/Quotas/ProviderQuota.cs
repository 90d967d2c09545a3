using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Providers.Quotas;

/// <summary>A provider's <c>DailyLimit</c> is spent for the UTC day: it is skipped, not delayed (DESIGN §5.4).</summary>
public sealed class DailyLimitSpentException() : Exception("quota: daily limit");

/// <summary>
/// A provider's <c>RatePerSecond</c>, <c>RatePerMinute</c> and <c>DailyLimit</c> (DESIGN §5.4), counted per request sent
/// (each attempt, retries included) in the shared rate_counters table, so every server process sharing the database
/// holds the vendor's plan limits together. The daily limit is the UTC day; a spent one throws
/// <see cref="DailyLimitSpentException"/>. Each permit is one conditional upsert that never counts past the limit.
/// <para>
/// The per-second and per-minute limits hold as the vendor sees its requests arrive, over any span of that length
/// wherever it starts. Aligned windows let twice the limit through across a boundary (measured on two processes at 2 a
/// second: 4 calls in 230 ms), and a request counted at the moment of its permit can arrive much later than the next
/// one (measured under load: 100–270 ms between permit and arrival). So a request counts in slots of a hundredth of the
/// window, from its permit until its answer, the one moment by which it surely arrived: while it is in flight it is
/// dated at its permit plus the attempt's timeout, and once answered it moves to the slot of its answer. A call waits, in
/// the order calls asked and within the caller's deadline, until the slots of the last window hold room for it.
/// </para>
/// </summary>
public sealed class ProviderQuota
{
    private readonly TributaryDbFactory _dbs;
    private readonly TimeProvider _time;
    private readonly Guid _key;
    private readonly int _lockKey;
    private readonly int? _perSecond, _perMinute, _perDay;
    private readonly TimeSpan _inFlightFor;
    private readonly SemaphoreSlim _inOrder = new(1, 1);
    private DateTime _daySpent = DateTime.MinValue;

    /// <param name="vendor">The vendor type, whose documented limits apply where the definition sets none.</param>
    public ProviderQuota(string provider, ProviderDefinition definition, TributaryDbFactory dbs, TimeProvider time, Vendors.VendorType? vendor = null)
    {
        _dbs = dbs;
        _time = time;
        _key = CounterKey(provider);
        _lockKey = BitConverter.ToInt32(_key.ToByteArray());
        (_perSecond, _perMinute, _perDay) = (definition.RatePerSecond ?? vendor?.DefaultRatePerSecond,
            definition.RatePerMinute ?? vendor?.DefaultRatePerMinute, definition.DailyLimit);
        // An attempt never lasts longer than its timeout: a permit whose answer never got recorded (a crash) counts no longer.
        _inFlightFor = TimeSpan.FromMilliseconds(definition.Timeout) + TimeSpan.FromSeconds(1);
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
    /// Dispose the permit once the vendor answered (or the attempt ended): until then it counts as in flight.
    /// </summary>
    public async Task<QuotaPermit> AcquireAsync(CancellationToken ct, int permits = 1)
    {
        if (DaySpent) throw new DailyLimitSpentException();
        var held = new List<(string Window, DateTime Slot, TimeSpan SlotSize, int Take)>();
        var permit = new QuotaPermit(this, held);
        try
        {
            await _inOrder.WaitAsync(ct);
            try
            {
                if (_perSecond is { } second) held.Add(await WaitForRoomAsync("provider_second", second, TimeSpan.FromSeconds(1), permits, ct));
                if (_perMinute is { } minute) held.Add(await WaitForRoomAsync("provider_minute", minute, TimeSpan.FromMinutes(1), permits, ct));
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
            return permit;
        }
        catch
        {
            // Nothing was sent on these permits: answered at once.
            await permit.DisposeAsync();
            throw;
        }
    }

    private async Task<(string, DateTime, TimeSpan, int)> WaitForRoomAsync(string window, int limit, TimeSpan size, int permits, CancellationToken ct)
    {
        while (true)
        {
            var (slot, wait) = await TakeSlidingAsync(window, limit, size, permits, ct);
            if (slot is { } taken) return (window, taken, size / SlotsPerWindow, Math.Clamp(permits, 1, limit));
            await Task.Delay(wait, _time, ct);
        }
    }

    private const int SlotsPerWindow = 100;

    // The two halves of the advisory lock that orders one provider's takes on PostgreSQL.
    private const int LockClass = 0x51756f74;

    private static DateTime SlotOf(DateTime at, TimeSpan slot) => new(at.Ticks - at.Ticks % slot.Ticks, DateTimeKind.Utc);

    /// <summary>
    /// Takes the permits, dated as in flight, if the last window holds room for them: the slot they were put in; else how
    /// long to wait before asking again.
    /// </summary>
    private async Task<(DateTime? Slot, TimeSpan Wait)> TakeSlidingAsync(string window, int limit, TimeSpan size, int permits, CancellationToken ct)
    {
        var take = Math.Clamp(permits, 1, limit);
        var slot = size / SlotsPerWindow;
        var now = _time.GetUtcNow().UtcDateTime;
        // Slots from `since` on hold every request that may have arrived less than a window ago, or may still arrive.
        var since = SlotOf(now, slot) - size;
        var inFlight = SlotOf(now + _inFlightFor, slot);
        await using var db = _dbs.Create();
        List<long> taken;
        await using (var tx = db.Provider == DatabaseProvider.Postgres ? await db.Database.BeginTransactionAsync(ct) : null)
        {
            // The sum over several rows is no single row's condition: under READ COMMITTED two processes could both see room.
            // SQLite needs nothing: a writing statement there holds the one write lock from its start.
            if (tx is not null) await Sql.ExecuteAsync(db, "SELECT pg_advisory_xact_lock({0}, {1})", [LockClass, _lockKey], ct);
            taken = await db.Database.SqlQuery<long>($"""
                INSERT INTO rate_counters (workspace_id, class, window_start, count, last_take)
                SELECT {_key}, {window}, {inFlight}, {take}, {take}
                WHERE (SELECT COALESCE(SUM(count), 0) FROM rate_counters
                       WHERE workspace_id = {_key} AND class = {window} AND window_start >= {since}) + {take} <= {limit}
                ON CONFLICT (workspace_id, class, window_start) DO UPDATE SET count = rate_counters.count + {take}, last_take = {take}
                RETURNING count AS "Value"
                """).ToListAsync(ct);
            if (tx is not null) await tx.CommitAsync(ct);
        }
        if (taken.Count == 1)
        {
            // Slots older than a window are never read again; they are cleared now and then rather than on every call.
            if (Random.Shared.Next(64) == 0)
                await Sql.ExecuteAsync(db, "DELETE FROM rate_counters WHERE workspace_id = {0} AND class = {1} AND window_start < {2}", [_key, window, since], ct);
            return (inFlight, default);
        }
        // Full: room comes back when enough of the oldest slots are a window old. Requests in flight move when answered,
        // so the wait is checked again at least every tenth of a window.
        var slots = await Sql.QueryAsync(db,
            "SELECT window_start, count FROM rate_counters WHERE workspace_id = {0} AND class = {1} AND window_start >= {2} ORDER BY window_start",
            [_key, window, since], r => (Start: DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc), Count: r.GetInt64(1)), ct);
        var left = slots.Sum(s => s.Count);
        var wait = size / 10;
        foreach (var (start, count) in slots)
        {
            left -= count;
            if (left + take > limit) continue;
            var room = start + slot + size - _time.GetUtcNow().UtcDateTime;
            if (room < wait) wait = room > TimeSpan.Zero ? room : TimeSpan.FromMilliseconds(1);
            break;
        }
        return (null, wait);
    }

    /// <summary>
    /// Moves answered permits from their in-flight slot to the slot of their answer: added there first, so that they are
    /// never counted nowhere.
    /// </summary>
    internal async Task AnsweredAsync(IReadOnlyList<(string Window, DateTime Slot, TimeSpan SlotSize, int Take)> held)
    {
        if (held.Count == 0) return;
        var now = _time.GetUtcNow().UtcDateTime;
        try
        {
            await using var db = _dbs.Create();
            foreach (var (window, inFlight, slotSize, take) in held)
            {
                var answered = SlotOf(now, slotSize);
                await Sql.ExecuteAsync(db, """
                    INSERT INTO rate_counters (workspace_id, class, window_start, count, last_take) VALUES ({0}, {1}, {2}, {3}, {3})
                    ON CONFLICT (workspace_id, class, window_start) DO UPDATE SET count = rate_counters.count + {3}, last_take = {3}
                    """, [_key, window, answered, take], CancellationToken.None);
                await Sql.ExecuteAsync(db, "UPDATE rate_counters SET count = count - {3} WHERE workspace_id = {0} AND class = {1} AND window_start = {2} AND count >= {3}",
                    [_key, window, inFlight, take], CancellationToken.None);
            }
        }
        catch (System.Data.Common.DbException)
        {
            // Left dated as in flight: it counts until the attempt's timeout has passed, which errs on the vendor's side.
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

/// <summary>Requests taken from a provider's quota, counted as in flight until disposed once the vendor answered.</summary>
public sealed class QuotaPermit : IAsyncDisposable
{
    private readonly ProviderQuota _quota;
    private readonly List<(string Window, DateTime Slot, TimeSpan SlotSize, int Take)> _held;
    private int _disposed;

    internal QuotaPermit(ProviderQuota quota, List<(string Window, DateTime Slot, TimeSpan SlotSize, int Take)> held) =>
        (_quota, _held) = (quota, held);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) await _quota.AnsweredAsync(_held);
    }
}
