using Tributary.Core.Jobs;

namespace Tributary.Server.Workers;

/// <summary>
/// Claims job items and runs up to <c>Jobs:Workers</c> of them at once in this process. Any number of processes may run
/// this against one database; leases make sure each item is committed once.
/// </summary>
public sealed class JobWorker(JobQueue queue, JobProcessor processor, JobOptions options, ILogger<JobWorker> logger) : BackgroundService
{
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var slots = new SemaphoreSlim(options.Workers);
        var running = new HashSet<Task>();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stopping);
                slots.Release();
                var claimed = await queue.ClaimAsync(Owner, Math.Min(slots.CurrentCount, options.BatchSize), stopping);
                foreach (var (item, job) in claimed)
                {
                    await slots.WaitAsync(stopping);
                    var task = Task.Run(async () =>
                    {
                        try { await processor.ProcessAsync(item, job, stopping); }
                        finally { slots.Release(); }
                    }, CancellationToken.None);
                    lock (running) running.Add(task);
                    _ = task.ContinueWith(t => { lock (running) running.Remove(t); }, TaskScheduler.Default);
                }
                if (claimed.Count == 0) await Task.Delay(options.PollIntervalMs, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Claiming job items failed; retrying");
                await Task.Delay(Math.Max(options.PollIntervalMs, 1000), CancellationToken.None);
            }
        }
        Task[] left;
        lock (running) left = running.ToArray();
        await Task.WhenAll(left);
    }
}
