using Tributary.Core.Storage;

namespace Tributary.Server.Workers;

/// <summary>Writes what <typeparamref name="T"/> queued at most its delay after it was queued, and what is left on shutdown.</summary>
public sealed class DelayedWritesWorker<T>(T writes, TimeProvider time, ILogger<DelayedWritesWorker<T>> log) : BackgroundService
    where T : IDelayedWrites
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            while (await writes.WaitAsync(stopping))
            {
                await Task.Delay(writes.MaxDelay, time, stopping);
                await FlushAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        await FlushAsync(CancellationToken.None);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        try
        {
            await writes.FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Writing {What} failed", writes.What);
        }
    }
}
