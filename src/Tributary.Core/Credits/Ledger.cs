using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Credits;

public readonly record struct CreditBalance(long Balance, long Reserved, long Granted, long Charged);

public abstract record ReserveOutcome
{
    public sealed record Reserved(Guid ReservationId, long Amount) : ReserveOutcome;
    public sealed record Insufficient(long Needed, long Available) : ReserveOutcome;
}

public abstract record AdjustOutcome
{
    public sealed record Done(long Balance) : AdjustOutcome;
    public sealed record Insufficient(long Available) : AdjustOutcome;
}

/// <summary>
/// The only code that moves credits. Every move is one conditional UPDATE in the database (never read-then-write),
/// recorded as a ledger entry in the same transaction; check constraints keep the balance from going negative even
/// if a bug slipped past the conditions. Methods join the caller's transaction when there is one, so a charge can
/// commit together with the result it pays for.
/// </summary>
public sealed class Ledger(TimeProvider time)
{
    /// <summary>The workspace's ledger entries, for listing; read-only.</summary>
    public static IQueryable<LedgerEntry> EntriesOf(TributaryDb db, Guid workspaceId) =>
        db.LedgerEntries.AsNoTracking().Where(e => e.WorkspaceId == workspaceId);

    /// <summary>The charge entry that paid for each of these enrichments; the free ones are absent.</summary>
    public static async Task<Dictionary<Guid, Guid>> ChargeEntriesOfAsync(TributaryDb db, IReadOnlyCollection<Guid> enrichmentIds,
        CancellationToken ct = default)
    {
        var entries = await db.LedgerEntries.AsNoTracking()
            .Where(l => l.EnrichmentId != null && enrichmentIds.Contains(l.EnrichmentId.Value) && l.Kind == LedgerKinds.Charge)
            .Select(l => new { Enrichment = l.EnrichmentId!.Value, l.Id }).ToListAsync(ct);
        return entries.GroupBy(e => e.Enrichment).ToDictionary(g => g.Key, g => g.First().Id);
    }

    public async Task<CreditBalance> GetBalanceAsync(TributaryDb db, Guid workspaceId, CancellationToken ct = default)
    {
        var a = await db.CreditAccounts.AsNoTracking().FirstOrDefaultAsync(x => x.WorkspaceId == workspaceId, ct);
        return a is null ? default : new CreditBalance(a.Granted - a.Charged - a.Reserved, a.Reserved, a.Granted, a.Charged);
    }

