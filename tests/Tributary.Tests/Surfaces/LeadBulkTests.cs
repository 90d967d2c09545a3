using System.Net;
using System.Text.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Surfaces;

public abstract class LeadBulkApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor"] = new()
        {
            Channels = ["work_email", "phone"],
            People = Enumerable.Range(0, 5).Select(i => new Dictionary<string, object?>
            {
                ["linkedin_url"] = $"https://www.linkedin.com/in/lead-{i}", ["work_email"] = $"lead{i}@leads.io", ["phone"] = "+14155238841",
            }).Append(new Dictionary<string, object?>
            {
                // Answers after the item deadline, though within the provider's own timeout.
                ["linkedin_url"] = $"https://www.linkedin.com/in/lead-{SlowLead}", ["work_email"] = "slow@leads.io", ["_latency_ms"] = 6000,
            }).ToList(),
        },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["vendor"], ["phone"] = ["vendor"] },
    new Dictionary<string, object>
    {
        ["Tributary:Jobs:PollIntervalMs"] = 50, ["Tributary:Jobs:ItemDeadlineMs"] = 3000, ["Tributary:Providers:vendor:TimeoutMs"] = 8000,
    })
{
    public const int SlowLead = 7;
}

public sealed class LeadBulkSqliteApp() : LeadBulkApp(DatabaseProvider.Sqlite);
public sealed class LeadBulkPostgresApp() : LeadBulkApp(DatabaseProvider.Postgres);

public abstract class LeadBulkTests(LeadBulkApp app)
{
    private const string Bulk = "/api/v1/operations/enrichment/bulk";

    private static async Task<List<Guid>> LeadsAsync(HttpClient client, params int[] which)
    {
        var contacts = which.Select(i => new { first_name = $"Lead{i}", last_name = "Test", company_domain = i < 100 ? "leads.io" : "other.io",
            linkedin_url = $"https://www.linkedin.com/in/lead-{i}" }).ToArray();
        var body = await (await client.PostJson("/v1/contacts/bulk", new { contacts })).ShouldBeOk();
        return body.GetProperty("data").GetProperty("contacts").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToList();
    }

    private static async Task<List<JsonElement>> WaitFinished(HttpClient client, IEnumerable<Guid> leads, string field)
    {
        var tasks = leads.Select(l => new { entityId = l, field, entityType = "person" }).ToArray();
        return await Polling.UntilAsync(
            async () => (await (await client.PostJson("/api/v1/operations/enrichment/batch/query", new { tasks })).ShouldBeOk()).EnumerateArray().ToList(),
            records => records.All(r => r.GetProperty("status").GetString() == "finished"), "records", attempts: 200);
    }

