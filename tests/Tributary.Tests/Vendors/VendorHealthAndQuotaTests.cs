using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>Provider health (refused keys, empty accounts, transient failures), the admin list and key check, and quotas.</summary>
public abstract partial class VendorWaterfallTests
{
    [DbFact]
    public async Task A_provider_whose_key_is_refused_is_skipped_as_unhealthy_on_the_next_request()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var before = app.Fakes.Count("hunter");

        var (first, firstTrace) = await Enrich(ws, Person("keyone", "job_title"));
        var failed = Step(firstTrace, "hunter_bad");
        failed.GetProperty("outcome").GetString().ShouldBe("failed");
        failed.GetProperty("detail").GetString()!.ShouldStartWith("bad key");
        first.GetProperty("channels").GetProperty("job_title").GetProperty("source").GetString().ShouldBe("pdl");
        var afterFirst = app.Fakes.Count("hunter");
        (afterFirst - before).ShouldBeGreaterThanOrEqualTo(1);

        var (_, secondTrace) = await Enrich(ws, Person("keytwo", "job_title"));
        var skipped = Step(secondTrace, "hunter_bad");
        skipped.GetProperty("outcome").GetString().ShouldBe("skipped");
        skipped.GetProperty("detail").GetString().ShouldBe("unhealthy: bad key");
        app.Fakes.Requests.Count(r => r.Vendor == "hunter" && r.Header("x-api-key") == "bad-key" && r.Q("last_name") == "keytwo").ShouldBe(0);
    }

    [DbFact]
    public async Task A_vendor_that_failed_transiently_is_asked_again_on_the_next_request_and_nothing_is_cached_as_a_miss()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var before = app.Fakes.Count("pdl");

        var (first, trace) = await Enrich(ws, Person("broken", "location"));
        first.GetProperty("channels").GetProperty("location").ValueKind.ShouldBe(JsonValueKind.Null);
        Step(trace, "pdl_flaky").GetProperty("outcome").GetString().ShouldBe("failed");
        Step(trace, "pdl_flaky").GetProperty("detail").GetString()!.ShouldStartWith("vendor error");
        var afterFirst = app.Fakes.Count("pdl");
        (afterFirst - before).ShouldBe(3); // the first call and its two retries

        var (_, again) = await Enrich(ws, Person("broken", "location"));
        Step(again, "pdl_flaky").GetProperty("outcome").GetString().ShouldBe("failed");
        app.Fakes.Count("pdl").ShouldBeGreaterThan(afterFirst);
        again.EnumerateArray().ShouldNotContain(s => s.GetProperty("outcome").GetString() == "cache_miss");
    }

    private async Task<JsonElement> Check(string name)
    {
        using var admin = app.Admin();
        return await (await admin.PostAsync($"/admin/providers/{name}/check", null)).ShouldBeOk();
    }

    [DbFact]
    public async Task The_admin_list_shows_each_providers_type_role_and_health_and_never_a_key()
    {
        using var admin = app.Admin();
        var response = await admin.GetAsync("/admin/providers");
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldNotContain(VendorFakes.GoodKey);
        text.ShouldNotContain("bad-key");
        var providers = (await response.ShouldBeOk()).GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        providers.Keys.ShouldBe(["hunter", "leadmagic", "pdl", "hunter_bad", "pdl_flaky", "dropcontact", "zerobounce", "neverbounce", "apollo_bad", "hunter_daily", "pdl_paced"], ignoreOrder: true);
        providers["zerobounce"].GetProperty("type").GetString().ShouldBe("zerobounce");
        providers["zerobounce"].GetProperty("verifies").GetBoolean().ShouldBeTrue();
        providers["zerobounce"].GetProperty("channels").GetArrayLength().ShouldBe(0);
        providers["pdl"].GetProperty("verifies").GetBoolean().ShouldBeFalse();
        providers["pdl"].GetProperty("channels").EnumerateArray().Select(c => c.GetString()).ShouldContain("work_email");
    }

    [DbFact]
    public async Task A_check_asks_the_vendors_account_endpoint_and_says_what_is_left()
    {
        (await Check("hunter")).GetProperty("detail").GetString().ShouldBe("searches left 450, verifications left 95");
        (await Check("zerobounce")).GetProperty("detail").GetString().ShouldBe("credits left: 1234");
        (await Check("neverbounce")).GetProperty("detail").GetString().ShouldBe("credits left: 1000");
        (await Check("leadmagic")).GetProperty("outcome").GetString().ShouldBe("ok");
        (await Check("pdl")).GetProperty("outcome").GetString().ShouldBe("not_available");
        app.Fakes.Requests.ShouldContain(r => r.Vendor == "zerobounce" && r.Path == "/v2/getcredits" && r.Q("api_key") == VendorFakes.GoodKey);

        var bad = await Check("apollo_bad");
        bad.GetProperty("outcome").GetString().ShouldBe("failed");
        bad.GetProperty("detail").GetString()!.ShouldStartWith("bad key");
        bad.GetProperty("health").GetString().ShouldBe("unhealthy: bad key");

        using var admin = app.Admin();
        (await admin.PostAsync("/admin/providers/nobody/check", null)).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }

    [DbFact]
    public async Task A_provider_out_of_vendor_credits_is_skipped_until_a_check_passes()
    {
        app.Fakes.Answer("leadmagic", "spent", "credits");
        app.Fakes.Answer("hunter", "spent", "nomatch");
        app.Fakes.Answer("hunter", "afterspent", "nomatch");
        app.Fakes.Answer("hunter", "afterrecheck", "nomatch");
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        try
        {
            var (_, first) = await Enrich(ws, Person("spent", "work_email"));
            Step(first, "leadmagic").GetProperty("detail").GetString()!.ShouldStartWith("out of vendor credits");

            var (_, second) = await Enrich(ws, Person("afterspent", "work_email"));
            Step(second, "leadmagic").GetProperty("detail").GetString().ShouldBe("unhealthy: out of vendor credits");
            using (var admin = app.Admin())
            {
                var listed = (await (await admin.GetAsync("/admin/providers")).ShouldBeOk()).GetProperty("providers").EnumerateArray()
                    .Single(p => p.GetProperty("name").GetString() == "leadmagic");
                listed.GetProperty("health").GetString().ShouldBe("unhealthy: out of vendor credits");
            }
            // Read from this server's own meter: in one test process every server's meter shares one exporter.
            (await ServerMeters.SumAsync(app.Services, "tributary.provider.healthy", t => Equals(t["provider"], "leadmagic"))).ShouldBe(0);
            (await ServerMeters.SumAsync(app.Services, "tributary.provider.healthy", t => Equals(t["provider"], "hunter"))).ShouldBe(1);
            (await Check("leadmagic")).GetProperty("health").GetString().ShouldBe("healthy");
            var (body, third) = await Enrich(ws, Person("afterrecheck", "work_email"));
            Step(third, "leadmagic").GetProperty("outcome").GetString().ShouldBe("found");
            body.GetProperty("channels").GetProperty("work_email").GetProperty("source").GetString().ShouldBe("leadmagic");
        }
        finally
        {
            await Check("leadmagic");
        }
    }

    [DbFact]
    public async Task Tributary_providers_check_prints_what_the_vendor_says_and_fails_for_a_refused_key()
    {
        async Task<(int Exit, string Out)> Cli(params string[] args)
        {
            var stdout = new StringWriter();
            var env = new Dictionary<string, string?> { ["TRIBUTARY_URL"] = "http://localhost", ["TRIBUTARY_ADMIN_TOKEN"] = TributaryApp.AdminToken };
            var exit = await Tributary.Cli.CliApp.RunAsync(args, stdout, new StringWriter(), app.Server.CreateHandler(), env);
            return (exit, stdout.ToString());
        }

        var (ok, okOut) = await Cli("providers", "check", "millionverifier_missing");
        ok.ShouldNotBe(0);
        var (exit, output) = await Cli("providers", "check", "neverbounce");
        exit.ShouldBe(0, output);
        output.ShouldContain("credits left: 1000");
        var (failed, failedOut) = await Cli("providers", "check", "apollo_bad");
        failed.ShouldBe(1, failedOut);
        failedOut.ShouldContain("bad key");
        var (listed, list) = await Cli("providers", "list");
        listed.ShouldBe(0);
        list.ShouldContain("zerobounce");
        list.ShouldNotContain(VendorFakes.GoodKey);
        okOut.ShouldNotContain(VendorFakes.GoodKey);
    }

    [DbFact]
    public async Task A_spent_daily_limit_skips_the_provider_with_the_reason_in_the_trace()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        for (var i = 0; i < 2; i++)
        {
            var (body, _) = await Enrich(ws, Person($"daily{i}", "x_handle"));
            body.GetProperty("channels").GetProperty("x_handle").GetProperty("value").GetString().ShouldBe("ada_codes");
        }
        var before = app.Fakes.Count("hunter");
        var (third, trace) = await Enrich(ws, Person("daily2", "x_handle"));
        third.GetProperty("channels").GetProperty("x_handle").ValueKind.ShouldBe(JsonValueKind.Null);
        var step = Step(trace, "hunter_daily");
        (step.GetProperty("outcome").GetString(), step.GetProperty("detail").GetString()).ShouldBe(("skipped", "quota: daily limit"));
        app.Fakes.Count("hunter").ShouldBe(before);
        // Counted in the table every server process shares.
        await using var db = app.NewDb();
        (await db.RateCounters.Where(c => c.Class == "provider_day").Select(c => c.Count).ToListAsync()).ShouldBe([2]);
        // A skipped provider made no call: the operator's figures count the two that were made.
        (await ProvidersListed())["hunter_daily"].GetProperty("today").GetProperty("calls").GetInt64().ShouldBe(2);
    }

    [DbFact]
    public async Task A_vendor_without_configured_quotas_is_held_to_its_documented_limits()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var (body, _) = await Enrich(ws, Person("documentedlimits", "work_email"));
        body.GetProperty("channels").GetProperty("work_email").GetProperty("source").GetString().ShouldBe("hunter");
        // Hunter documents 15 requests a second and 500 a minute: both windows are counted in the shared table.
        var key = Tributary.Core.Providers.Quotas.ProviderQuota.CounterKey("hunter");
        await using var db = app.NewDb();
        var classes = await db.RateCounters.Where(c => c.WorkspaceId == key).Select(c => c.Class).Distinct().ToListAsync();
        classes.ShouldBe(["provider_minute", "provider_second"], ignoreOrder: true);
    }

    [DbFact]
    public async Task A_rate_per_second_delays_calls_into_later_windows_instead_of_failing_them()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < 3; i++)
        {
            var (body, _) = await Enrich(ws, Person($"paced{i}", "full_name"));
            body.GetProperty("channels").GetProperty("full_name").GetProperty("source").GetString().ShouldBe("pdl_paced");
        }
        // Three calls at one per second need three one-second windows: the third cannot start within a second of the first.
        System.Diagnostics.Stopwatch.GetElapsedTime(started).ShouldBeGreaterThan(TimeSpan.FromSeconds(1));
    }

}
