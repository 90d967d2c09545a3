using Tributary.Core.Webhooks;

namespace Tributary.Server.Workers;

/// <summary>Hosts the webhook dispatcher: a pass right after a pass that did work, else one every <c>PollIntervalMs</c>.</summary>
public sealed class WebhookDeliveryWorker(
    WebhookDispatcher dispatcher,
    WebhookOptions options,
    TimeProvider time,
    ILogger<WebhookDeliveryWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(options.PollIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            var attempts = 0;
            try
            {
                attempts = await dispatcher.DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database that is briefly away must not stop deliveries for the life of the process.
                log.LogError(e, "A webhook delivery pass failed; trying again in {Delay}", idle);
            }
            if (attempts > 0) continue;
            try
            {
                await Task.Delay(idle, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
