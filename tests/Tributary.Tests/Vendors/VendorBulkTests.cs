using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>One channel per vendor with a bulk endpoint, each asked of that vendor alone, with the default 64 job workers.</summary>
public abstract class VendorBulkApp(DatabaseProvider provider) : TributaryApp(provider)
{
    public VendorFakes Fakes { get; } = new();

    public static readonly IReadOnlyDictionary<string, decimal> Prices = new Dictionary<string, decimal>
    {
        ["pdl"] = 0.28m, ["apollo"] = 0.025m, ["prospeo"] = 0.039m, ["dropcontact"] = 0.05m,
    };

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
            foreach (var (name, channel) in new[] { ("pdl", "location"), ("apollo", "full_name"), ("prospeo", "job_title"), ("dropcontact", "company_domain") })
            {
                settings[$"Tributary:Providers:{name}:Type"] = name;
                settings[$"Tributary:Providers:{name}:ApiKey"] = VendorFakes.GoodKey;
                settings[$"Tributary:Providers:{name}:BaseUrl"] = Fakes.BaseUrl;
                settings[$"Tributary:Waterfall:{channel}:0"] = name;
                settings[$"Tributary:Providers:{name}:CreditPrice"] = Prices[name].ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            // Read once the fake's requests are ready (300 ms), as Dropcontact's are after its 30 s.
            settings["Tributary:Providers:dropcontact:FirstPollMs"] = "500";
            return settings;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}

public sealed class VendorBulkSqliteApp() : VendorBulkApp(DatabaseProvider.Sqlite);
public sealed class VendorBulkPostgresApp() : VendorBulkApp(DatabaseProvider.Postgres);

public sealed class VendorBulkTests_Sqlite(VendorBulkSqliteApp app) : VendorBulkTests(app), IClassFixture<VendorBulkSqliteApp>;
public sealed class VendorBulkTests_Postgres(VendorBulkPostgresApp app) : VendorBulkTests(app), IClassFixture<VendorBulkPostgresApp>, IPostgresTests;

/// <summary>
/// Job items waiting for a vendor with a bulk endpoint are asked together (DESIGN §5.4): n records cost at most
/// ⌈n / min(vendor max, Jobs:Workers)⌉ + 2 calls, and each record still gets its own answer.
/// </summary>
public abstract class VendorBulkTests(VendorBulkApp app)
{
    private async Task<(JsonElement Job, List<JsonElement> Lines)> RunJob(TestWorkspace ws, string channel, string prefix, int count)
    {
        using var client = ws.Client();
        var records = Enumerable.Range(0, count).Select(i => new Dictionary<string, string>
        {
            ["first_name"] = "Ada", ["last_name"] = $"{prefix}{i}", ["company_domain"] = VendorFakes.Domain,
        }).ToArray();
        var id = (await (await client.PostJson("/v1/jobs", new { records, channels = new[] { channel } })).ShouldBeOk(202))
            .GetProperty("data").GetProperty("id").GetGuid();
        var job = await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", $"job {id}", attempts: 1200, delayMs: 100);
        var lines = (await client.GetStringAsync($"/v1/jobs/{id}/results")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (job, lines);
    }

    [DbFact]
    public Task A_thousand_record_job_makes_at_most_18_calls_to_pdl() => ThousandRecords("pdl", "location", 18);

    [DbFact]
    public Task A_thousand_record_job_makes_at_most_102_calls_to_apollo() => ThousandRecords("apollo", "full_name", 102);

    [DbFact]
    public Task A_thousand_record_job_makes_at_most_22_calls_to_prospeo() => ThousandRecords("prospeo", "job_title", 22);

    [DbFact]
    public Task A_thousand_record_job_makes_at_most_18_calls_to_dropcontact_submits_and_polls_together() => ThousandRecords("dropcontact", "company_domain", 18);

    private async Task ThousandRecords(string vendor, string channel, int maxCalls)
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1_000_000);
        var before = app.Fakes.Requests.Count(r => r.Vendor == vendor);

        var (job, lines) = await RunJob(ws, channel, "bulk" + vendor, 1000);

        job.GetProperty("status").GetString().ShouldBe("succeeded");
        lines.Count.ShouldBe(1000);
        // Every record got its own answer, not its neighbour's.
        var sources = lines.Select(l => l.GetProperty("channels").GetProperty(channel) is { ValueKind: JsonValueKind.Object } c ? c.GetProperty("source").GetString() : null).ToList();
        sources.ShouldAllBe(s => s == vendor);
        // Every HTTP call to the vendor counts: bulk and single lookups, and Dropcontact's polls of its requests.
        var requests = app.Fakes.Requests.Where(r => r.Vendor == vendor).Skip(before).ToList();
        var calls = requests.Count;
        var sizes = string.Join(",", requests.Select(r => r.Method == "GET" ? "poll"
            : (r.Body?["data"] ?? r.Body?["requests"] ?? r.Body?["details"]) is System.Text.Json.Nodes.JsonArray a ? a.Count.ToString() : "1"));
        calls.ShouldBeLessThanOrEqualTo(maxCalls, $"{vendor}: {calls} calls for 1,000 records: {sizes}");
        // No fewer than full requests would need; Dropcontact's are read at least once each.
        var vendorMax = vendor switch { "pdl" => 100, "apollo" => 10, "prospeo" => 50, _ => 250 };
        calls.ShouldBeGreaterThanOrEqualTo((1000 + vendorMax - 1) / vendorMax * (vendor == "dropcontact" ? 2 : 1));
    }

