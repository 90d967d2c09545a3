using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>
/// Finders Prospeo, Findymail and Icypeas for emails (Prospeo for phones too), Dropcontact for company domains (jobs only),
/// NeverBounce then MillionVerifier as verifiers, each with a price per vendor credit.
/// </summary>
public abstract class VendorCostApp(DatabaseProvider provider) : TributaryApp(provider)
{
    public VendorFakes Fakes { get; } = new();

    public static readonly IReadOnlyDictionary<string, decimal> Prices = new Dictionary<string, decimal>
    {
        ["prospeo"] = 0.02m, ["findymail"] = 0.05m, ["icypeas"] = 0.03m, ["dropcontact"] = 0.04m, ["neverbounce"] = 0.008m, ["millionverifier"] = 0.002m,
    };

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
            foreach (var (name, price) in Prices)
            {
                settings[$"Tributary:Providers:{name}:Type"] = name;
                settings[$"Tributary:Providers:{name}:ApiKey"] = VendorFakes.GoodKey;
                settings[$"Tributary:Providers:{name}:BaseUrl"] = Fakes.BaseUrl;
                settings[$"Tributary:Providers:{name}:CreditPrice"] = price.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            settings["Tributary:Providers:dropcontact:BatchWindowMs"] = "50";
            settings["Tributary:Providers:dropcontact:FirstPollMs"] = "500";
            settings["Tributary:Waterfall:work_email:0"] = "prospeo";
            settings["Tributary:Waterfall:work_email:1"] = "findymail";
            settings["Tributary:Waterfall:work_email:2"] = "icypeas";
            settings["Tributary:Waterfall:phone:0"] = "prospeo";
            settings["Tributary:Waterfall:company_domain:0"] = "dropcontact";
            settings["Tributary:Verification:Providers:0"] = "neverbounce";
            settings["Tributary:Verification:Providers:1"] = "millionverifier";
            return settings;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}

public sealed class VendorCostSqliteApp() : VendorCostApp(DatabaseProvider.Sqlite);
public sealed class VendorCostPostgresApp() : VendorCostApp(DatabaseProvider.Postgres);

public sealed class VendorCostTests_Sqlite(VendorCostSqliteApp app) : VendorCostTests(app), IClassFixture<VendorCostSqliteApp>;
public sealed class VendorCostTests_Postgres(VendorCostPostgresApp app) : VendorCostTests(app), IClassFixture<VendorCostPostgresApp>, IPostgresTests;

/// <summary>
/// <c>GET /admin/providers</c> and <c>/metrics</c> against what each vendor's fake counted as its billing line in VENDORS.md
/// reads: lookups (a record of a bulk call each), matches, vendor credits, and those credits at the configured price.
/// </summary>
public abstract class VendorCostTests(VendorCostApp app)
{
    private static readonly string[] Vendors = ["prospeo", "findymail", "icypeas", "dropcontact", "neverbounce", "millionverifier"];
    private static readonly string[] Verifiers = ["neverbounce", "millionverifier"];

    public sealed record Figures(long Calls, long Found, decimal Cost, decimal Spend);

    private async Task<Dictionary<string, Figures>> ListedAsync()
    {
        using var admin = app.Admin();
        return (await (await admin.GetAsync("/admin/providers")).ShouldBeOk()).GetProperty("providers").EnumerateArray().ToDictionary(
            p => p.GetProperty("name").GetString()!,
            p =>
            {
                var t = p.GetProperty("today");
                return new Figures(t.GetProperty("calls").GetInt64(), t.GetProperty("found").GetInt64(), t.GetProperty("cost").GetDecimal(),
                    t.GetProperty("spend") is { ValueKind: JsonValueKind.Number } spend ? spend.GetDecimal() : 0);
            });
    }

    private Figures Counted(string vendor) =>
        new(app.Fakes.Lookups(vendor), app.Fakes.Matches(vendor), app.Fakes.Billed(vendor), app.Fakes.Billed(vendor) * VendorCostApp.Prices[vendor]);

    private static Figures Minus(Figures a, Figures b) => new(a.Calls - b.Calls, a.Found - b.Found, a.Cost - b.Cost, a.Spend - b.Spend);

