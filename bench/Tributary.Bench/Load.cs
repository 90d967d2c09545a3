using System.Diagnostics;

namespace Tributary.Bench;

/// <summary>Latency percentiles of a run, in milliseconds.</summary>
public sealed record Histogram(int Count, double P50, double P90, double P99, double Max)
{
    public static Histogram Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0) return new Histogram(0, 0, 0, 0, 0);
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Histogram(sorted.Length, At(0.5), At(0.9), At(0.99), sorted[^1]);
    }

    public override string ToString() => $"n={Count} p50={P50:0.00} ms p90={P90:0.00} ms p99={P99:0.00} ms max={Max:0.00} ms";
}

public static class Load
{
    /// <summary>Closed loop: <paramref name="concurrency"/> callers back to back for <paramref name="duration"/>; requests per second.</summary>
    public static async Task<(double RequestsPerSecond, int Errors)> ThroughputAsync(Func<Task<bool>> call, int concurrency, TimeSpan duration)
    {
        var done = 0;
        var errors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                if (await call()) Interlocked.Increment(ref done);
                else Interlocked.Increment(ref errors);
            }
        }));
        return (done / watch.Elapsed.TotalSeconds, errors);
    }

    /// <summary>
    /// Open loop: a call started every 1/<paramref name="perSecond"/> s whatever the answers, so a slow server cannot slow
    /// the offered load down (no coordinated omission); returns each call's latency and result.
    /// </summary>
    public static async Task<List<(double LatencyMs, T Result)>> ConstantRateAsync<T>(Func<Task<T>> call, int perSecond, TimeSpan duration)
    {
        var results = new List<Task<(double, T)>>();
        var interval = TimeSpan.FromSeconds(1.0 / perSecond);
        var watch = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        while (next < duration)
        {
            var wait = next - watch.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var scheduled = next;
            results.Add(Task.Run(async () =>
            {
                var result = await call();
                // Latency from when the call was due, not from when it happened to start.
                return ((watch.Elapsed - scheduled).TotalMilliseconds, result);
            }));
            next += interval;
        }
        return (await Task.WhenAll(results)).ToList();
    }
}
