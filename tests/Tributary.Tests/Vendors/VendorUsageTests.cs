using System.Text.Json;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>What each provider was asked and what it cost, as <c>GET /admin/providers</c> and <c>/metrics</c> report it.</summary>
public abstract partial class VendorWaterfallTests
{
    private async Task<Dictionary<string, JsonElement>> ProvidersListed()
    {
        using var admin = app.Admin();
        return (await (await admin.GetAsync("/admin/providers")).ShouldBeOk()).GetProperty("providers").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.Clone());
    }

    private static (long Calls, long Found, long Failures, decimal Cost) Figures(Dictionary<string, JsonElement> listed, string name, string span = "today")
    {
        var u = listed[name].GetProperty(span);
        return (u.GetProperty("calls").GetInt64(), u.GetProperty("found").GetInt64(), u.GetProperty("failures").GetInt64(), u.GetProperty("cost").GetDecimal());
    }

    [DbFact]
    public async Task The_admin_list_counts_calls_matches_failures_and_vendor_cost_as_the_vendors_bill_them()
    {
        var vendors = new[] { "hunter", "leadmagic", "pdl", "zerobounce" };
        var billedBefore = vendors.ToDictionary(v => v, app.Fakes.Billed);
        var requestsBefore = vendors.ToDictionary(v => v, v => app.Fakes.Count(v));
        var before = await ProvidersListed();
        app.Fakes.Answer("hunter", "usageb", "nomatch");
        app.Fakes.Answer("hunter", "usagec", "nomatch");
        app.Fakes.Answer("leadmagic", "usagec", "nomatch");
        var ws = await app.CreateWorkspaceAsync(credits: 20);

        // Hunter finds a valid email (billed: a search that returned an email); Hunter misses and LeadMagic finds (a miss
        // is free at both); both miss and PDL matches (billed per match), its email verified by ZeroBounce (billed per check).
        JsonElement traceC = default;
        var hunterCost = await ServerMeters.SumAsync(app.Services, "tributary.provider.cost", t => Equals(t["provider"], "hunter"), async () =>
        {
            var (a, _) = await Enrich(ws, Person("usagea", "work_email"));
            a.GetProperty("channels").GetProperty("work_email").GetProperty("source").GetString().ShouldBe("hunter");
            var (b, _) = await Enrich(ws, Person("usageb", "work_email"));
            b.GetProperty("channels").GetProperty("work_email").GetProperty("source").GetString().ShouldBe("leadmagic");
            var (c, trace) = await Enrich(ws, Person("usagec", "work_email"));
            c.GetProperty("channels").GetProperty("work_email").GetProperty("source").GetString().ShouldBe("pdl");
            traceC = trace;
        });
        Step(traceC, "zerobounce").GetProperty("outcome").GetString().ShouldBe("verified");
        // /metrics carries the same cost (read from this server's own meter: test servers share one exporter).
        hunterCost.ShouldBe(1);

        var after = await ProvidersListed();
        foreach (var vendor in vendors)
        {
            var (calls, _, _, cost) = Figures(after, vendor);
            var (callsBefore, _, _, costBefore) = Figures(before, vendor);
            (cost - costBefore).ShouldBe(app.Fakes.Billed(vendor) - billedBefore[vendor], $"{vendor}: cost against what the vendor billed");
            (calls - callsBefore).ShouldBe(app.Fakes.Count(vendor) - requestsBefore[vendor], $"{vendor}: calls against the requests it received");
        }
        (Figures(after, "hunter").Calls - Figures(before, "hunter").Calls).ShouldBe(3);
        (Figures(after, "hunter").Found - Figures(before, "hunter").Found).ShouldBe(1);
        (Figures(after, "leadmagic").Found - Figures(before, "leadmagic").Found).ShouldBe(1);
        (Figures(after, "pdl").Cost - Figures(before, "pdl").Cost).ShouldBe(1);
        (Figures(after, "zerobounce").Cost - Figures(before, "zerobounce").Cost).ShouldBe(1);

        // Hunter's CreditPrice turns its credits into money; a provider without one has no spend.
        after["hunter"].GetProperty("cost").GetProperty("credit_price").GetDecimal().ShouldBe(0.049m);
        // Without a configured Cost, Hunter's documented billing: a credit per email found.
        after["hunter"].GetProperty("cost").GetProperty("per_found").GetProperty("work_email").GetDecimal().ShouldBe(1m);
        after["hunter"].GetProperty("quota").GetProperty("rate_per_second").GetInt32().ShouldBe(15);
        var spent = after["hunter"].GetProperty("today").GetProperty("spend").GetDecimal()
                    - (before["hunter"].GetProperty("today").GetProperty("spend") is { ValueKind: JsonValueKind.Number } s ? s.GetDecimal() : 0);
        spent.ShouldBe(0.049m);
        after["pdl"].GetProperty("today").GetProperty("spend").ValueKind.ShouldBe(JsonValueKind.Null);
        // Today is within the last 30 days.
        Figures(after, "hunter", "last_30_days").Cost.ShouldBeGreaterThanOrEqualTo(Figures(after, "hunter").Cost);

    }

    [DbFact]
    public async Task A_refused_key_counts_as_a_failure_that_costs_nothing()
    {
        var before = await ProvidersListed();
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        await Enrich(ws, Person("usagebad", "job_title"));
        var after = await ProvidersListed();
        var (calls, found, failures, cost) = Figures(after, "hunter_bad");
        var was = Figures(before, "hunter_bad");
        // Asked once unless an earlier test already marked it unhealthy (then skipped: no call at all).
        (calls - was.Calls).ShouldBe(failures - was.Failures);
        (found - was.Found, cost - was.Cost).ShouldBe((0L, 0m));
        after["hunter_bad"].GetProperty("health").GetString().ShouldBe("unhealthy: bad key");
    }
}