    [DbFact]
    public async Task A_bulk_jobs_calls_matches_and_cost_on_the_admin_list_are_what_each_vendor_counted_per_record()
    {
        var vendors = new[] { "pdl", "apollo", "prospeo", "dropcontact" };
        var ws = await app.CreateWorkspaceAsync(credits: 100_000);
        for (var i = 0; i < 39; i += 3)
            foreach (var vendor in vendors) app.Fakes.Answer(vendor, $"bcost{i + Array.IndexOf(vendors, vendor) % 3}", "nomatch");
        (long Calls, long Found, decimal Cost) Counted(string v) => (app.Fakes.Lookups(v), app.Fakes.Matches(v), app.Fakes.Billed(v));
        var counted = vendors.ToDictionary(v => v, Counted);
        var listed = await ListedAsync();

        using var client = ws.Client();
        var records = Enumerable.Range(0, 40).Select(i => new { first_name = "Ada", last_name = $"bcost{i}", company_domain = VendorFakes.Domain }).ToArray();
        var id = (await (await client.PostJson("/v1/jobs", new { records, channels = new[] { "location", "full_name", "job_title", "company_domain" } }))
            .ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
        var job = await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", $"job {id}", attempts: 1200, delayMs: 100);
        job.GetProperty("status").GetString().ShouldBe("succeeded");

        var now = await ListedAsync();
        foreach (var vendor in vendors)
        {
            var (calls, found, cost) = Counted(vendor);
            var was = counted[vendor];
            var fake = (Calls: calls - was.Calls, Found: found - was.Found, Cost: cost - was.Cost);
            // Each record of a bulk call is a lookup, as the vendors count them.
            fake.Calls.ShouldBe(40, vendor);
            (now[vendor].Calls - listed[vendor].Calls, now[vendor].Found - listed[vendor].Found, now[vendor].Cost - listed[vendor].Cost)
                .ShouldBe(fake, vendor);
            (now[vendor].Spend - listed[vendor].Spend).ShouldBe(fake.Cost * VendorBulkApp.Prices[vendor], vendor);
        }
        // 27 of 40 matched at PDL, Apollo and Prospeo; Dropcontact answers every record and bills the 27 whose email it found.
        vendors.Select(v => Counted(v).Cost - counted[v].Cost).ShouldBe([27m, 27m, 27m, 27m]);
    }

    private async Task<Dictionary<string, (long Calls, long Found, decimal Cost, decimal Spend)>> ListedAsync()
    {
        using var admin = app.Admin();
        return (await (await admin.GetAsync("/admin/providers")).ShouldBeOk()).GetProperty("providers").EnumerateArray().ToDictionary(
            p => p.GetProperty("name").GetString()!,
            p =>
            {
                var t = p.GetProperty("today");
                return (t.GetProperty("calls").GetInt64(), t.GetProperty("found").GetInt64(), t.GetProperty("cost").GetDecimal(),
                    t.GetProperty("spend") is { ValueKind: JsonValueKind.Number } spend ? spend.GetDecimal() : 0m);
            });
    }

    [DbFact]
    public async Task Each_record_of_a_bulk_call_gets_its_own_answer_and_a_miss_in_a_batch_stays_a_miss()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100_000);
        app.Fakes.Answer("pdl", "mixed3", "nomatch");
        app.Fakes.Answer("pdl", "mixed5", "nomatch");
        var before = app.Fakes.Count("pdl", "/v5/person/bulk");
        var (job, lines) = await RunJob(ws, "location", "mixed", 8);
        job.GetProperty("status").GetString().ShouldBe("succeeded");
        (app.Fakes.Count("pdl", "/v5/person/bulk") - before).ShouldBeGreaterThanOrEqualTo(1);
        var byName = lines.ToDictionary(l => l.GetProperty("input").GetProperty("last_name").GetString()!);
        foreach (var (name, line) in byName)
            (line.GetProperty("channels").GetProperty("location").ValueKind == JsonValueKind.Object).ShouldBe(name is not ("mixed3" or "mixed5"), name);
        // The bulk request carried each record's own inputs.
        var sent = app.Fakes.Requests.Where(r => r.Vendor == "pdl" && r.Path == "/v5/person/bulk").SelectMany(r => r.Body!["requests"]!.AsArray())
            .Select(q => q!["params"]!["last_name"]!.ToString()).ToList();
        sent.ShouldContain("mixed7");
        app.Fakes.Requests.Last(r => r.Vendor == "pdl" && r.Path == "/v5/person/bulk").Header("x-api-key").ShouldBe(VendorFakes.GoodKey);
    }
}
