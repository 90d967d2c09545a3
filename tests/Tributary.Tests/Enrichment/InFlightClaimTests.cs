using Microsoft.EntityFrameworkCore;
using Tributary.Core.Enrichment;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Enrichment;

/// <summary>In-flight claims live in the database only on PostgreSQL, where several processes share it.</summary>
public sealed class InFlightClaimTests_Postgres(PostgresApp app) : IClassFixture<PostgresApp>, IPostgresTests
{
    [DbFact]
    public async Task A_renewal_extends_the_lease_and_does_not_wait_for_the_settlement_ending_the_claims()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 0);
        var inFlight = new InFlightWork(new TributaryDbFactory(app.Database.Options), TimeProvider.System);
        var run = inFlight.Begin(Guid.CreateVersion7(), ws.Id);
        (await inFlight.TryClaimAllAsync(run, ["email:ada@example.com"], ["phone", "job_title"], CancellationToken.None)).ShouldBeTrue();
        var claimed = await LeasesAsync(run.Id);

        await inFlight.RenewAsync(run, CancellationToken.None);
        var renewed = await LeasesAsync(run.Id);
        renewed.Count.ShouldBe(2);
        renewed.ShouldAllBe(l => l > claimed.Max());

        // The run's settlement has deleted its claims and not yet committed: a renewal skips the locked rows instead of
        // holding a connection until that commit.
        await using var settlement = app.NewDb();
        await using var tx = await settlement.Database.BeginTransactionAsync();
        (await InFlightWork.EndInAsync(settlement, run, CancellationToken.None)).ShouldBe(2);
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await inFlight.RenewAsync(run, quick.Token);
        await tx.CommitAsync();
        (await LeasesAsync(run.Id)).ShouldBeEmpty();
    }

    private async Task<List<DateTime>> LeasesAsync(Guid owner)
    {
        await using var db = app.NewDb();
        return await db.InFlightClaims.AsNoTracking().Where(c => c.Owner == owner).Select(c => c.LeaseExpiresAt).ToListAsync();
    }
}
