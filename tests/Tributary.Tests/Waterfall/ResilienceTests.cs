using System.Diagnostics;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Waterfall;

/// <summary>Each channel has a provider that misbehaves in one way, then one that answers.</summary>
public sealed class MisbehavingProvidersApp() : WaterfallApp(DatabaseProvider.Sqlite,
    new Dictionary<string, FakeProviderSpec>
    {
        ["broken"] = new() { Channels = ["work_email"], FailWith = 500 },
        ["slow"] = new() { Channels = ["phone"], LatencyMs = 3000, People = [P("sam")] },
        ["flaky"] = new() { Channels = ["linkedin_url"], FailWith = 503 },
        ["busy"] = new() { Channels = ["job_title"], People = [P("ann")], RetryAfterSeconds = 1 },
        ["narrow"] = new() { Channels = ["seniority"], LatencyMs = 250, People = [P("c0"), P("c1"), P("c2"), P("c3"), P("c4"), P("c5")] },
        ["junk"] = new() { Channels = ["personal_email"], People = [new() { ["email"] = "sam@resilience.io", ["personal_email"] = "sam@mailinator.com" }] },
        ["backup"] = new() { Channels = ["work_email", "phone", "linkedin_url", "job_title", "personal_email"], People = [P("sam"), P("kim"), P("lee"), P("max"), P("ann")] },
    },
    new Dictionary<string, string[]>
    {
        ["work_email"] = ["broken", "backup"],
        ["phone"] = ["slow", "backup"],
        ["linkedin_url"] = ["flaky", "backup"],
        ["job_title"] = ["busy", "backup"],
        ["seniority"] = ["narrow"],
        ["personal_email"] = ["junk", "backup"],
    },
    new Dictionary<string, object>
    {
        ["Tributary:Providers:slow:TimeoutMs"] = 300,
        ["Tributary:Providers:slow:Retries"] = 0,
        ["Tributary:Providers:broken:Retries"] = 1,
        ["Tributary:Providers:flaky:Retries"] = 0,
        ["Tributary:Providers:flaky:CircuitMinimumThroughput"] = 2,
        ["Tributary:Providers:flaky:CircuitBreakSeconds"] = 60,
        ["Tributary:Providers:narrow:MaxConcurrency"] = 2,
    })
{
    public static Dictionary<string, object?> P(string who) => new()
    {
        ["email"] = $"{who}@resilience.io", ["work_email"] = $"{who}@resilience.io", ["phone"] = "+14155238841",
        ["linkedin_url"] = $"https://www.linkedin.com/in/{who}", ["job_title"] = "Engineer", ["seniority"] = "senior",
        ["personal_email"] = $"{who}.home@inbox.example",
    };
}

public sealed class ResilienceTests(MisbehavingProvidersApp app) : IClassFixture<MisbehavingProvidersApp>
{
    private async Task<System.Text.Json.JsonElement> Enrich(TestWorkspace ws, string who, params string[] channels)
    {
        using var client = ws.Client();
        return await (await client.PostJson("/enrichment", new { email = $"{who}@resilience.io", channels })).ShouldBeOk();
    }

    [Fact]
    public async Task A_provider_answering_errors_is_retried_then_skipped()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        var before = app.Fakes.Count("broken");
        var body = await Enrich(ws, "sam", "work_email");
        body.GetProperty("channels").GetProperty("work_email").GetProperty("source").GetString().ShouldBe("backup");
        (app.Fakes.Count("broken") - before).ShouldBe(2); // the call and one retry
    }

    [Fact]
    public async Task A_provider_that_times_out_is_skipped()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        var watch = Stopwatch.StartNew();
        var body = await Enrich(ws, "kim", "phone");
        watch.Stop();
        body.GetProperty("channels").GetProperty("phone").GetProperty("source").GetString().ShouldBe("backup");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromMilliseconds(2500));
    }

    [Fact]
    public async Task An_open_circuit_skips_the_provider_without_calling_it()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        foreach (var who in new[] { "sam", "kim" }) await Enrich(ws, who, "linkedin_url");
        var calls = app.Fakes.Count("flaky");
        var body = await Enrich(ws, "lee", "linkedin_url");
        body.GetProperty("channels").GetProperty("linkedin_url").GetProperty("source").GetString().ShouldBe("backup");
        app.Fakes.Count("flaky").ShouldBe(calls);

        using var client = ws.Client();
        var response = await client.PostJson("/enrichment", new { email = "max@resilience.io", channels = new[] { "linkedin_url" } });
        var trace = (await (await client.GetAsync($"/v1/enrichments/{response.Headers.GetValues("X-Enrichment-Id").Single()}/trace")).Json()).GetProperty("data");
        var step = trace.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("provider").GetString() == "flaky");
        step.GetProperty("outcome").GetString().ShouldBe("failed");
        step.GetProperty("detail").GetString().ShouldBe("circuit open");
    }

    [Fact]
    public async Task A_429_is_retried_after_its_retry_after()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        app.Fakes.Specs["busy"].TooManyRequestsFirst = 1;
        var before = app.Fakes.Count("busy");
        var watch = Stopwatch.StartNew();
        var body = await Enrich(ws, "ann", "job_title");
        watch.Stop();
        body.GetProperty("channels").GetProperty("job_title").GetProperty("source").GetString().ShouldBe("busy");
        (app.Fakes.Count("busy") - before).ShouldBe(2);
        var calls = app.Fakes.Calls.Where(c => c.Provider == "busy").TakeLast(2).ToList();
        (calls[1].At - calls[0].At).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task Calls_to_one_provider_never_exceed_its_concurrency_limit()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var runs = Enumerable.Range(0, 6).Select(i => Enrich(ws, $"c{i}", "seniority"));
        var bodies = await Task.WhenAll(runs);
        bodies.ShouldAllBe(b => b.GetProperty("channels").GetProperty("seniority").GetProperty("value").GetString() == "senior");
        app.Fakes.MaxInFlight("narrow").ShouldBe(2);
    }

    [Fact]
    public async Task An_email_that_fails_verification_is_never_found()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var admin = app.Admin();
        (await admin.PatchJson($"/admin/workspaces/{ws.Id}", new { personal_email_consent = true })).EnsureSuccessStatusCode();
        var body = await Enrich(ws, "sam", "personal_email");
        var email = body.GetProperty("channels").GetProperty("personal_email");
        email.GetProperty("source").GetString().ShouldBe("backup");
        using var client = ws.Client();
        var response = await client.PostJson("/enrichment", new { email = "sam@resilience.io", channels = new[] { "personal_email" }, force = true });
        var trace = (await (await client.GetAsync($"/v1/enrichments/{response.Headers.GetValues("X-Enrichment-Id").Single()}/trace")).Json()).GetProperty("data");
        var junk = trace.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("provider").GetString() == "junk");
        junk.GetProperty("outcome").GetString().ShouldBe("rejected");
        junk.GetProperty("rejected")[0].GetProperty("reason").GetString()!.ShouldContain("disposable");
    }
}
