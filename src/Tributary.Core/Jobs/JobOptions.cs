namespace Tributary.Core.Jobs;

/// <summary><c>Tributary:Jobs</c> (DESIGN §12).</summary>
public sealed class JobOptions : IValidatedOptions
{
    public static string Section => "Tributary:Jobs";

    /// <summary>Items in flight per server process.</summary>
    public int Workers { get; set; } = 64;
    /// <summary>
    /// Items per process that may wait on a slow vendor (Dropcontact, Apollo phones) outside the <see cref="Workers"/>
    /// slots, their leases still renewed; unset: four times <see cref="Workers"/>.
    /// </summary>
    public int? WaitingItems { get; set; }

    public int MaxWaitingItems => WaitingItems ?? Workers * 4;
    public int LeaseSeconds { get; set; } = 30;
    /// <summary>Items claimed per query.</summary>
    public int BatchSize { get; set; } = 50;
    public int PollIntervalMs { get; set; } = 250;
    /// <summary>Claims of one item before it is given up as failed (a record that crashes its worker every time).</summary>
    public int MaxAttempts { get; set; } = 5;
    /// <summary>Longest waterfall run of one item; channels unfinished by then are left not found, and the item says it timed out.</summary>
    public int ItemDeadlineMs { get; set; } = 120_000;

    public TimeSpan ItemDeadline => TimeSpan.FromMilliseconds(ItemDeadlineMs);

    public IEnumerable<string> Validate()
    {
        if (Workers is < 1 or > 10_000) yield return "Tributary:Jobs:Workers must be from 1 to 10000";
        if (LeaseSeconds is < 2 or > 3600) yield return "Tributary:Jobs:LeaseSeconds must be from 2 to 3600";
        if (WaitingItems is < 0 or > 100_000) yield return "Tributary:Jobs:WaitingItems must be from 0 to 100000";
        if (BatchSize is < 1 or > 10_000) yield return "Tributary:Jobs:BatchSize must be from 1 to 10000";
        if (PollIntervalMs is < 10 or > 60_000) yield return "Tributary:Jobs:PollIntervalMs must be from 10 to 60000";
        if (MaxAttempts is < 1 or > 100) yield return "Tributary:Jobs:MaxAttempts must be from 1 to 100";
        if (ItemDeadlineMs is < 100 or > 3_600_000) yield return "Tributary:Jobs:ItemDeadlineMs must be from 100 to 3600000";
    }
}
