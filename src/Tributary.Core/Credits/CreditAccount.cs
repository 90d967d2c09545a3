namespace Tributary.Core.Credits;

/// <summary>
/// Running totals of one workspace's ledger. The database enforces
/// granted − charged − reserved ≥ 0; only <see cref="Ledger"/> moves these numbers, with conditional updates.
/// </summary>
public sealed class CreditAccount
{
    public Guid WorkspaceId { get; set; }
    public long Granted { get; set; }
    public long Charged { get; set; }
    public long Reserved { get; set; }
}

/// <summary>Credits set aside for one piece of work; <see cref="Remaining"/> is what can still be charged or released.</summary>
public sealed class CreditReservation
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public long Amount { get; set; }
    public long Remaining { get; set; }
    public required string Reason { get; set; }
    public Guid? EnrichmentId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// When a synchronous request's reservation is given up if its owner has not settled it (a crashed process): its
    /// deadline plus <c>Credits:ReservationGraceSeconds</c>. Null for a job's reservation, which lives as long as the job.
    /// </summary>
    public DateTime? ExpiresAt { get; set; }
    public DateTime? ClosedAt { get; set; }
}

/// <summary><c>Tributary:Credits</c> (DESIGN §6, §12).</summary>
public sealed class CreditOptions : IValidatedOptions
{
    public static string Section => "Tributary:Credits";

    /// <summary>How long after its request's deadline an unsettled synchronous reservation is released.</summary>
    public int ReservationGraceSeconds { get; set; } = 60;
    /// <summary>How often each process looks for expired reservations.</summary>
    public int SweepIntervalSeconds { get; set; } = 30;

    public TimeSpan Grace => TimeSpan.FromSeconds(ReservationGraceSeconds);

    public IEnumerable<string> Validate()
    {
        if (ReservationGraceSeconds is < 0 or > 86_400) yield return "Tributary:Credits:ReservationGraceSeconds must be from 0 to 86400";
        if (SweepIntervalSeconds is < 1 or > 3600) yield return "Tributary:Credits:SweepIntervalSeconds must be from 1 to 3600";
    }
}

public sealed class LedgerEntry
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Kind { get; set; }
    public long Amount { get; set; }
    public required string Reason { get; set; }
    public Guid? EnrichmentId { get; set; }
    public Guid? ReservationId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class LedgerKinds
{
    public const string Grant = "grant";
    public const string Reserve = "reserve";
    public const string Charge = "charge";
    public const string Release = "release";
}