    /// <summary>
    /// A positive amount grants credits. A negative amount is an adjustment down, allowed only to the available balance,
    /// and recorded as a charge so that granted = balance + charged + reserved always holds.
    /// </summary>
    public Task<AdjustOutcome> AdjustAsync(TributaryDb db, Guid workspaceId, long amount, string reason, CancellationToken ct = default)
    {
        if (amount == 0) throw new ArgumentOutOfRangeException(nameof(amount), "amount must not be zero");
        return InTransaction(db, async () =>
        {
            int rows;
            if (amount > 0)
                rows = await db.CreditAccounts.Where(a => a.WorkspaceId == workspaceId)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Granted, a => a.Granted + amount), ct);
            else
            {
                var take = -amount;
                rows = await db.CreditAccounts
                    .Where(a => a.WorkspaceId == workspaceId && a.Granted - a.Charged - a.Reserved >= take)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Charged, a => a.Charged + take), ct);
            }
            if (rows == 0)
                return (AdjustOutcome)new AdjustOutcome.Insufficient((await GetBalanceAsync(db, workspaceId, ct)).Balance);
            Record(db, workspaceId, amount > 0 ? LedgerKinds.Grant : LedgerKinds.Charge, Math.Abs(amount), reason, null, null);
            await db.SaveChangesAsync(ct);
            return new AdjustOutcome.Done((await GetBalanceAsync(db, workspaceId, ct)).Balance);
        }, ct);
    }

    /// <summary>
    /// Sets aside <paramref name="amount"/> credits, all or nothing. A reservation with <paramref name="expiresAt"/> is
    /// released by <see cref="ReleaseExpiredAsync"/> once that passes unsettled, so a crashed owner never keeps credits.
    /// </summary>
    public Task<ReserveOutcome> ReserveAsync(TributaryDb db, Guid workspaceId, long amount, string reason,
        Guid? enrichmentId = null, CancellationToken ct = default, DateTime? expiresAt = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        return InTransaction(db, async () =>
        {
            var rows = amount == 0 ? 1 : await db.CreditAccounts
                .Where(a => a.WorkspaceId == workspaceId && a.Granted - a.Charged - a.Reserved >= amount)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Reserved, a => a.Reserved + amount), ct);
            if (rows == 0)
                return (ReserveOutcome)new ReserveOutcome.Insufficient(amount, (await GetBalanceAsync(db, workspaceId, ct)).Balance);
            var reservation = new CreditReservation
            {
                Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, Amount = amount, Remaining = amount,
                Reason = reason, EnrichmentId = enrichmentId, CreatedAt = Now(), ExpiresAt = expiresAt,
            };
            db.CreditReservations.Add(reservation);
            if (amount > 0) Record(db, workspaceId, LedgerKinds.Reserve, amount, reason, enrichmentId, reservation.Id);
            await db.SaveChangesAsync(ct);
            return new ReserveOutcome.Reserved(reservation.Id, amount);
        }, ct);
    }

    /// <summary>
    /// Charges <paramref name="amount"/> out of a reservation. Returns the ledger entry id, or null when the reservation
    /// has less left than asked (which callers treat as a bug: they reserve the maximum first).
    /// </summary>
    public Task<Guid?> ChargeAsync(TributaryDb db, Guid reservationId, long amount, string reason,
        Guid? enrichmentId = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        return InTransaction(db, async () =>
        {
            var workspaceId = await db.CreditReservations.Where(r => r.Id == reservationId)
                .Select(r => (Guid?)r.WorkspaceId).FirstOrDefaultAsync(ct);
            if (workspaceId is null) return null;
            var rows = await db.CreditReservations.Where(r => r.Id == reservationId && r.Remaining >= amount)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Remaining, r => r.Remaining - amount), ct);
            if (rows == 0) return (Guid?)null;
            await db.CreditAccounts.Where(a => a.WorkspaceId == workspaceId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Reserved, a => a.Reserved - amount)
                    .SetProperty(a => a.Charged, a => a.Charged + amount), ct);
            var entry = Record(db, workspaceId.Value, LedgerKinds.Charge, amount, reason, enrichmentId, reservationId);
            await db.SaveChangesAsync(ct);
            return entry.Id;
        }, ct);
    }

    /// <summary>
    /// Settles a synchronous reservation in one step: charges <paramref name="amount"/> of it and releases the rest. Returns
    /// what was charged: 0 when the reservation is no longer open (it expired and was released while its request ran), in
    /// which case the request delivers its values free.
    /// </summary>
    public Task<long> SettleAsync(TributaryDb db, Guid reservationId, long amount, string reason, Guid? enrichmentId,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        return InTransaction(db, async () =>
        {
            var r = await db.CreditReservations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == reservationId, ct);
            if (r is null || r.ClosedAt is not null) return 0L;
            if (amount > r.Remaining) throw new InvalidOperationException($"the run cost {amount}, more than the {r.Remaining} reserved");
            var now = Now();
            var left = r.Remaining;
            var rows = await db.CreditReservations
                .Where(x => x.Id == reservationId && x.Remaining == left && x.ClosedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Remaining, 0L).SetProperty(x => x.ClosedAt, now), ct);
            if (rows == 0) return 0L;
            await db.CreditAccounts.Where(a => a.WorkspaceId == r.WorkspaceId)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Reserved, a => a.Reserved - left)
                    .SetProperty(a => a.Charged, a => a.Charged + amount), ct);
            if (amount > 0) Record(db, r.WorkspaceId, LedgerKinds.Charge, amount, reason, enrichmentId, reservationId);
            if (left - amount > 0) Record(db, r.WorkspaceId, LedgerKinds.Release, left - amount, "unused", enrichmentId, reservationId);
            await db.SaveChangesAsync(ct);
            return amount;
        }, ct);
    }

    /// <summary>
    /// Releases every open reservation whose owner let it expire (DESIGN §6: no reservation outlives its owner). A read
    /// that finds nothing when no process crashed, so an idle server writes nothing.
    /// </summary>
    public async Task<int> ReleaseExpiredAsync(TributaryDb db, CancellationToken ct = default)
    {
        var now = Now();
        var expired = await db.CreditReservations.AsNoTracking()
            .Where(r => r.ClosedAt == null && r.ExpiresAt != null && r.ExpiresAt < now)
            .OrderBy(r => r.ExpiresAt).Select(r => r.Id).Take(500).ToListAsync(ct);
        var released = 0;
        foreach (var id in expired)
            if (await ReleaseAsync(db, id, "expired: its request did not settle", ct) > 0) released++;
        return released;
    }

    /// <summary>Returns whatever is left of a reservation to the balance and closes it. Safe to call twice.</summary>
    public Task<long> ReleaseAsync(TributaryDb db, Guid reservationId, string reason, CancellationToken ct = default) =>
        InTransaction(db, async () =>
        {
            var r = await db.CreditReservations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == reservationId, ct);
            if (r is null || r.ClosedAt is not null) return 0L;
            var left = r.Remaining;
            var now = Now();
            // Conditioned on the remaining amount we read, so a concurrent charge or release cannot be counted twice.
            var rows = await db.CreditReservations
                .Where(x => x.Id == reservationId && x.Remaining == left && x.ClosedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Remaining, 0L).SetProperty(x => x.ClosedAt, now), ct);
            if (rows == 0) return 0L;
            if (left > 0)
            {
                await db.CreditAccounts.Where(a => a.WorkspaceId == r.WorkspaceId)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Reserved, a => a.Reserved - left), ct);
                Record(db, r.WorkspaceId, LedgerKinds.Release, left, reason, r.EnrichmentId, reservationId);
                await db.SaveChangesAsync(ct);
            }
            return left;
        }, ct);

    private LedgerEntry Record(TributaryDb db, Guid workspaceId, string kind, long amount, string reason,
        Guid? enrichmentId, Guid? reservationId)
    {
        var entry = new LedgerEntry
        {
            Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, Kind = kind, Amount = amount, Reason = reason,
            EnrichmentId = enrichmentId, ReservationId = reservationId, CreatedAt = Now(),
        };
        db.LedgerEntries.Add(entry);
        return entry;
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private static async Task<T> InTransaction<T>(TributaryDb db, Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null) return await work();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await work();
            await tx.CommitAsync(ct);
            return result;
        });
    }
}
