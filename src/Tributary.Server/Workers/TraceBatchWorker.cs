using Tributary.Core.Enrichment;

namespace Tributary.Server.Workers;

/// <summary>Writes the queued traces of cached answers at most a second after they were queued, and what is left on shutdown.</summary>
public sealed class TraceBatchWorker(TraceBatch traces, TimeProvider time, ILogger<TraceBatchWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            while (await traces.WaitAsync(stopping))
            {
                await Task.Delay(TraceBatch.MaxDelay, time, stopping);
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
            await traces.FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Writing the traces of cached answers failed");
        }
    }
}
