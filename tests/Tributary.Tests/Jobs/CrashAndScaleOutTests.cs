using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Jobs;

/// <summary>Real server processes killed mid-job and running side by side on one database.</summary>
[Collection(ServerProcessCollection.Name)]
public abstract class CrashAndScaleOutTests(DatabaseProvider provider)
{
    private const string Token = "jobs-admin-token-0123456789";

    private static FakeProviders Vendor(int people, int latencyMs) => new(new Dictionary<string, FakeProviderSpec>
    {
        ["vendor"] = new()
        {
            Channels = ["work_email"],
            LatencyMs = latencyMs,
            People = Enumerable.Range(0, people).Select(i => new Dictionary<string, object?>
            {
                ["linkedin_url"] = $"https://www.linkedin.com/in/p-{i}", ["work_email"] = $"p{i}@scale.io",
            }).ToList(),
        },
    });

    private static object Config(FakeProviders fake, TestDatabase db, int workers, int leaseSeconds, int maxConcurrency) => new
    {
        Tributary = new
        {
            AdminToken = Token,
            Database = new { Provider = db.Provider.ToString(), db.ConnectionString },
            Verification = new { CheckMx = false },
            Providers = new { vendor = new { Type = "http", Url = fake.Url("vendor"), Channels = new[] { "work_email" }, TimeoutMs = 5000, MaxConcurrency = maxConcurrency } },
            Waterfall = new { work_email = new[] { "vendor" } },
            Jobs = new { Workers = workers, LeaseSeconds = leaseSeconds, PollIntervalMs = 50, BatchSize = 8 },
        },
    };

    private static async Task<(Guid Workspace, HttpClient Client)> SetUpAsync(ServerProcess server, long credits)
    {
        using var admin = server.Client(Token);
        var ws = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "jobs" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys",
            new { permissions = new[] { "write:enrich", "read:enrich", "read:credits" } })).ShouldBeOk(201)).GetProperty("key").GetString()!;
        (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = credits })).EnsureSuccessStatusCode();
        return (ws, server.Client(key));
    }

    private static async Task<Guid> SubmitAsync(HttpClient client, int from, int count)
    {
        var records = Enumerable.Range(from, count).Select(i => new { linkedin_url = $"https://www.linkedin.com/in/p-{i}" }).ToArray();
        var job = await (await client.PostAsJsonAsync("/v1/jobs", new { records, channels = new[] { "work_email" } })).ShouldBeOk(202);
        return job.GetProperty("data").GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, Guid job, Func<JsonElement, bool> until, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var view = (await (await client.GetAsync($"/v1/jobs/{job}")).Json()).GetProperty("data");
                if (until(view)) return view;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("the job did not get there in time");
    }

    [DbFact]
    public async Task A_server_killed_mid_job_loses_nothing_and_charges_nothing_twice()
    {
        const int items = 1000;
        await using var fake = Vendor(items, latencyMs: 25);
        await using var database = await TestDatabase.CreateAsync(provider);
        var dir = Directory.CreateTempSubdirectory("tributary-crash-").FullName;
        var config = Config(fake, database, workers: 16, leaseSeconds: 3, maxConcurrency: 16);

        Guid workspace, job;
        await using (var first = await ServerProcess.StartAsync("Production", configFile: config, workingDirectory: dir))
        {
            (workspace, var client) = await SetUpAsync(first, credits: 5000);
            job = await SubmitAsync(client, 0, items);
            await WaitAsync(client, job, v => v.GetProperty("processed").GetInt32() >= 300, TimeSpan.FromMinutes(2));
            await first.StopAsync(); // SIGKILL: no graceful shutdown, leases left behind
        }
        var processedAtKill = await CountAsync(database, $"SELECT COUNT(*) FROM job_items WHERE status = 'done'");
        processedAtKill.ShouldBeLessThan(items);

        await using var second = await ServerProcess.StartAsync("Production", configFile: config, workingDirectory: dir);
        using var admin = second.Client(Token);
        var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/keys",
            new { permissions = new[] { "read:enrich", "read:credits" } })).Json()).GetProperty("key").GetString()!;
        using var reader = second.Client(key);
        var done = await WaitAsync(reader, job, v => v.GetProperty("status").GetString() == "succeeded", TimeSpan.FromMinutes(3));

        done.GetProperty("processed").GetInt32().ShouldBe(items);
        done.GetProperty("found").GetInt32().ShouldBe(items);
        done.GetProperty("credits_charged").GetInt64().ShouldBe(items);
        (await CountAsync(database, "SELECT COUNT(*) FROM job_items WHERE status = 'done'")).ShouldBe(items);
        (await CountAsync(database, "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'charge'")).ShouldBe(items);
        (await CountAsync(database, "SELECT COUNT(DISTINCT enrichment_id) FROM ledger_entries WHERE kind = 'charge'")).ShouldBe(items);
        (await CountAsync(database, "SELECT COALESCE(SUM(charged), 0) FROM job_items")).ShouldBe(items);
        (await CountAsync(database, "SELECT granted - charged - reserved FROM credit_accounts")).ShouldBe(5000 - items);
        (await CountAsync(database, "SELECT reserved FROM credit_accounts")).ShouldBe(0);
        (await CountAsync(database, "SELECT COUNT(*) FROM contacts")).ShouldBe(items);
        fake.Count("vendor").ShouldBeGreaterThanOrEqualTo(items);
    }

    /// <summary>One number from the database, read straight from its tables (the test's own fixed SQL).</summary>
    private static async Task<long> CountAsync(TestDatabase database, string sql)
    {
        await using var db = new TributaryDbFactory(database.Options).Create();
        await using var conn = db.Database.GetDbConnection();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    protected static async Task<TimeSpan> TimeJobAsync(ServerProcess submitTo, HttpClient client, int from, int count)
    {
        var watch = Stopwatch.StartNew();
        var job = await SubmitAsync(client, from, count);
        await WaitAsync(client, job, v => v.GetProperty("status").GetString() == "succeeded", TimeSpan.FromMinutes(2));
        return watch.Elapsed;
    }

    protected static Task<FakeProviders> SlowVendor(int people) => Task.FromResult(Vendor(people, latencyMs: 300));
    protected static object ConfigFor(FakeProviders fake, TestDatabase db) => Config(fake, db, workers: 2, leaseSeconds: 30, maxConcurrency: 2);
    protected static Task<(Guid, HttpClient)> SetUp(ServerProcess server, long credits) => SetUpAsync(server, credits);
}

