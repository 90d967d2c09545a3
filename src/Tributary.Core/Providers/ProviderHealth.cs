using System.Collections.Concurrent;

namespace Tributary.Core.Providers;

/// <summary>
/// Providers that refused their key or ran out of vendor credits are skipped until <c>RecheckMinutes</c> pass (DESIGN
/// §5.4), in this process: asking again at once would only fail again (and some vendors block keys that keep failing).
/// Transient failures never mark a provider down: it is asked again on the next request.
/// </summary>
public sealed class ProviderHealth(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, string Why)> _down = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Takes note of one outcome of <paramref name="name"/>.</summary>
    public void Record(string name, ProviderResult result, int recheckMinutes)
    {
        if (result is ProviderResult.Failed { Kind: FailureKind.BadKey or FailureKind.OutOfCredits } failed)
            _down[name] = (time.GetUtcNow().AddMinutes(recheckMinutes), failed.Kind == FailureKind.BadKey ? "bad key" : "out of vendor credits");
        else if (result is not ProviderResult.Failed)
            _down.TryRemove(name, out _);
    }

    /// <summary>"unhealthy: bad key" or "unhealthy: out of vendor credits" while the provider is skipped; null when it may be asked.</summary>
    public string? Unhealthy(string name)
    {
        if (!_down.TryGetValue(name, out var down)) return null;
        if (time.GetUtcNow() < down.Until) return "unhealthy: " + down.Why;
        _down.TryRemove(new KeyValuePair<string, (DateTimeOffset, string)>(name, down));
        return null;
    }
}
