using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Core.Credits;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Credits;

/// <summary>
/// The commit batches that settlements and job items go through: a unit that throws fails only itself (the others of its
/// batch are committed one by one), the charges of a batch move the account once and match the ledger, and a batch
/// is all or nothing.
/// </summary>
public abstract class BatchCommitterTests(TributaryApp app)
{
    private readonly Ledger _ledger = new(TimeProvider.System);

    private async Task<(TestWorkspace Workspace, TributaryDbFactory Factory, Guid Reservation)> WorkspaceWithReservationAsync(long credits, long reserved)
    {
        var ws = await app.CreateWorkspaceAsync(credits: credits);
        var factory = new TributaryDbFactory(app.Database.Options);
        await using var db = factory.Create();
        var reservation = ((ReserveOutcome.Reserved)await _ledger.ReserveAsync(db, ws.Id, reserved, "test job")).ReservationId;
        return (ws, factory, reservation);
    }

    [DbFact]
    public async Task Concurrent_charges_in_batches_match_the_ledger_and_a_failing_unit_fails_alone()
    {
        var (ws, factory, reservation) = await WorkspaceWithReservationAsync(credits: 1000, reserved: 500);
        await using var committer = new BatchCommitter(factory, NullLogger<BatchCommitter>.Instance);

        // 300 units at once: every tenth throws after it charged, so its batch fails and is committed unit by unit.
        var units = Enumerable.Range(0, 300).Select(i => committer.CommitAsync(async (batch, ct) =>
        {
            _ledger.ChargeInBatch(batch, ws.Id, reservation, 1, $"unit {i}", null);
            await Task.Yield();
            if (i % 10 == 0) throw new InvalidOperationException($"unit {i} breaks");
            return i;
        })).ToList();
        var results = await Task.WhenAll(units.Select(async u =>
        {
            try { return await u; }
            catch (InvalidOperationException) { return -1; }
        }));

        results.Count(r => r == -1).ShouldBe(30);
        results.Where(r => r >= 0).ShouldBe(Enumerable.Range(0, 300).Where(i => i % 10 != 0), ignoreOrder: true);
        await using var check = factory.Create();
        var account = await check.CreditAccounts.AsNoTracking().SingleAsync(a => a.WorkspaceId == ws.Id);
        account.Charged.ShouldBe(270);
        account.Reserved.ShouldBe(230);
        (await check.LedgerEntries.AsNoTracking().CountAsync(e => e.ReservationId == reservation && e.Kind == LedgerKinds.Charge)).ShouldBe(270);
        (await check.CreditReservations.AsNoTracking().SingleAsync(r => r.Id == reservation)).Remaining.ShouldBe(230);
    }

    [DbFact]
    public async Task A_batch_that_would_overdraw_its_reservation_commits_nothing_of_the_unit_that_overdraws()
    {
        var (ws, factory, reservation) = await WorkspaceWithReservationAsync(credits: 10, reserved: 3);
        await using var committer = new BatchCommitter(factory, NullLogger<BatchCommitter>.Instance);

        var units = Enumerable.Range(0, 5).Select(i => committer.CommitAsync((batch, ct) =>
        {
            _ledger.ChargeInBatch(batch, ws.Id, reservation, 1, $"unit {i}", null);
            return Task.FromResult(i);
        })).ToList();
        var committed = 0;
        foreach (var unit in units)
        {
            try { await unit; committed++; }
            catch (InvalidOperationException) { }
        }

        committed.ShouldBe(3);
        await using var check = factory.Create();
        var account = await check.CreditAccounts.AsNoTracking().SingleAsync(a => a.WorkspaceId == ws.Id);
        (account.Charged, account.Reserved, account.Granted - account.Charged - account.Reserved).ShouldBe((3L, 0L, 7L));
        (await check.LedgerEntries.AsNoTracking().CountAsync(e => e.ReservationId == reservation && e.Kind == LedgerKinds.Charge)).ShouldBe(3);
    }
}

public sealed class BatchCommitterTests_Sqlite(SqliteApp app) : BatchCommitterTests(app), IClassFixture<SqliteApp>;

public sealed class BatchCommitterTests_Postgres(PostgresApp app) : BatchCommitterTests(app), IClassFixture<PostgresApp>, IPostgresTests;
