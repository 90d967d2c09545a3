using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Enrichment;

/// <summary>
/// DESIGN §7: a request with an <c>Idempotency-Key</c> whose process is killed before its settlement is run by the next
/// retry, which takes the claim over once its lease lapses, on another process: one result, one charge, one contact.
/// (A kill after the settlement is covered in-process, from the state it leaves: RateLimitAndIdempotencyTests.)
/// </summary>
[Collection(ServerProcessCollection.Name)]
public abstract class IdempotentCrashTests(DatabaseProvider provider)
{
    private const string Token = "idem-crash-admin-token-0123456789";
    private const string Person = "https://www.linkedin.com/in/idem-crash";

    [DbFact]
    public async Task A_retry_after_the_owner_was_killed_before_settling_runs_once_on_the_next_process()
    {
        await using var fake = new FakeProviders(new Dictionary<string, FakeProviderSpec>
        {
            ["hanging"] = new() { Channels = ["work_email"], LatencyMs = 60_000 },
            ["quick"] = new()
            {
                Channels = ["work_email"],
                People = [new() { ["linkedin_url"] = Person, ["work_email"] = "idem@crash.io" }],
            },
        });
        await using var database = await TestDatabase.CreateAsync(provider);
        object Config(string vendor) => new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                Providers = new Dictionary<string, object> { [vendor] = new { Type = "http", Url = fake.Url(vendor), Channels = new[] { "work_email" }, TimeoutMs = 60_000 } },
                Waterfall = new { work_email = new[] { vendor } },
                SyncDeadlineMs = 4000,
                Credits = new { ReservationGraceSeconds = 1, SweepIntervalSeconds = 1 },
            },
        };
        var body = $$"""{"linkedin_url":"{{Person}}","channels":["work_email"]}""";
        HttpRequestMessage Keyed()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/enrichment") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", "killed-before-settling");
            return request;
        }
        var dir = Directory.CreateTempSubdirectory("tributary-idem-crash-").FullName;

        Guid workspace;
        string key;
        await using (var first = await ServerProcess.StartAsync("Production", configFile: Config("hanging"), workingDirectory: dir))
        {
            using var admin = first.Client(Token);
            workspace = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "idem" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
            key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/keys",
                new { permissions = new[] { "write:enrich", "read:credits" } })).ShouldBeOk(201)).GetProperty("key").GetString()!;
            (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/credits", new { amount = 100 })).EnsureSuccessStatusCode();
            using var client = first.Client(key);
            var running = client.SendAsync(Keyed());
            await Polling.UntilAsync(() => Task.FromResult(fake.Calls.Count(c => c.Provider == "hanging")), calls => calls == 1, "the first request asking the hanging provider",
                attempts: 300, delayMs: 50);
            await first.StopAsync(); // SIGKILL mid-request: the claim stays, with no answer and a lease nobody renews
            await Should.ThrowAsync<HttpRequestException>(running);
        }

        await using var second = await ServerProcess.StartAsync("Production", configFile: Config("quick"), workingDirectory: dir);
        using var retrying = second.Client(key);
        var retry = await retrying.SendAsync(Keyed());
        var answer = await retry.ShouldBeOk();
        answer.GetProperty("credits_used").GetInt64().ShouldBe(1);
        var again = await retrying.SendAsync(Keyed());
        again.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        (await again.Content.ReadAsStringAsync()).ShouldBe(answer.ToString());

        await using var db = new TributaryDbFactory(database.Options).Create();
        await Polling.UntilAsync(() => db.CreditAccounts.AsNoTracking().Where(a => a.WorkspaceId == workspace).Select(a => a.Reserved).FirstAsync(),
            reserved => reserved == 0, "the killed request's reservation released", attempts: 300, delayMs: 100);
        (await db.LedgerEntries.CountAsync(e => e.WorkspaceId == workspace && e.Kind == "charge")).ShouldBe(1);
        (await db.Contacts.CountAsync(c => c.WorkspaceId == workspace)).ShouldBe(1);
        var account = await db.CreditAccounts.AsNoTracking().SingleAsync(a => a.WorkspaceId == workspace);
        (account.Granted - account.Charged - account.Reserved).ShouldBe(99);
    }
}

public sealed class IdempotentCrashTests_Sqlite() : IdempotentCrashTests(DatabaseProvider.Sqlite);

public sealed class IdempotentCrashTests_Postgres() : IdempotentCrashTests(DatabaseProvider.Postgres), IPostgresTests;
