namespace Tributary.Core.Common;

/// <summary>
/// Creation timestamps that never repeat within a process (whole microseconds, which both databases store exactly),
/// so "ordered by created_at" is a total order even for rows created in one batch.
/// </summary>
public sealed class CreationClock(TimeProvider time)
{
    private long _lastTicks;

    public DateTime Next()
    {
        var now = time.GetUtcNow().UtcDateTime.Ticks / 10 * 10;
        while (true)
        {
            var last = Interlocked.Read(ref _lastTicks);
            var next = Math.Max(now, last + 10);
            if (Interlocked.CompareExchange(ref _lastTicks, next, last) == last)
                return new DateTime(next, DateTimeKind.Utc);
        }
    }
}
