using Tributary.Core.Erasure;

namespace Tributary.Server.Workers;

/// <summary>
/// Runs the retention sweep (DESIGN §4, <c>Tributary:Retention</c>) a minute after start-up and then every hour, when a
/// retention is configured. Any process may run it: each batch is one conditional statement, so two sweepers only share
/// the work.
/// </summary>
public sealed class RetentionWorker(RetentionSweep sweep, TimeProvider time, ILogger<RetentionWorker> log) : BackgroundService
{
    private static readonly TimeSpan FirstSweep = TimeSpan.FromMinutes(1), Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (!sweep.Enabled) return;
        var wait = FirstSweep;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, time, stopping);
                await sweep.SweepAsync(time.GetUtcNow().UtcDateTime, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "The retention sweep failed; trying again within the hour");
            }
            wait = Every;
        }
    }
}
