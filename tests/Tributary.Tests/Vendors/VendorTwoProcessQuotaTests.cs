using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>
/// A vendor's per-second and per-minute quotas held by two server processes on one database and one vendor fake (DESIGN
/// §5.4): the fake's clock of arrivals is the judge, over any window, not only the windows the server counts in.
/// </summary>
public abstract class VendorTwoProcessQuotaTests(DatabaseProvider provider)
{
    private const string Token = "vendor-quota-admin-token-0123";

    private sealed record Servers(ServerProcess A, ServerProcess B, HttpClient ClientA, HttpClient ClientB) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            ClientA.Dispose();
            ClientB.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    private static async Task<Servers> StartTwoAsync(VendorFakes fakes, TestDatabase database, object hunter, int syncDeadlineMs = 25_000)
    {
        var config = new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                SyncDeadlineMs = syncDeadlineMs,
                Providers = new { hunter },
                Waterfall = new { work_email = new[] { "hunter" } },
            },
        };
        var a = await ServerProcess.StartAsync("Production", configFile: config);
        var b = await ServerProcess.StartAsync("Production", configFile: config);
        using var admin = a.Client(Token);
        var ws = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "quota" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys", new { permissions = new[] { "write:enrich", "read:enrich" } })).ShouldBeOk(201))
            .GetProperty("key").GetString()!;
        (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = 100 })).EnsureSuccessStatusCode();
        return new Servers(a, b, a.Client(key), b.Client(key));
    }

    private sealed record Answer(JsonElement Body, JsonElement HunterStep, TimeSpan Took);

    /// <summary><paramref name="count"/> requests at once, alternately to each process, each for a person of its own.</summary>
    private static async Task<List<Answer>> EnrichAtOnceAsync(Servers servers, string prefix, int count) =>
        (await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var client = i % 2 == 0 ? servers.ClientA : servers.ClientB;
            var started = Stopwatch.GetTimestamp();
            var response = await client.PostAsJsonAsync("/enrichment",
                new { first_name = "Ada", last_name = $"{prefix}{i}", company_domain = VendorFakes.Domain, channels = new[] { "work_email" } });
            var took = Stopwatch.GetElapsedTime(started);
            var body = await response.ShouldBeOk();
            var id = response.Headers.GetValues("X-Enrichment-Id").Single();
            var trace = (await (await client.GetAsync($"/v1/enrichments/{id}/trace")).ShouldBeOk()).GetProperty("data").GetProperty("steps");
            return new Answer(body, trace.EnumerateArray().Single(s => s.GetProperty("provider").GetString() == "hunter").Clone(), took);
        }))).ToList();

    private static List<long> Arrivals(VendorFakes fakes) =>
        fakes.Requests.Where(r => r.Vendor == "hunter" && r.Path == "/v2/email-finder").Select(r => r.ReceivedAt).Order().ToList();

    /// <summary>The most arrivals that fall within any span of <paramref name="window"/>, wherever it starts.</summary>
    private static int MostInAnyWindow(List<long> arrivals, TimeSpan window)
    {
        var most = 0;
        for (int first = 0, last = 0; last < arrivals.Count; last++)
        {
            while (Stopwatch.GetElapsedTime(arrivals[first], arrivals[last]) >= window) first++;
            most = Math.Max(most, last - first + 1);
        }
        return most;
    }

    private static string Timeline(List<long> arrivals) =>
        string.Join(", ", arrivals.Select(t => $"{Stopwatch.GetElapsedTime(arrivals[0], t).TotalMilliseconds:0} ms"));

    [DbFact]
    public async Task A_rate_per_second_holds_across_two_processes_in_any_one_second_and_every_call_is_only_delayed()
    {
        await using var fakes = new VendorFakes();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var servers = await StartTwoAsync(fakes, database, new { Type = "hunter", ApiKey = VendorFakes.GoodKey, BaseUrl = fakes.BaseUrl, RatePerSecond = 2 });

        var answers = await EnrichAtOnceAsync(servers, "persecond", 10);

        // Delayed into later seconds, never failed or skipped.
        answers.ShouldAllBe(a => a.HunterStep.GetProperty("outcome").GetString() == "found");
        var arrivals = Arrivals(fakes);
        arrivals.Count.ShouldBe(10);
        MostInAnyWindow(arrivals, TimeSpan.FromSeconds(1)).ShouldBeLessThanOrEqualTo(2, Timeline(arrivals));
    }

    [DbFact]
    public async Task A_rate_per_minute_across_two_processes_lets_three_calls_out_and_delays_the_rest_until_their_deadline()
    {
        await using var fakes = new VendorFakes();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var servers = await StartTwoAsync(fakes, database,
            new { Type = "hunter", ApiKey = VendorFakes.GoodKey, BaseUrl = fakes.BaseUrl, RatePerMinute = 3 }, syncDeadlineMs: 3000);

        var answers = await EnrichAtOnceAsync(servers, "perminute", 5);

        var arrivals = Arrivals(fakes);
        arrivals.Count.ShouldBe(3, Timeline(arrivals));
        answers.Count(a => a.HunterStep.GetProperty("outcome").GetString() == "found").ShouldBe(3);
        // The other two waited for the next minute's room until their run's deadline: a delay cut short, never a skip or a miss.
        var delayed = answers.Where(a => a.HunterStep.GetProperty("outcome").GetString() != "found").ToList();
        delayed.Count.ShouldBe(2);
        foreach (var a in delayed)
        {
            (a.HunterStep.GetProperty("outcome").GetString(), a.HunterStep.GetProperty("detail").GetString()).ShouldBe(("failed", "the request's deadline passed"));
            a.Body.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);
            a.Took.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(2900));
        }
    }
}

[Collection(ServerProcessCollection.Name)]
public sealed class VendorTwoProcessQuotaTests_Sqlite() : VendorTwoProcessQuotaTests(DatabaseProvider.Sqlite);

[Collection(ServerProcessCollection.Name)]
public sealed class VendorTwoProcessQuotaTests_Postgres() : VendorTwoProcessQuotaTests(DatabaseProvider.Postgres), IPostgresTests;
