using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Enrichment;

/// <summary>Two server processes on one PostgreSQL database: what one does, the other sees (DESIGN §3, §6, §8).</summary>
[Collection(ServerProcessCollection.Name)]
public sealed class TwoProcessTests : IPostgresTests
{
    private const string Token = "two-admin-token-0123456789";

    private static object Config(FakeProviders fake, TestDatabase db) => new
    {
        Tributary = new
        {
            AdminToken = Token,
            Database = new { Provider = db.Provider.ToString(), db.ConnectionString },
            Verification = new { CheckMx = false },
            Providers = new { vendor = new { Type = "http", Url = fake.Url("vendor"), Channels = new[] { "work_email", "phone" }, TimeoutMs = 20_000, MaxConcurrency = 64 } },
            Waterfall = new { work_email = new[] { "vendor" }, phone = new[] { "vendor" } },
            RateLimits = new { SinglePerMinute = 1_000_000, PerDay = 1_000_000 },
        },
    };

    private static async Task<(Guid Workspace, string Key, Guid KeyId)> WorkspaceAsync(ServerProcess server, long credits)
    {
        using var admin = server.Client(Token);
        var ws = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "two" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var created = await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys",
            new { permissions = new[] { "write:enrich", "read:credits", "read:contacts" } })).ShouldBeOk(201);
        if (credits > 0) (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = credits })).EnsureSuccessStatusCode();
        return (ws, created.GetProperty("key").GetString()!, created.GetProperty("id").GetGuid());
    }

    [DbFact]
    public async Task A_thousand_identical_requests_spread_over_two_processes_run_once_and_charge_once()
    {
        await using var fake = new FakeProviders(new Dictionary<string, FakeProviderSpec>
        {
            ["vendor"] = new()
            {
                Channels = ["work_email", "phone"], LatencyMs = 1500,
                People = [new() { ["linkedin_url"] = "https://www.linkedin.com/in/twin", ["work_email"] = "twin@two.io", ["phone"] = "+14155550199" }],
            },
        });
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var config = Config(fake, database);
        await using var a = await ServerProcess.StartAsync("Production", configFile: config);
        await using var b = await ServerProcess.StartAsync("Production", configFile: config);
        var (workspace, key, _) = await WorkspaceAsync(a, credits: 100);
        using var clientA = a.Client(key);
        using var clientB = b.Client(key);

        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? clientA : clientB).PostAsJsonAsync("/enrichment",
                new { linkedin_url = "https://www.linkedin.com/in/twin", channels = new[] { "work_email", "phone" } });
            return (response.StatusCode, Body: await response.Json());
        }));

        responses.Where(r => r.StatusCode != HttpStatusCode.OK).Select(r => r.Body.ToString()).ShouldBeEmpty();
        responses.ShouldAllBe(r => r.Body.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString() == "twin@two.io");
        responses.Sum(r => r.Body.GetProperty("credits_used").GetInt64()).ShouldBe(11);
        fake.Count("vendor").ShouldBe(1);
        await using var db = new TributaryDbFactory(database.Options).Create();
        (await db.Contacts.CountAsync(c => c.WorkspaceId == workspace)).ShouldBe(1);
        (await db.LedgerEntries.Where(e => e.WorkspaceId == workspace && e.Kind == "charge").SumAsync(e => e.Amount)).ShouldBe(11);
        (await db.CreditAccounts.SingleAsync(c => c.WorkspaceId == workspace)).Reserved.ShouldBe(0);
    }

    [DbFact]
    public async Task A_key_revoked_on_one_process_is_refused_by_the_other_within_a_second()
    {
        await using var fake = new FakeProviders(new Dictionary<string, FakeProviderSpec> { ["vendor"] = new() { Channels = ["work_email"] } });
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var config = Config(fake, database);
        await using var a = await ServerProcess.StartAsync("Production", configFile: config);
        await using var b = await ServerProcess.StartAsync("Production", configFile: config);
        var (workspace, key, keyId) = await WorkspaceAsync(a, credits: 0);
        using var clientA = a.Client(key);
        using var clientB = b.Client(key);
        (await clientA.GetAsync("/v1/credits")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clientB.GetAsync("/v1/credits")).StatusCode.ShouldBe(HttpStatusCode.OK); // b now holds the key in memory

        using var admin = a.Client(Token);
        (await admin.DeleteAsync($"/admin/workspaces/{workspace}/keys/{keyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var revokedAt = DateTime.UtcNow;
        await (await clientA.GetAsync("/v1/credits")).ShouldBeError(401, "invalid_key"); // at once where it was revoked

        // The other process refuses it within a second: ask it until it does, and see how long that took.
        while ((await clientB.GetAsync("/v1/credits")).StatusCode == HttpStatusCode.OK)
        {
            (DateTime.UtcNow - revokedAt).ShouldBeLessThan(TimeSpan.FromSeconds(1.5));
            await Task.Delay(50);
        }
        (DateTime.UtcNow - revokedAt).ShouldBeLessThan(TimeSpan.FromSeconds(1.5));
        await (await clientB.GetAsync("/v1/credits")).ShouldBeError(401, "invalid_key");
    }
}