    private static async Task<string?> EmailSource(TestWorkspace ws, string lastName, params string[] channels)
    {
        using var client = ws.Client();
        var body = await (await client.PostJson("/enrichment",
            new { first_name = "Ada", last_name = lastName, company_domain = VendorFakes.Domain, channels = channels.Length == 0 ? ["work_email"] : channels })).ShouldBeOk();
        return body.GetProperty("channels").GetProperty("work_email") is { ValueKind: JsonValueKind.Object } email ? email.GetProperty("source").GetString() : null;
    }

    private static async Task<JsonElement> RunJobAsync(TestWorkspace ws, string channel, params string[] lastNames)
    {
        using var client = ws.Client();
        var records = lastNames.Select(n => new { first_name = "Ada", last_name = n, company_domain = VendorFakes.Domain }).ToArray();
        var id = (await (await client.PostJson("/v1/jobs", new { records, channels = new[] { channel } })).ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
        return await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", $"job {id}", attempts: 600, delayMs: 50);
    }

    [DbFact]
    public async Task The_admin_list_and_metrics_show_the_calls_matches_and_credits_each_vendor_billed_and_their_price()
    {
        foreach (var name in new[] { "costfm", "costunknown", "costicy", "costnone" }) app.Fakes.Answer("prospeo", name, "nomatch");
        foreach (var name in new[] { "costicy", "costnone" }) app.Fakes.Answer("findymail", name, "nomatch");
        app.Fakes.Answer("icypeas", "costnone", "nomatch");
        app.Fakes.Answer("neverbounce", VendorFakes.EmailOf("costunknown"), "unknown");
        app.Fakes.Answer("dropcontact", "costdcb", "nomatch");
        var counted = Vendors.ToDictionary(v => v, Counted);
        var listed = await ListedAsync();

        var metrics = await ServerMeters.SumByProviderAsync(app.Services, ["tributary.provider.calls", "tributary.provider.cost", "tributary.provider.spend"], async () =>
        {
            var ws = await app.CreateWorkspaceAsync(credits: 100);
            // Prospeo: a match (1 credit), a match with a mobile (10), and the first person again from another workspace (free).
            (await EmailSource(ws, "costfound")).ShouldBe("prospeo");
            (await EmailSource(ws, "costmobile", "work_email", "phone")).ShouldBe("prospeo");
            (await EmailSource(await app.CreateWorkspaceAsync(credits: 100), "costfound")).ShouldBe("prospeo");
            // Findymail's emails carry no verdict: NeverBounce checks them (a credit each, unknown too), MillionVerifier
            // the one NeverBounce could not tell.
            (await EmailSource(ws, "costfm")).ShouldBe("findymail");
            (await EmailSource(ws, "costunknown")).ShouldBe("findymail");
            (await EmailSource(ws, "costicy")).ShouldBe("icypeas");
            (await EmailSource(ws, "costnone")).ShouldBeNull();
            // Dropcontact bills each record whose email it found, asked for it or not, and refunds the others.
            (await RunJobAsync(ws, "company_domain", "costdca", "costdcb", "costdcc")).GetProperty("status").GetString().ShouldBe("succeeded");
        });

        var now = await ListedAsync();
        foreach (var vendor in Vendors)
        {
            var admin = Minus(now[vendor], listed[vendor]);
            var fake = Minus(Counted(vendor), counted[vendor]);
            admin.ShouldBe(Verifiers.Contains(vendor) ? fake with { Found = 0 } : fake, vendor);
            (metrics.GetValueOrDefault(("tributary.provider.calls", vendor)), metrics.GetValueOrDefault(("tributary.provider.cost", vendor)),
                    Math.Round(metrics.GetValueOrDefault(("tributary.provider.spend", vendor)), 6))
                .ShouldBe(((double)admin.Calls, (double)admin.Cost, (double)admin.Spend), $"{vendor} on /metrics");
        }
        Vendors.Select(v => Minus(Counted(v), counted[v]).Cost).ShouldBe([11m, 2m, 1m, 2m, 2m, 1m]);
    }
}
