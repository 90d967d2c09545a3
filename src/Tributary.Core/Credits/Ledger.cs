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
    /// <summary>The amount is outside ±<see cref="Ledger.MaxAdjustment"/>, or would take the credits ever granted past <see cref="Ledger.MaxGranted"/>.</summary>
    public sealed record TooLarge(long Granted) : AdjustOutcome;
}

/// <summary>
/// The only code that moves credits. Every move is one conditional UPDATE in the database (never read-then-write),
/// recorded as a ledger entry in the same transaction; check constraints keep the balance from going negative even
/// if a bug slipped past the conditions. Methods join the caller's transaction when there is one, so a charge can
/// commit together with the result it pays for.
/// </summary>
public sealed class Ledger(TimeProvider time)
{
    /// <summary>The most one grant or adjustment may move.</summary>
    public const long MaxAdjustment = 1_000_000_000_000;

    /// <summary>
    /// The most credits a workspace may ever be granted: far below 2^63, so that no sum of the account (granted, charged,
    /// reserved) can overflow the database's 64-bit integers.
    /// </summary>
    public const long MaxGranted = 1_000_000_000_000_000;

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
        if (amount is > MaxAdjustment or < -MaxAdjustment) return Task.FromResult<AdjustOutcome>(new AdjustOutcome.TooLarge(0));
        return InTransaction(db, async () =>
        {
            int rows;
            if (amount > 0)
            {
                rows = await db.CreditAccounts.Where(a => a.WorkspaceId == workspaceId && a.Granted <= MaxGranted - amount)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Granted, a => a.Granted + amount), ct);
                if (rows == 0 && await db.CreditAccounts.AsNoTracking().Where(a => a.WorkspaceId == workspaceId).Select(a => (long?)a.Granted)
                        .FirstOrDefaultAsync(ct) is { } granted)
                    return new AdjustOutcome.TooLarge(granted);
            }
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
        if (amount > 0 && db.Provider == DatabaseProvider.Postgres) return ReserveInOneStatementAsync(db, workspaceId, amount, reason, enrichmentId, expiresAt, ct);
        return InTransaction(db, async () =>
        {
            var rows = amount == 0 ? 1 : await Sql.ExecuteAsync(db,
                $"UPDATE credit_accounts SET reserved = reserved + {amount} WHERE workspace_id = {workspaceId} AND granted - charged - reserved >= {amount}", ct);
            if (rows == 0)
                return (ReserveOutcome)new ReserveOutcome.Insufficient(amount, (await GetBalanceAsync(db, workspaceId, ct)).Balance);
            var id = Guid.CreateVersion7();
            var now = Now();
            await Sql.ExecuteAsync(db, $"""
                INSERT INTO credit_reservations (id, workspace_id, amount, remaining, reason, enrichment_id, created_at, expires_at)
                VALUES ({id}, {workspaceId}, {amount}, {amount}, {reason}, {enrichmentId}, {now}, {expiresAt})
                """, ct);
            if (amount > 0) await InsertAsync(db, [Entry(workspaceId, LedgerKinds.Reserve, amount, reason, enrichmentId, id)], ct);
            return new ReserveOutcome.Reserved(id, amount);
        }, ct);
    }

    /// <summary>
    /// The account update, the reservation and its ledger entry in one statement, so that the workspace's account row is
    /// locked for one statement and its commit only. Measured at 200 synchronous enrichments/s on one workspace: with three
    /// statements in a transaction, each a round trip made while the row stayed locked, a hundred requests queued on the
    /// lock (a thread-pool continuation of a busy server sends the next statement late) and the median request waited 12 s.
    /// </summary>
    private async Task<ReserveOutcome> ReserveInOneStatementAsync(TributaryDb db, Guid workspaceId, long amount, string reason,
        Guid? enrichmentId, DateTime? expiresAt, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var now = Now();
        var rows = await Sql.ExecuteAsync(db, $"""
            WITH account AS (
                UPDATE credit_accounts SET reserved = reserved + {amount}
                WHERE workspace_id = {workspaceId} AND granted - charged - reserved >= {amount} RETURNING workspace_id),
            reservation AS (
                INSERT INTO credit_reservations (id, workspace_id, amount, remaining, reason, enrichment_id, created_at, expires_at)
                SELECT {id}, workspace_id, {amount}, {amount}, {reason}::text, {enrichmentId}::uuid, {now}, {expiresAt}::timestamptz
                FROM account RETURNING id)
            INSERT INTO ledger_entries (id, workspace_id, kind, amount, reason, enrichment_id, reservation_id, created_at)
            SELECT {Guid.CreateVersion7()}, {workspaceId}, {LedgerKinds.Reserve}::text, {amount}, {reason}::text, {enrichmentId}::uuid, id, {now}
            FROM reservation
            """, ct);
        return rows == 0
            ? new ReserveOutcome.Insufficient(amount, (await GetBalanceAsync(db, workspaceId, ct)).Balance)
            : new ReserveOutcome.Reserved(id, amount);
    }

    /// <summary>
    /// Inside a commit batch: records a charge of <paramref name="amount"/> out of a job's reservation now and moves the
    /// credits once for the whole batch (<see cref="ReservationCharges"/>), so that a hundred items of one job cost two
    /// updates instead of three hundred. A reservation with less left than the batch charges fails the batch.
    /// </summary>
    public void ChargeInBatch(CommitBatch batch, Guid workspaceId, Guid reservationId, long amount, string reason, Guid? enrichmentId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        batch.Deferred<BatchInserts>().Add(Entry(workspaceId, LedgerKinds.Charge, amount, reason, enrichmentId, reservationId));
        batch.Deferred<ReservationCharges>().Add(reservationId, amount);
        batch.Deferred<AccountMoves>().Move(workspaceId, amount, amount);
    }

    /// <summary>
    /// Settles a synchronous reservation inside a commit batch: charges <paramref name="amount"/> of it and releases the
    /// rest. The reservation is closed now; the account moves once for the whole batch when it flushes, so that concurrent
    /// batches of one workspace hold its account row only while they commit. Returns what was charged: 0 when the
    /// reservation is no longer open (it expired and was released while its request ran), in which case the request
    /// delivers its values free.
    /// </summary>
    public async Task<long> SettleInBatchAsync(CommitBatch batch, Guid reservationId, long amount, string reason, Guid? enrichmentId,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var db = batch.Db;
        // A synchronous reservation is settled whole, so an open one still holds all it reserved: closed in one statement.
        var whole = await Sql.QueryAsync(db, $"""
            UPDATE credit_reservations SET remaining = 0, closed_at = {Now()}
            WHERE id = {reservationId} AND closed_at IS NULL AND remaining = amount RETURNING workspace_id, amount
            """, r => (Workspace: r.GetGuid(0), Amount: r.GetInt64(1)), ct);
        if (whole.Count == 1) return Settled(batch, reservationId, whole[0].Workspace, whole[0].Amount, amount, reason, enrichmentId);
        var open = await Sql.QueryAsync(db,
            $"SELECT workspace_id, remaining FROM credit_reservations WHERE id = {reservationId} AND closed_at IS NULL",
            r => (Workspace: r.GetGuid(0), Remaining: r.GetInt64(1)), ct);
        if (open.Count == 0) return 0L;
        var (workspaceId, left) = open[0];
        var rows = await Sql.ExecuteAsync(db,
            $"UPDATE credit_reservations SET remaining = 0, closed_at = {Now()} WHERE id = {reservationId} AND remaining = {left} AND closed_at IS NULL", ct);
        return rows == 0 ? 0L : Settled(batch, reservationId, workspaceId, left, amount, reason, enrichmentId);
    }

    /// <summary>The account move and ledger entries of a reservation of <paramref name="left"/> closed with a charge of <paramref name="amount"/>.</summary>
    private long Settled(CommitBatch batch, Guid reservationId, Guid workspaceId, long left, long amount, string reason, Guid? enrichmentId)
    {
        if (amount > left) throw new InvalidOperationException($"the run cost {amount}, more than the {left} reserved");
        batch.Deferred<AccountMoves>().Move(workspaceId, reservedDown: left, chargedUp: amount);
        if (amount > 0) batch.Deferred<BatchInserts>().Add(Entry(workspaceId, LedgerKinds.Charge, amount, reason, enrichmentId, reservationId));
        if (left - amount > 0) batch.Deferred<BatchInserts>().Add(Entry(workspaceId, LedgerKinds.Release, left - amount, "unused", enrichmentId, reservationId));
        return amount;
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
        var entry = Entry(workspaceId, kind, amount, reason, enrichmentId, reservationId);
        db.LedgerEntries.Add(entry);
        return entry;
    }

    /// <summary>Inserts ledger entries in one run of <see cref="Sql.InsertRowsAsync"/>.</summary>
    internal static Task InsertAsync(TributaryDb db, IReadOnlyList<LedgerEntry> entries, CancellationToken ct) =>
        Sql.InsertRowsAsync<int>(db, "INSERT INTO ledger_entries (id, workspace_id, kind, amount, reason, enrichment_id, reservation_id, created_at)", "", 8,
            entries.SelectMany(e => new object?[] { e.Id, e.WorkspaceId, e.Kind, e.Amount, e.Reason, e.EnrichmentId, e.ReservationId, e.CreatedAt }).ToList(),
            null, ct);

    private LedgerEntry Entry(Guid workspaceId, string kind, long amount, string reason, Guid? enrichmentId, Guid? reservationId) => new()
    {
        Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, Kind = kind, Amount = amount, Reason = reason,
        EnrichmentId = enrichmentId, ReservationId = reservationId, CreatedAt = Now(),
    };

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

