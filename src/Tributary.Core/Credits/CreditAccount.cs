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
    public DateTime? ClosedAt { get; set; }
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
