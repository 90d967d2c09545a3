namespace Tributary.Core.Webhooks;

/// <summary>The <c>Tributary:Webhooks</c> configuration section (DESIGN §8, §12).</summary>
public sealed class WebhookOptions : IValidatedOptions
{
    public static string Section => "Tributary:Webhooks";
    public const int MinRetries = 5;

    public static readonly IReadOnlyList<int> DefaultRetryDelaysSeconds = [10, 60, 300, 1800, 7200, 21600];

    /// <summary>
    /// The delay before each retry: entry n-1 follows the n-th failed attempt; after the last, the message fails. Empty
    /// means the defaults, as the configuration binder appends configured entries to a list it finds filled.
    /// </summary>
    public List<int> RetryDelaysSeconds { get; set; } = [];

    public IReadOnlyList<int> RetryDelays => RetryDelaysSeconds.Count == 0 ? DefaultRetryDelaysSeconds : RetryDelaysSeconds;

    /// <summary>Limit of one attempt: DNS, connect, request and the receiver's answer.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Lets webhooks reach loopback, private, link-local and unique-local addresses (tests, on-premise receivers).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long the delivery worker sleeps after a pass that found nothing due.</summary>
    public int PollIntervalMs { get; set; } = 500;

    public int MaxAttempts => RetryDelays.Count + 1;

    /// <summary>Problems with the current values, each naming its full key; empty when the options can be used.</summary>
    public IEnumerable<string> Validate()
    {
        if (RetryDelays.Count is < MinRetries or > 100)
            yield return $"{Section}:RetryDelaysSeconds must list from {MinRetries} to 100 delays, so that every event gets at least {MinRetries + 1} attempts";
        for (var i = 0; i < RetryDelays.Count; i++)
            if (RetryDelays[i] is < 0 or > 7 * 24 * 3600)
                yield return $"{Section}:RetryDelaysSeconds:{i} must be from 0 to 604800 seconds, not {RetryDelays[i]}";
        if (TimeoutSeconds is < 1 or > 300)
            yield return $"{Section}:TimeoutSeconds must be from 1 to 300";
        if (PollIntervalMs is < 10 or > 60_000)
            yield return $"{Section}:PollIntervalMs must be from 10 to 60000";
    }
}
