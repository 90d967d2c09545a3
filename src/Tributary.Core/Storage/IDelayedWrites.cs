namespace Tributary.Core.Storage;

/// <summary>
/// Writes gathered in memory and made at most <see cref="MaxDelay"/> after the first of them was queued, in one batch
/// (cached answers' traces, provider usage counts): what nobody reads at once costs no write of its own.
/// </summary>
public interface IDelayedWrites
{
    /// <summary>What is written, for a log line ("the traces of cached answers").</summary>
    string What { get; }

    TimeSpan MaxDelay { get; }

    /// <summary>Waits until something is queued and not yet written (or <paramref name="ct"/> fires).</summary>
    ValueTask<bool> WaitAsync(CancellationToken ct);

    /// <summary>Writes what is queued.</summary>
    Task FlushAsync(CancellationToken ct);
}
