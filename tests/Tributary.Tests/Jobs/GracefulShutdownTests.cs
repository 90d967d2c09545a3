using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Jobs;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Jobs;

/// <summary>DESIGN §12: on SIGTERM the server stops claiming, finishes what runs within ShutdownTimeoutSeconds, gives the rest back.</summary>
[Collection(ServerProcessCollection.Name)]
public sealed class GracefulShutdownTests
{
    private const string Token = "shutdown-admin-token-0123456789";

    [Fact]
    public async Task Sigterm_finishes_the_items_in_flight_gives_back_the_rest_and_a_restart_charges_each_once()
    {
        const int records = 6;
        await using var fake = new FakeProviders(new Dictionary<string, FakeProviderSpec>
        {
            ["slow"] = new()
            {
                Channels = ["work_email"], LatencyMs = 1500,
                People = Enumerable.Range(0, records).Select(i => new Dictionary<string, object?>
                {
                    ["linkedin_url"] = $"https://www.linkedin.com/in/shutdown-{i}", ["work_email"] = $"person{i}@shutdown.io",
                }).ToList(),
            },
        });
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var config = new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                Providers = new { slow = new { Type = "http", Url = fake.Url("slow"), Channels = new[] { "work_email" }, TimeoutMs = 10_000 } },
                Waterfall = new { work_email = new[] { "slow" } },
                Jobs = new { Workers = 2, PollIntervalMs = 50 },
                ShutdownTimeoutSeconds = 20,
            },
        };
        var dir = Directory.CreateTempSubdirectory("tributary-shutdown-").FullName;
        Guid job;
        string key;
        await using (var first = await ServerProcess.StartAsync("Production", configFile: config, workingDirectory: dir))
        {
            using var admin = first.Client(Token);
            var workspace = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "shutdown" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
            key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/keys",
                new { permissions = new[] { "write:enrich", "read:credits" } })).ShouldBeOk(201)).GetProperty("key").GetString()!;
            (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/credits", new { amount = 100 })).EnsureSuccessStatusCode();
            using var client = first.Client(key);
            var items = Enumerable.Range(0, records).Select(i => new { linkedin_url = $"https://www.linkedin.com/in/shutdown-{i}" }).ToArray();
            job = (await (await client.PostAsJsonAsync("/v1/jobs", new { records = items, channels = new[] { "work_email" } })).ShouldBeOk(202))
                .GetProperty("data").GetProperty("id").GetGuid();
            await Polling.UntilAsync(() => CountAsync(database, job, JobItemStatus.Running), n => n > 0, "an item running", attempts: 200, delayMs: 25);

            (await first.TerminateAsync(TimeSpan.FromSeconds(30))).ShouldBe(0, first.Output);
        }
        // What ran was finished rather than cut; nothing is left holding a lease of the stopped process.
        (await CountAsync(database, job, JobItemStatus.Running)).ShouldBe(0);
        var done = await CountAsync(database, job, JobItemStatus.Done);
        done.ShouldBeGreaterThanOrEqualTo(1);
        (done + await CountAsync(database, job, JobItemStatus.Pending)).ShouldBe(records);

        await using var second = await ServerProcess.StartAsync("Production", configFile: config, workingDirectory: dir);
        using var again = second.Client(key);
        var finished = await Polling.UntilAsync(async () => (await (await again.GetAsync($"/v1/jobs/{job}")).ShouldBeOk()).GetProperty("data"),
            j => j.GetProperty("status").GetString() == "succeeded", "the job after the restart", attempts: 300, delayMs: 100);
        finished.GetProperty("found").GetInt32().ShouldBe(records);
        finished.GetProperty("credits_charged").GetInt64().ShouldBe(records);
        (await (await again.GetAsync("/v1/credits")).ShouldBeOk()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(100 - records);
        fake.Calls.Count(c => c.Provider == "slow").ShouldBe(records, "no record was asked twice");
    }

    private static async Task<int> CountAsync(TestDatabase database, Guid job, string status)
    {
        await using var db = new TributaryDbFactory(database.Options).Create();
        return await db.JobItems.CountAsync(i => i.JobId == job && i.Status == status);
    }
}