[Collection(ServerProcessCollection.Name)]
public sealed class CrashTests_Sqlite() : CrashAndScaleOutTests(DatabaseProvider.Sqlite);

[Collection(ServerProcessCollection.Name)]
public sealed class CrashAndScaleOutTests_Postgres() : CrashAndScaleOutTests(DatabaseProvider.Postgres), IPostgresTests
{
    [DbFact]
    public async Task Two_processes_share_a_job_without_doing_any_item_twice_and_finish_faster()
    {
        const int items = 40;
        await using var fake = await SlowVendor(items * 2);
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var config = ConfigFor(fake, database);
        await using var a = await ServerProcess.StartAsync("Production", configFile: config);
        var (_, client) = await SetUp(a, credits: 1000);

        var alone = await TimeJobAsync(a, client, 0, items);
        fake.MaxInFlight("vendor").ShouldBe(2); // one process: its provider limit

        await using var b = await ServerProcess.StartAsync("Production", configFile: config);
        var together = await TimeJobAsync(a, client, items, items);

        for (var i = 0; i < items * 2; i++)
        {
            var url = $"https://www.linkedin.com/in/p-{i}";
            fake.CountFor("vendor", q => q["linkedin_url"]?.ToString() == url).ShouldBe(1, $"record {i}");
        }
        // Both processes called the provider at once, and with the provider the bottleneck (2 calls of 300 ms at a time per
        // process) the job took clearly less time.
        fake.MaxInFlight("vendor").ShouldBeGreaterThan(2);
        together.TotalSeconds.ShouldBeLessThan(alone.TotalSeconds * 0.8, $"alone {alone.TotalSeconds:0.00}s, together {together.TotalSeconds:0.00}s");
    }
}
