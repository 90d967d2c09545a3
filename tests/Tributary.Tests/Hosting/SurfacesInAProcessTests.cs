using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tributary.Core.Webhooks;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Webhooks;

namespace Tributary.Tests.Hosting;

/// <summary>
/// The five surfaces in a server process started as an operator would (Production, everything from a
/// <c>TRIBUTARY_CONFIG</c> file: http providers, waterfall, limits, webhooks), each answering one documented request.
/// </summary>
[Collection(ServerProcessCollection.Name)]
public sealed class SurfacesInAProcessTests
{
    private const string Token = "surfaces-admin-token-012345";
    private static readonly string[] PersonChannels = ["work_email", "phone", "linkedin_url", "job_title", "company_name", "location"];
    private static readonly string[] CompanyChannels = ["industry", "employee_count", "hq_city", "hq_country"];

    private static FakeProviders Providers() => new(new Dictionary<string, FakeProviderSpec>
    {
        ["vendor_a"] = new()
        {
            Channels = PersonChannels, Confidence = 0.91,
            People =
            [
                new() { ["work_email"] = "jane@acme.com", ["job_title"] = "General Counsel", ["company_name"] = "Acme Corp",
                        ["linkedin_url"] = "https://linkedin.com/in/janedoe", ["location"] = "New York, NY, US", ["phone"] = "+12125550148" },
                new() { ["linkedin_url"] = "https://www.linkedin.com/in/jordan-rivera", ["work_email"] = "jordan@example.com",
                        ["phone"] = "+14155238841", ["x_handle"] = "jordan_sales" },
                new() { ["work_email"] = "chloe.walker@westmarkrobotics.com", ["first_name"] = "Chloe", ["last_name"] = "Walker",
                        ["company_domain"] = "westmarkrobotics.com", ["linkedin_url"] = "https://linkedin.com/in/chloewalker", ["phone"] = "+447700900123" },
            ],
        },
        ["firmographics"] = new()
        {
            Channels = CompanyChannels, Confidence = 0.8,
            People = [new() { ["_company"] = true, ["domain"] = "westmarkrobotics.com", ["industry"] = "Robotics / Hardware", ["employee_count"] = 240,
                              ["hq_city"] = "Bristol", ["hq_country"] = "UK" }],
        },
    });

    private static object ConfigFile(FakeProviders fakes) => new
    {
        Tributary = new
        {
            AdminToken = Token,
            Providers = new
            {
                vendor_a = new
                {
                    Type = "http", Url = fakes.Url("vendor_a"), Channels = PersonChannels, TimeoutMs = 3000, MaxConcurrency = 4,
                    Requires = new[] { new[] { "email" }, new[] { "linkedin_url" }, new[] { "x_handle" }, new[] { "first_name", "last_name", "company_domain" } },
                    Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer vendor-secret" },
                },
                firmographics = new { Type = "http", Url = fakes.Url("firmographics"), Channels = CompanyChannels, TimeoutMs = 3000 },
            },
            Waterfall = PersonChannels.Select(c => (c, "vendor_a")).Concat(CompanyChannels.Select(c => (c, "firmographics")))
                .ToDictionary(p => p.Item1, p => new[] { p.Item2 }),
            RateLimits = new { SinglePerMinute = 50, BulkPerMinute = 10, PerDay = 1000 },
            Jobs = new { PollIntervalMs = 50 },
            Webhooks = new { AllowPrivateNetworks = true },
            Verification = new { CheckMx = false },
        },
    };

    [Fact]
    public async Task Each_surface_answers_its_documented_request()
    {
        await using var fakes = Providers();
        await using var receiver = new WebhookReceiver();
        await using var server = await ServerProcess.StartAsync("Production", configFile: ConfigFile(fakes));
        using var admin = server.Client(Token);
        var workspace = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "acme" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var created = await (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/keys", new
        {
            name = "all", permissions = new[] { "read:contacts", "write:contacts", "write:enrich", "read:enrich", "read:credits", "admin:workspace" },
        })).ShouldBeOk(201);
        var key = created.GetProperty("key").GetString()!;
        await (await admin.PostAsJsonAsync($"/admin/workspaces/{workspace}/credits", new { amount = 1000, reason = "top-up" })).ShouldBeOk();
        using var client = server.Client(key);
        long Credits(JsonElement body, string name) => body.GetProperty(name).GetInt64();

        // Seed 004: identity hints in, channels out.
        var channels = await (await client.PostAsync("/enrichment", Json("""
            {"email": "chloe.walker@westmarkrobotics.com", "channels": ["phone", "linkedin_url"]}
            """))).ShouldBeOk();
        channels.GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe("+447700900123");
        channels.GetProperty("channels").GetProperty("linkedin_url").GetProperty("source").GetString().ShouldBe("vendor_a");
        Credits(channels, "credits_used").ShouldBe(10 + 1);
        var account = await (await client.PostAsync("/enrichment/account", Json("""{"domain": "westmarkrobotics.com"}"""))).ShouldBeOk();
        account.GetProperty("fields").GetProperty("employee_count").GetInt32().ShouldBe(240);

