using System.Net.Http.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>A vendor's quota and its usage figures held by two server processes on one PostgreSQL database (DESIGN §5.4).</summary>
[Collection(ServerProcessCollection.Name)]
public sealed class VendorTwoProcessTests : IPostgresTests
{
    private const string Token = "vendor-two-admin-token-0123";

    [DbFact]
    public async Task A_daily_limit_holds_across_two_processes_and_each_shows_the_calls_of_both()
    {
        await using var fakes = new VendorFakes();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var config = new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                Providers = new { hunter = new { Type = "hunter", ApiKey = VendorFakes.GoodKey, BaseUrl = fakes.BaseUrl, DailyLimit = 3 } },
                Waterfall = new { work_email = new[] { "hunter" } },
            },
        };
        await using var a = await ServerProcess.StartAsync("Production", configFile: config);
        await using var b = await ServerProcess.StartAsync("Production", configFile: config);
        using var adminA = a.Client(Token);
        var ws = (await (await adminA.PostAsJsonAsync("/admin/workspaces", new { name = "two" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var key = (await (await adminA.PostAsJsonAsync($"/admin/workspaces/{ws}/keys", new { permissions = new[] { "write:enrich" } })).ShouldBeOk(201))
            .GetProperty("key").GetString()!;
        (await adminA.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = 100 })).EnsureSuccessStatusCode();
        using var clientA = a.Client(key);
        using var clientB = b.Client(key);

        var found = 0;
        for (var i = 0; i < 8; i++)
        {
            var body = await (await (i % 2 == 0 ? clientA : clientB).PostAsJsonAsync("/enrichment",
                new { first_name = "Ada", last_name = $"twoproc{i}", company_domain = VendorFakes.Domain, channels = new[] { "work_email" } })).ShouldBeOk();
            if (body.GetProperty("channels").GetProperty("work_email").ValueKind == System.Text.Json.JsonValueKind.Object) found++;
        }

        // Three calls in all, whichever process made them; the other five requests skipped the spent provider.
        fakes.Count("hunter", "/v2/email-finder").ShouldBe(3);
        found.ShouldBe(3);
        using var adminB = b.Client(Token);
        // Process A's counts reach the shared table within a second; B reads the sum of both.
        var today = await Polling.UntilAsync(async () => (await (await adminB.GetAsync("/admin/providers")).ShouldBeOk()).GetProperty("providers")[0].GetProperty("today"),
            t => t.GetProperty("calls").GetInt64() == 3, "usage of both processes", delayMs: 100);
        today.GetProperty("cost").GetDecimal().ShouldBe(3m);
    }

    [DbFact]
    public async Task An_apollo_phone_hook_received_by_one_process_reaches_the_item_waiting_in_the_other()
    {
        await using var fakes = new VendorFakes();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var config = new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                Jobs = new { Workers = 4, ItemDeadlineMs = 120_000, PollIntervalMs = 50 },
                Providers = new { apollo = new { Type = "apollo", ApiKey = VendorFakes.GoodKey, BaseUrl = fakes.BaseUrl, PhoneWebhookUrl = "https://tributary.test" } },
                Waterfall = new { phone = new[] { "apollo" } },
            },
        };
        await using var a = await ServerProcess.StartAsync("Production", configFile: config);
        using var adminA = a.Client(Token);
        var ws = (await (await adminA.PostAsJsonAsync("/admin/workspaces", new { name = "hook" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var key = (await (await adminA.PostAsJsonAsync($"/admin/workspaces/{ws}/keys", new { permissions = new[] { "write:enrich", "read:enrich" } })).ShouldBeOk(201))
            .GetProperty("key").GetString()!;
        (await adminA.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = 100 })).EnsureSuccessStatusCode();
        using var clientA = a.Client(key);
        var job = (await (await clientA.PostAsJsonAsync("/v1/jobs", new
        {
            records = new[] { new { first_name = "Ada", last_name = "twohook", company_domain = VendorFakes.Domain } }, channels = new[] { "phone" },
        })).ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();

        // Process A's worker asked Apollo (no other process was running); the hook then lands on process B.
        await fakes.PhoneRevealsAsked(1);
        await using var b = await ServerProcess.StartAsync("Production", configFile: config);
        using var hookClient = b.Client();
        (await fakes.PostPhonesAsync(hookClient, VendorFakes.ApolloPersonId("twohook"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);

        var done = await Polling.UntilAsync(async () =>
            {
                a.HasExited.ShouldBeFalse($"process A exited: {a.Output}");
                return (await (await clientA.GetAsync($"/v1/jobs/{job}")).ShouldBeOk()).GetProperty("data");
            },
            j => j.GetProperty("status").GetString() is "succeeded" or "failed", "the job", attempts: 600, delayMs: 50);
        done.GetProperty("status").GetString().ShouldBe("succeeded");
        done.GetProperty("credits_charged").GetInt64().ShouldBe(10);
        var line = System.Text.Json.JsonDocument.Parse((await clientA.GetStringAsync($"/v1/jobs/{job}/results")).Trim()).RootElement;
        line.GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe(VendorFakes.ApolloMobile);
        line.GetProperty("timed_out").GetBoolean().ShouldBeFalse();
    }
}