/// <summary>
/// The charges of one commit batch out of each job reservation, applied as one conditional update each before the
/// batch's other deferred writes (a job that ends in the batch releases what is left of its reservation).
/// </summary>
public sealed class ReservationCharges : IDeferredWrite
{
    private readonly SortedDictionary<Guid, long> _byReservation = [];

    public int Order => 0;

    public void Add(Guid reservationId, long amount) => _byReservation[reservationId] = _byReservation.GetValueOrDefault(reservationId) + amount;

    public async Task FlushAsync(TributaryDb db, CancellationToken ct)
    {
        foreach (var (reservationId, amount) in _byReservation)
        {
            var rows = await Sql.ExecuteAsync(db,
                $"UPDATE credit_reservations SET remaining = remaining - {amount} WHERE id = {reservationId} AND remaining >= {amount}", ct);
            if (rows == 0) throw new InvalidOperationException($"reservation {reservationId} has less left than the {amount} charged");
        }
    }
}

/// <summary>
/// The account moves of one commit batch, one update per workspace, written last: the account row is the one every
/// request of a workspace locks (to reserve), so a batch holds it for its commit only.
/// </summary>
public sealed class AccountMoves : IDeferredWrite
{
    private readonly SortedDictionary<Guid, (long ReservedDown, long ChargedUp)> _byAccount = [];

    public int Order => int.MaxValue;

    public void Move(Guid workspaceId, long reservedDown, long chargedUp)
    {
        var (reserved, charged) = _byAccount.GetValueOrDefault(workspaceId);
        _byAccount[workspaceId] = (reserved + reservedDown, charged + chargedUp);
    }

    public async Task FlushAsync(TributaryDb db, CancellationToken ct)
    {
        foreach (var (workspaceId, (reservedDown, chargedUp)) in _byAccount)
            await Sql.ExecuteAsync(db,
                $"UPDATE credit_accounts SET reserved = reserved - {reservedDown}, charged = charged + {chargedUp} WHERE workspace_id = {workspaceId}", ct);
    }
}
