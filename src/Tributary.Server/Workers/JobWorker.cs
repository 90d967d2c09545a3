using Microsoft.Extensions.Options;
using Tributary.Core.Jobs;

namespace Tributary.Server.Workers;

/// <summary>
/// Claims job items and runs up to <c>Jobs:Workers</c> of them at once in this process. Any number of processes may run
/// this against one database; leases make sure each item is committed once. On shutdown it stops claiming, lets what
/// runs finish within the shutdown timeout (DESIGN §12 ShutdownTimeoutSeconds), then gives back what is left.
/// </summary>
public sealed class JobWorker(JobQueue queue, JobProcessor processor, JobOptions options, IOptions<HostOptions> host,
    ILogger<JobWorker> logger) : BackgroundService
{
    // Room, within the host's shutdown timeout, for the runs stopped at its end to give their items back.
    private static readonly TimeSpan ReleaseMargin = TimeSpan.FromSeconds(3);

    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        // An item waiting minutes on a slow vendor steps out of its slot meanwhile (WorkerSlot), so the others go on.
        var slots = new WorkerSlots(options.Workers, options.MaxWaitingItems);
        using var inFlight = new CancellationTokenSource();
        var running = new HashSet<Task>();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await slots.EnterAsync(stopping);
                slots.Leave();
                var claimed = await queue.ClaimAsync(Owner, Math.Min(slots.Free, options.BatchSize), stopping);
                foreach (var (item, job) in claimed)
                {
                    await slots.EnterAsync(stopping);
                    var task = Task.Run(async () =>
                    {
                        WorkerSlot.Hold(slots);
                        try { await processor.ProcessAsync(item, job, inFlight.Token); }
                        finally { slots.Leave(); }
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
        var finishWithin = host.Value.ShutdownTimeout - ReleaseMargin;
        inFlight.CancelAfter(finishWithin > TimeSpan.Zero ? finishWithin : TimeSpan.Zero);
        await Task.WhenAll(left);
        try
        {
            if (await queue.ReleaseAsync(Owner, CancellationToken.None) is var released and > 0)
                logger.LogInformation("Shutting down: gave back {Count} job items that had not finished", released);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Shutting down: the unfinished job items could not be given back; their leases will expire");
        }
    }
}
