using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tributary.Core.Credits;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Credits;

public abstract class LedgerTests(TributaryApp app)
{
    private readonly Ledger _ledger = new(TimeProvider.System);

    [DbFact]
    public async Task Concurrent_spenders_never_overspend()
    {
        const int spenders = 200;
        const int available = 150;
        var ws = await app.CreateWorkspaceAsync(credits: available);
        var factory = new TributaryDbFactory(app.Database.Options);

        var outcomes = await RaceAsync(spenders, _ => factory, ws.Id, amount: 1);

        outcomes.Count(o => o is ReserveOutcome.Reserved).ShouldBe(available);
        outcomes.Count(o => o is ReserveOutcome.Insufficient).ShouldBe(spenders - available);
        await ShouldReconcileAsync(ws.Id, granted: available, expectedBalance: 0);
    }

    [DbFact]
    public async Task Concurrent_spenders_asking_more_than_one_credit_take_only_what_fits()
    {
        const int spenders = 200;
        var ws = await app.CreateWorkspaceAsync(credits: 301);
        var factory = new TributaryDbFactory(app.Database.Options);

        var outcomes = await RaceAsync(spenders, _ => factory, ws.Id, amount: 3);

        outcomes.Count(o => o is ReserveOutcome.Reserved).ShouldBe(100);
        await ShouldReconcileAsync(ws.Id, granted: 301, expectedBalance: 1);
    }

    /// <summary>Charges <paramref name="amount"/> of a job's reservation the way job items do: in a commit batch.</summary>
    private async Task ChargeAsync(BatchCommitter committer, Guid workspaceId, Guid reservation, long amount, string reason) =>
        await committer.CommitAsync((batch, _) =>
        {
            _ledger.ChargeInBatch(batch, workspaceId, reservation, amount, reason, null);
            return Task.FromResult(0);
        });

    [DbFact]
    public async Task Reserve_charge_release_reconciles_and_release_is_idempotent()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        await using var committer = new BatchCommitter(new TributaryDbFactory(app.Database.Options), NullLogger<BatchCommitter>.Instance);
        await using var db = app.NewDb();
        var reserved = (ReserveOutcome.Reserved)await _ledger.ReserveAsync(db, ws.Id, 20, "job", Guid.NewGuid());
        (await _ledger.GetBalanceAsync(db, ws.Id)).ShouldBe(new CreditBalance(30, 20, 50, 0));

        await ChargeAsync(committer, ws.Id, reserved.ReservationId, 7, "found work_email");
        await Should.ThrowAsync<Exception>(() => ChargeAsync(committer, ws.Id, reserved.ReservationId, 14, "more than is left"));
        (await _ledger.ReleaseAsync(db, reserved.ReservationId, "job done")).ShouldBe(13);
        (await _ledger.ReleaseAsync(db, reserved.ReservationId, "job done again")).ShouldBe(0);
        await Should.ThrowAsync<Exception>(() => ChargeAsync(committer, ws.Id, reserved.ReservationId, 1, "after release"));

        await ShouldReconcileAsync(ws.Id, granted: 50, expectedBalance: 43);
        var kinds = await db.LedgerEntries.Where(e => e.WorkspaceId == ws.Id).OrderBy(e => e.Seq).Select(e => e.Kind + ":" + e.Amount).ToListAsync();
        kinds.ShouldBe(["grant:50", "reserve:20", "charge:7", "release:13"]);

