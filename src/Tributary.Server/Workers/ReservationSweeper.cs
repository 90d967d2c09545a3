using Tributary.Core.Credits;
using Tributary.Core.Storage;

namespace Tributary.Server.Workers;

/// <summary>
/// Gives back the credits of synchronous reservations whose request never settled (its process died): at start-up and
/// every <c>Credits:SweepIntervalSeconds</c>, so after a crash the balance is whole within the deadline, the grace and
/// one interval (DESIGN §6). Any process may do it; each release is conditional, so two sweepers never release twice.
/// </summary>
public sealed class ReservationSweeper(Ledger ledger, TributaryDbFactory dbs, CreditOptions options, TimeProvider time,
    ILogger<ReservationSweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var db = dbs.Create();
                var released = await ledger.ReleaseExpiredAsync(db, stopping);
                if (released > 0) log.LogWarning("Released {Count} credit reservations whose requests never settled", released);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Releasing expired credit reservations failed; trying again later");
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.SweepIntervalSeconds), time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
