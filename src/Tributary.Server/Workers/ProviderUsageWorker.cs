using Tributary.Core.Providers.Usage;

namespace Tributary.Server.Workers;

/// <summary>Adds the provider calls this process counted to the shared usage table at most a second later, and what is left on shutdown.</summary>
public sealed class ProviderUsageWorker(ProviderUsage usage, TimeProvider time, ILogger<ProviderUsageWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            while (await usage.WaitAsync(stopping))
            {
                await Task.Delay(ProviderUsage.MaxDelay, time, stopping);
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
            await usage.FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Writing the provider usage counts failed; they are kept for the next write");
        }
    }
}
