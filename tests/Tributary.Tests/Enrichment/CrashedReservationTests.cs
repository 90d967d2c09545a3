using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Enrichment;

/// <summary>DESIGN §6: no reservation outlives its owner — a process killed mid-request gives its credits back.</summary>
[Collection(ServerProcessCollection.Name)]
public abstract class CrashedReservationTests(DatabaseProvider provider)
{
    private const string Token = "crash-admin-token-0123456789";

    [DbFact]
    public async Task Credits_reserved_by_a_killed_process_come_back_after_a_restart()
    {
        const int requests = 20;
        await using var fake = new FakeProviders(new Dictionary<string, FakeProviderSpec>
        {
            ["hanging"] = new() { Channels = ["work_email", "phone"], LatencyMs = 60_000 },
        });
        await using var database = await TestDatabase.CreateAsync(provider);
        var config = new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                Providers = new { hanging = new { Type = "http", Url = fake.Url("hanging"), Channels = new[] { "work_email", "phone" }, TimeoutMs = 60_000 } },
                Waterfall = new { work_email = new[] { "hanging" }, phone = new[] { "hanging" } },
                SyncDeadlineMs = 4000,
                Credits = new { ReservationGraceSeconds = 1, SweepIntervalSeconds = 1 },
            },
        };
        var dir = Directory.CreateTempSubdirectory("tributary-reservations-").FullName;

        Guid workspace;
        await using (var first = await ServerProcess.StartAsync("Production", configFile: config, workingDirectory: dir))
        {
            using var admin = first.Client(Token);
            workspace = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "crash" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
            var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/keys",
                new { permissions = new[] { "write:enrich", "read:credits" } })).ShouldBeOk(201)).GetProperty("key").GetString()!;
            (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/credits", new { amount = 1000 })).EnsureSuccessStatusCode();
            using var client = first.Client(key);
            var pending = Enumerable.Range(0, requests).Select(i => client.PostAsJsonAsync("/enrichment",
                new { linkedin_url = $"https://www.linkedin.com/in/crash-{i}", channels = new[] { "work_email", "phone" } })).ToList();
            await Polling.UntilAsync(() => ReservedAsync(database, workspace), r => r == requests * 11,
                "every request reserving its credits", attempts: 300, delayMs: 100);
            await first.StopAsync(); // SIGKILL while all of them wait on the provider
            foreach (var request in pending)
                await Should.ThrowAsync<HttpRequestException>(request);
        }
        (await ReservedAsync(database, workspace)).ShouldBe(requests * 11);

        await using var second = await ServerProcess.StartAsync("Production", configFile: config, workingDirectory: dir);
        await Polling.UntilAsync(() => ReservedAsync(database, workspace), r => r == 0,
            "releasing the expired reservations", attempts: 300, delayMs: 100);
        await using var db = new TributaryDbFactory(database.Options).Create();
        var account = await db.CreditAccounts.SingleAsync(a => a.WorkspaceId == workspace);
        (account.Granted - account.Charged - account.Reserved).ShouldBe(1000);
        (await db.LedgerEntries.CountAsync(e => e.WorkspaceId == workspace && e.Kind == "release")).ShouldBe(requests);
        (await db.CreditReservations.CountAsync(r => r.WorkspaceId == workspace && r.ClosedAt == null)).ShouldBe(0);
    }

    private static async Task<long> ReservedAsync(TestDatabase database, Guid workspace)
    {
        await using var db = new TributaryDbFactory(database.Options).Create();
        return await db.CreditAccounts.Where(a => a.WorkspaceId == workspace).Select(a => a.Reserved).FirstOrDefaultAsync();
    }
}

public sealed class CrashedReservationTests_Sqlite() : CrashedReservationTests(DatabaseProvider.Sqlite);

public sealed class CrashedReservationTests_Postgres() : CrashedReservationTests(DatabaseProvider.Postgres), IPostgresTests;