    [DbFact]
    public async Task Manual_selection_creates_one_record_per_lead_and_a_repeat_returns_them_without_charging()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var leads = await LeadsAsync(client, 0, 1, 99);
        var records = (await (await client.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = leads }, field = "emails" })).ShouldBeOk())
            .EnumerateArray().ToList();
        records.Select(r => r.GetProperty("entityId").GetGuid()).ShouldBe(leads);
        records.ShouldAllBe(r => r.GetProperty("status").GetString() == "pending" && r.GetProperty("entityType").GetString() == "person"
                                  && r.GetProperty("field").GetString() == "emails" && r.GetProperty("orgId").GetGuid() == ws.Id);
        records[0].GetProperty("dataFound").ValueKind.ShouldBe(JsonValueKind.Null);

        var finished = await WaitFinished(client, leads, "emails");
        finished.Select(r => r.GetProperty("dataFound").GetBoolean()).ShouldBe([true, true, false]);
        finished[0].GetProperty("data").GetProperty("emails")[0].GetProperty("value").GetString().ShouldBe("lead0@leads.io");
        finished[0].GetProperty("creditTransactionId").GetGuid().ShouldNotBe(Guid.Empty);
        finished[2].GetProperty("creditTransactionId").ValueKind.ShouldBe(JsonValueKind.Null);
        (await (await client.GetAsync($"/v1/contacts/{leads[0]}")).Json()).GetProperty("data").GetProperty("email").GetString().ShouldBe("lead0@leads.io");
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(98);

        var calls = app.Fakes.Calls.Count;
        var again = (await (await client.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = leads }, type = "emails" })).ShouldBeOk())
            .EnumerateArray().ToList();
        again.Select(r => r.GetProperty("id").GetGuid()).ShouldBe(records.Select(r => r.GetProperty("id").GetGuid()));
        app.Fakes.Calls.Count.ShouldBe(calls);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(98);

        var single = await (await client.GetAsync($"/api/v1/operations/enrichment/{leads[1]}?field=emails")).ShouldBeOk();
        single.GetProperty("id").GetGuid().ShouldBe(records[1].GetProperty("id").GetGuid());
        var phone = await (await client.PostAsync($"/api/v1/operations/enrichment/{leads[1]}?field=phones", null)).ShouldBeOk();
        phone.GetProperty("field").GetString().ShouldBe("phones");
    }

    [DbFact]
    public async Task Bulk_selection_filters_orders_excludes_skips_and_takes()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var leads = await LeadsAsync(client, 0, 1, 2, 3, 150);
        var records = (await (await client.PostJson(Bulk, new
        {
            selection = new { mode = "bulk", filters = new { company_domain = "leads.io" }, startIndex = 1, targetCount = 2, excludedIds = new[] { leads[1] } },
            field = "emails",
        })).ShouldBeOk()).EnumerateArray().Select(r => r.GetProperty("entityId").GetGuid()).ToList();
        records.ShouldBe([leads[2], leads[3]]);
    }

    [DbFact]
    public async Task A_record_cut_by_the_item_deadline_is_a_timeout_costs_nothing_and_runs_again_when_asked()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var lead = (await LeadsAsync(client, LeadBulkApp.SlowLead)).Single();
        var first = (await (await client.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = new[] { lead } }, field = "emails" })).ShouldBeOk())[0];
        var record = await Polling.UntilAsync(async () => await (await client.GetAsync($"/api/v1/operations/enrichment/{lead}?field=emails")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() != "pending", "the slow record", attempts: 200);
        record.GetProperty("status").GetString().ShouldBe("timeout");
        record.GetProperty("error").GetProperty("code").GetString().ShouldBe("TIMEOUT");
        record.GetProperty("dataFound").ValueKind.ShouldBe(JsonValueKind.Null);
        record.GetProperty("creditTransactionId").ValueKind.ShouldBe(JsonValueKind.Null);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(100);

        var again = (await (await client.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = new[] { lead } }, field = "emails" })).ShouldBeOk())[0];
        // The same record (one per lead and field, DESIGN §7.3) runs again.
        again.GetProperty("id").GetGuid().ShouldBe(first.GetProperty("id").GetGuid());
        again.GetProperty("status").GetString().ShouldBe("pending");
    }

    [DbFact]
    public async Task The_query_string_is_part_of_an_idempotent_request()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var lead = (await LeadsAsync(client, 3)).Single();
        HttpRequestMessage Trigger(string field)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/operations/enrichment/{lead}?field={field}");
            request.Headers.Add("Idempotency-Key", "lead-3");
            return request;
        }
        var first = await (await client.SendAsync(Trigger("emails"))).ShouldBeOk();
        var replay = await client.SendAsync(Trigger("emails"));
        (await replay.ShouldBeOk()).GetProperty("id").GetGuid().ShouldBe(first.GetProperty("id").GetGuid());
        replay.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        var phones = await client.SendAsync(Trigger("phones"));
        ((int)phones.StatusCode).ShouldBe(422);
        (await phones.Json()).GetProperty("error").GetProperty("code").GetString().ShouldBe("IDEMPOTENCY_KEY_REUSED");
    }

    [DbFact]
    public async Task Errors_use_upper_case_codes_and_insufficient_credits_creates_nothing()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var leads = await LeadsAsync(client, 0, 1);
        async Task<JsonElement> Error(HttpResponseMessage response, int status, string code)
        {
            var json = await response.Json();
            ((int)response.StatusCode).ShouldBe(status, json.ToString());
            json.GetProperty("error").GetProperty("code").GetString().ShouldBe(code);
            json.GetProperty("error").GetProperty("message").GetString().ShouldNotBeNullOrEmpty();
            return json;
        }
        var unknownId = Guid.NewGuid();
        var unknown = await Error(await client.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = new[] { leads[0], unknownId } }, field = "emails" }), 400, "VALIDATION_ERROR");
        unknown.GetProperty("error").GetProperty("message").GetString()!.ShouldContain(unknownId.ToString());
        await Error(await client.PostJson(Bulk, new { selection = new { mode = "bulk", targetCount = 5 }, field = "emails" }), 400, "VALIDATION_ERROR");
        await Error(await client.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = leads }, field = "faxes" }), 400, "VALIDATION_ERROR");
        await Error(await client.PostJson(Bulk, new { selection = new { mode = "bulk", filters = new { company_domain = "leads.io" }, targetCount = 1001 }, field = "emails" }), 400, "VALIDATION_ERROR");
        await Error(await client.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = leads }, field = "phones" }), 402, "INSUFFICIENT_CREDITS");
        (await client.PostJson("/api/v1/operations/enrichment/batch/query", new { tasks = leads.Select(l => new { entityId = l, field = "phones" }).ToArray() }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await client.PostJson("/api/v1/operations/enrichment/batch/query", new { tasks = leads.Select(l => new { entityId = l, field = "phones" }).ToArray() })).Json())
            .GetArrayLength().ShouldBe(0);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(10);
        using var anonymous = app.CreateClient();
        await Error(await anonymous.PostJson(Bulk, new { }), 401, "UNAUTHORIZED");
        using var reader = app.Client(await app.CreateKeyAsync(ws.Id, ["read:enrich"]));
        await Error(await reader.PostJson(Bulk, new { selection = new { mode = "manual", includedIds = leads }, field = "emails" }), 403, "FORBIDDEN");
        await Error(await client.PostRaw(Bulk, "{\"selection\": "), 400, "VALIDATION_ERROR");
        await Error(await client.GetAsync($"/api/v1/operations/enrichment/{Guid.NewGuid()}?field=emails"), 404, "NOT_FOUND");
    }
}

public sealed class LeadBulkTests_Sqlite(LeadBulkSqliteApp app) : LeadBulkTests(app), IClassFixture<LeadBulkSqliteApp>;

public sealed class LeadBulkTests_Postgres(LeadBulkPostgresApp app) : LeadBulkTests(app), IClassFixture<LeadBulkPostgresApp>, IPostgresTests;