        // Seed 000: a stored contact enriched in place (through the vendor's documented gateway path).
        var jane = (await (await client.PostAsJsonAsync("/v1/contacts", new { full_name = "Jane Doe", email = "jane@acme.com" })).ShouldBeOk(201))
            .GetProperty("data").GetProperty("id").GetGuid();
        var enriched = (await (await client.PostAsync("/functions/v1/api-gateway/v1/enrich/contact", Json($$"""{"contact_id": "{{jane}}"}""")))
            .ShouldBeOk()).GetProperty("data");
        enriched.GetProperty("contact").GetProperty("job_title").GetString().ShouldBe("General Counsel");
        enriched.GetProperty("source").GetString().ShouldBe("vendor_a");
        Credits(enriched, "credits_remaining").ShouldBe(1000 - 11 - 1 - 1);

        // Seed 001: access key + secret key, a synchronous LinkedIn lookup, then a batch operation polled to its end.
        using var operations = server.Client();
        operations.DefaultRequestHeaders.Add("X-Access-Key", created.GetProperty("id").GetString());
        operations.DefaultRequestHeaders.Add("X-Secret-Key", key);
        var sync = await (await operations.PostAsync("/api/enrichments", Json("""
            {"identifier": {"linkedin_url": "https://www.linkedin.com/in/jordan-rivera"}, "fields": ["contact.email"]}
            """))).ShouldBeOk();
        sync.GetProperty("data").GetProperty("contact").GetProperty("email")[0].GetProperty("value").GetString().ShouldBe("jordan@example.com");
        var accepted = await (await operations.PostAsync("/api/enrichments", Json("""
            {"identifiers": [{"x_handle": "jordan_sales"}, {"email": "nobody@nowhere.io"}], "fields": ["contact.phone"]}
            """))).ShouldBeOk(202);
        var operation = await PollAsync(operations, accepted.GetProperty("pollUrl").GetString()!, o => o.GetProperty("status").GetString() == "succeeded");
        var items = operation.GetProperty("result").GetProperty("items");
        items[0].GetProperty("status").GetString().ShouldBe("success");
        items[1].GetProperty("error").GetProperty("code").GetString().ShouldBe("no_match");

        // Seed 002: a manual selection of stored leads, processed by the workers.
        var records = await (await client.PostAsync("/api/v1/operations/enrichment/bulk", Json($$"""
            {"selection": {"mode": "manual", "includedIds": ["{{jane}}"]}, "field": "phones"}
            """))).ShouldBeOk();
        records[0].GetProperty("status").GetString().ShouldBe("pending");
        var record = await PollAsync(client, $"/api/v1/operations/enrichment/{jane}?field=phones", r => r.GetProperty("status").GetString() != "pending");
        record.GetProperty("status").GetString().ShouldBe("finished");
        record.GetProperty("data").GetProperty("phones")[0].GetProperty("value").GetString().ShouldBe("+12125550148");

        // Seed 003: asynchronous single contact, polled and delivered to a signed webhook.
        var pending = await (await client.PostAsync("/api/v2/contacts/single_enrich", Json($$"""
            {"firstname": "Chloe", "lastname": "Walker", "domain": "westmarkrobotics.com", "enrichment_type": ["email"],
             "webhook_url": "{{receiver.Url}}", "custom": {"crm_id": "A-42"} }
            """))).ShouldBeOk();
        pending.GetProperty("status").GetString().ShouldBe("pending");
        var finished = await PollAsync(client, $"/api/v2/contacts/{pending.GetProperty("enrichment_id").GetString()}",
            r => r.GetProperty("status").GetString() == "finished");
        finished.GetProperty("email").GetString().ShouldBe("chloe.walker@westmarkrobotics.com");
        finished.GetProperty("custom").GetProperty("crm_id").GetString().ShouldBe("A-42");
        for (var i = 0; i < 100 && receiver.Received.Count == 0; i++) await Task.Delay(100);
        var delivered = receiver.Received.ShouldHaveSingleItem();
        var secret = (await (await client.GetAsync("/v1/workspace/settings")).ShouldBeOk()).GetProperty("data").GetProperty("webhook_secret").GetString()!;
        WebhookSigner.Verify(secret, delivered.Id, delivered.Timestamp, delivered.Signature, delivered.Body, DateTimeOffset.UtcNow)
            .ShouldBe(SignatureCheck.Valid);
        JsonDocument.Parse(delivered.Body).RootElement.GetProperty("custom").GetProperty("crm_id").GetString().ShouldBe("A-42");

        // The ledger agrees with what the surfaces reported.
        var credits = (await (await client.GetAsync("/api/v2/credits")).ShouldBeOk()).GetProperty("credits").GetInt64();
        // 004: 11 + 1 (account); 000: 1; 001: 1 + 10; 002: Jane's phone came with seed 000's default fields, so from the cache;
        // 003: 1.
        credits.ShouldBe(1000 - 11 - 1 - 1 - 1 - 10 - 0 - 1);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static Task<JsonElement> PollAsync(HttpClient client, string url, Func<JsonElement, bool> done) =>
        Polling.UntilAsync(async () => await (await client.GetAsync(url)).ShouldBeOk(), done, url, delayMs: 100);
}