        (await _ledger.ReserveAsync(db, ws.Id, 44, "too much")).ShouldBe(new ReserveOutcome.Insufficient(44, 43));
    }

    [DbFact]
    public async Task A_settlement_whose_unit_fails_after_it_charged_leaves_no_trace()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        await using var committer = new BatchCommitter(new TributaryDbFactory(app.Database.Options), NullLogger<BatchCommitter>.Instance);
        await using var db = app.NewDb();
        var reserved = (ReserveOutcome.Reserved)await _ledger.ReserveAsync(db, ws.Id, 5, "request");
        await Should.ThrowAsync<InvalidOperationException>(() => committer.CommitAsync<long>(async (batch, ct) =>
        {
            (await _ledger.SettleInBatchAsync(batch, reserved.ReservationId, 3, "found", null, ct)).ShouldBe(3);
            throw new InvalidOperationException("the write-back failed after the charge");
        }));
        db.ChangeTracker.Clear();
        await ShouldReconcileAsync(ws.Id, granted: 10, expectedBalance: 5);
        var reservation = await db.CreditReservations.AsNoTracking().SingleAsync(r => r.Id == reserved.ReservationId);
        (reservation.Remaining, reservation.ClosedAt).ShouldBe((5, null));

        // Settled for real, it charges and releases the rest once.
        (await committer.CommitAsync((batch, ct) => _ledger.SettleInBatchAsync(batch, reserved.ReservationId, 3, "found", null, ct))).ShouldBe(3);
        await ShouldReconcileAsync(ws.Id, granted: 10, expectedBalance: 7);
    }

    [DbFact]
    public async Task The_database_itself_refuses_a_negative_balance()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 5);
        await using var db = app.NewDb();
        var bypass = () => db.CreditAccounts.Where(a => a.WorkspaceId == ws.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Charged, 6L));
        await Should.ThrowAsync<Exception>(bypass);
        await ShouldReconcileAsync(ws.Id, granted: 5, expectedBalance: 5);
    }

    protected static async Task<ReserveOutcome[]> RaceAsync(int spenders, Func<int, TributaryDbFactory> factoryFor, Guid workspaceId, long amount)
    {
        var ledger = new Ledger(TimeProvider.System);
        using var start = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, spenders).Select(i => Task.Run(async () =>
        {
            start.Wait();
            await using var db = factoryFor(i).Create();
            return await ledger.ReserveAsync(db, workspaceId, amount, $"spender {i}");
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    /// <summary>granted = balance + charged + reserved, and the ledger entries add up to the account's totals.</summary>
    protected async Task ShouldReconcileAsync(Guid workspaceId, long granted, long expectedBalance)
    {
        await using var db = app.NewDb();
        var account = await db.CreditAccounts.AsNoTracking().SingleAsync(a => a.WorkspaceId == workspaceId);
        var balance = account.Granted - account.Charged - account.Reserved;
        balance.ShouldBe(expectedBalance);
        account.Granted.ShouldBe(granted);
        var entries = await db.LedgerEntries.AsNoTracking().Where(e => e.WorkspaceId == workspaceId).ToListAsync();
        long Sum(string kind) => entries.Where(e => e.Kind == kind).Sum(e => e.Amount);
        Sum(LedgerKinds.Grant).ShouldBe(account.Granted);
        Sum(LedgerKinds.Charge).ShouldBe(account.Charged);
        (Sum(LedgerKinds.Reserve) - Sum(LedgerKinds.Charge) - Sum(LedgerKinds.Release)).ShouldBe(account.Reserved);
        var open = await db.CreditReservations.AsNoTracking().Where(r => r.WorkspaceId == workspaceId).SumAsync(r => r.Remaining);
        open.ShouldBe(account.Reserved);
    }
}

public sealed class LedgerTests_Sqlite(SqliteApp app) : LedgerTests(app), IClassFixture<SqliteApp>;

public sealed class LedgerTests_Postgres(PostgresApp app) : LedgerTests(app), IClassFixture<PostgresApp>, IPostgresTests
{
    private readonly PostgresApp _app = app;

    /// <summary>Two connection pools, as two server processes on one database would have.</summary>
    [DbFact]
    public async Task Spenders_on_two_connection_pools_never_overspend()
    {
        const int spenders = 200;
        var ws = await _app.CreateWorkspaceAsync(credits: 120);
        var pools = new[] { "tributary-a", "tributary-b" }.Select(name => new TributaryDbFactory(new DatabaseOptions
        {
            Provider = DatabaseProvider.Postgres,
            ConnectionString = new NpgsqlConnectionStringBuilder(_app.Database.ConnectionString) { ApplicationName = name, MaxPoolSize = 40 }.ToString(),
        })).ToArray();

        var outcomes = await RaceAsync(spenders, i => pools[i % 2], ws.Id, amount: 1);

        outcomes.Count(o => o is ReserveOutcome.Reserved).ShouldBe(120);
        await ShouldReconcileAsync(ws.Id, granted: 120, expectedBalance: 0);
    }
}
