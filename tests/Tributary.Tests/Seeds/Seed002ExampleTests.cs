using System.Text.Json;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Seeds;

/// <summary>
/// Seed 002, <c>POST /api/v1/operations/enrichment/bulk</c>: both selection modes, the enrichment record of DESIGN §7.3
/// key by key, deduplication on repeat, the per-person and batch siblings, and the error table.
/// </summary>
public abstract class Seed002ExampleTests(SeedWorldApp app)
{
    private const string Operations = "/api/v1/operations/enrichment";
    private const string Bulk = Operations + "/bulk";

    private static readonly string[] RecordKeys =
    [
        "id", "createdAt", "updatedAt", "entityId", "entityType", "field", "status", "error", "createdBy", "orgId", "globalEnrichmentId",
        "creditTransactionId", "dataFound", "data",
    ];

    private sealed record Leads(Guid Jordan, Guid Chloe, Guid Nobody);

    /// <summary>Three leads: one each provider knows by LinkedIn URL, one by name and company domain, one nobody knows.</summary>
    private static async Task<Leads> CreateLeadsAsync(HttpClient client)
    {
        var body = await (await client.PostJson("/v1/contacts/bulk", new
        {
            contacts = new object[]
            {
                new { first_name = "Jordan", last_name = "Rivera", company_domain = "example.com", linkedin_url = SeedWorldApp.JordanLinkedin },
                new { first_name = "Chloe", last_name = "Walker", company_domain = "westmarkrobotics.com" },
                new { first_name = "Nobody", last_name = "Known", company_domain = "nowhere.example" },
            },
        })).ShouldAnswer();
        var ids = body.GetProperty("data").GetProperty("contacts").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToList();
        return new Leads(ids[0], ids[1], ids[2]);
    }

    private static string ManualSelection(string field, params Guid[] ids) => $$"""
        {
          "selection": {
            "mode": "manual",
            "includedIds": [{{string.Join(", ", ids.Select(id => $"\"{id}\""))}}]
          },
          "field": "{{field}}"
        }
        """;

    /// <summary>Checks one record against DESIGN §7.3 key by key; returns it.</summary>
    private static JsonElement ShouldBeRecord(JsonElement record, Guid lead, string field, Guid keyId, Guid workspaceId)
    {
        record.ShouldHaveExactly(RecordKeys);
        record.GetProperty("id").GetGuid().ShouldNotBe(Guid.Empty);
        record.GetProperty("createdAt").ShouldBeUtcTimestamp();
        record.GetProperty("updatedAt").ShouldBeUtcTimestamp();
        record.GetProperty("entityId").ShouldBeString(lead.ToString());
        record.GetProperty("entityType").ShouldBeString("person");
        record.GetProperty("field").ShouldBeString(field);
        record.GetProperty("createdBy").ShouldBeString(keyId.ToString());
        record.GetProperty("orgId").ShouldBeString(workspaceId.ToString());
        record.GetProperty("globalEnrichmentId").ShouldBeNull();
        var status = record.GetProperty("status").GetString();
        if (status == "pending")
        {
            record.GetProperty("error").ShouldBeNull();
            record.GetProperty("dataFound").ShouldBeNull();
            record.GetProperty("data").ShouldBeNull();
            record.GetProperty("creditTransactionId").ShouldBeNull();
        }
        else status.ShouldBe("finished", record.ToString());
        return record;
    }

    /// <summary>A finished record's data: <c>{"emails":[{value,status}]}</c> or <c>{"phones":[…]}</c>.</summary>
    private static List<JsonElement> FinishedValues(JsonElement record, string field)
    {
        record.GetProperty("status").ShouldBeString("finished");
        record.GetProperty("error").ShouldBeNull();
        return record.GetProperty("data").ShouldHaveExactly(field).GetProperty(field).EnumerateArray().ToList();
    }

    /// <summary>Nothing found is a finished record with <c>dataFound: false</c>, no values and no charge.</summary>
    private static void ShouldHaveFoundNothing(JsonElement record, string field)
    {
        FinishedValues(record, field).ShouldBeEmpty();
        record.GetProperty("dataFound").ValueKind.ShouldBe(JsonValueKind.False);
        record.GetProperty("creditTransactionId").ShouldBeNull();
    }

    private static void ShouldHaveFound(JsonElement record, string field, string value, string status)
    {
        var values = FinishedValues(record, field);
        record.GetProperty("dataFound").ValueKind.ShouldBe(JsonValueKind.True);
        var found = values.Single().ShouldHaveExactly("value", "status");
        found.GetProperty("value").ShouldBeString(value);
        found.GetProperty("status").ShouldBeString(status);
        record.GetProperty("creditTransactionId").GetGuid().ShouldNotBe(Guid.Empty);
    }

    private static async Task<List<JsonElement>> QueryUntilFinished(HttpClient client, string field, params Guid[] leads)
    {
        var tasks = string.Join(", ", leads.Select(l => $$"""{ "entityId": "{{l}}", "field": "{{field}}", "entityType": "person" }"""));
        return await Polling.UntilAsync(
            async () => (await (await client.PostRaw($"{Operations}/batch/query", $$"""{ "tasks": [{{tasks}}] }""")).ShouldAnswer()).EnumerateArray().ToList(),
            records => records.Count == leads.Length && records.All(r => r.GetProperty("status").GetString() == "finished"), "records");
    }

    private static async Task<long> Balance(HttpClient client) =>
        (await (await client.GetAsync("/v1/credits")).ShouldAnswer()).GetProperty("data").GetProperty("balance").GetInt64();

    [DbFact]
    public async Task Manual_selection_returns_one_record_per_lead_in_order_and_a_repeat_returns_the_same_records_free()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var keyId = await app.KeyIdAsync(ws.Key);
        var leads = await CreateLeadsAsync(client);
        Guid[] selected = [leads.Jordan, leads.Chloe, leads.Nobody];

        var created = (await (await client.PostRaw(Bulk, ManualSelection("emails", selected))).ShouldAnswer()).EnumerateArray().ToList();

        created.Count.ShouldBe(3);
        for (var i = 0; i < 3; i++) ShouldBeRecord(created[i], selected[i], "emails", keyId, ws.Id);
        var finished = await QueryUntilFinished(client, "emails", selected);
        for (var i = 0; i < 3; i++) ShouldBeRecord(finished[i], selected[i], "emails", keyId, ws.Id).GetProperty("id").ShouldBeString(created[i].GetProperty("id").GetString()!);
        ShouldHaveFound(finished[0], "emails", SeedWorldApp.JordanEmail, "unknown");
        ShouldHaveFound(finished[1], "emails", SeedWorldApp.ChloeEmail, "unknown");
        ShouldHaveFoundNothing(finished[2], "emails");
        (await Balance(client)).ShouldBe(98); // emails = work_email, 1 per lead with data
        (await (await client.GetAsync($"/v1/contacts/{leads.Chloe}")).ShouldAnswer()).GetProperty("data").GetProperty("email").ShouldBeString(SeedWorldApp.ChloeEmail);

        var calls = app.Fakes.Calls.Count;
        var repeated = (await (await client.PostRaw(Bulk, ManualSelection("emails", selected))).ShouldAnswer()).EnumerateArray().ToList();
        repeated.Select(r => r.ToString()).ShouldBe(finished.Select(r => r.ToString()));
        app.Fakes.Calls.Count.ShouldBe(calls);
        (await Balance(client)).ShouldBe(98);
    }

    [DbFact]
    public async Task Bulk_selection_resolves_the_search_from_its_filters()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var keyId = await app.KeyIdAsync(ws.Key);
        var leads = await CreateLeadsAsync(client);

        var created = (await (await client.PostRaw(Bulk, $$"""
            {
              "selection": {
                "mode": "bulk",
                "filters": { "company_domain": "example.com" },
                "startIndex": 0,
                "targetCount": 100,
                "excludedIds": ["{{leads.Nobody}}"]
              },
              "field": "phones"
            }
            """)).ShouldAnswer()).EnumerateArray().ToList();

        ShouldBeRecord(created.Single(), leads.Jordan, "phones", keyId, ws.Id);
        var finished = (await QueryUntilFinished(client, "phones", leads.Jordan)).Single();
        ShouldBeRecord(finished, leads.Jordan, "phones", keyId, ws.Id);
        ShouldHaveFound(finished, "phones", SeedWorldApp.JordanPhone, "found");
        (await Balance(client)).ShouldBe(90); // phones = phone, 10 per lead with data
    }

    [DbFact]
    public async Task The_per_person_and_batch_siblings_serve_the_same_record()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var keyId = await app.KeyIdAsync(ws.Key);
        var leads = await CreateLeadsAsync(client);

        // POST /{personId}?field= triggers one; GET /{personId}?field= reads it back.
        var triggered = ShouldBeRecord(await (await client.PostAsync($"{Operations}/{leads.Jordan}?field=emails", null)).ShouldAnswer(),
            leads.Jordan, "emails", keyId, ws.Id);
        var finished = (await QueryUntilFinished(client, "emails", leads.Jordan)).Single();
        ShouldHaveFound(finished, "emails", SeedWorldApp.JordanEmail, "unknown");
        var read = await (await client.GetAsync($"{Operations}/{leads.Jordan}?field=emails")).ShouldAnswer();
        read.ToString().ShouldBe(finished.ToString());
        read.GetProperty("id").ShouldBeString(triggered.GetProperty("id").GetString()!);

        // POST /batch returns the existing record for Jordan and a new one for Chloe, in the order given.
        var batch = (await (await client.PostRaw($"{Operations}/batch", $$"""
            { "personIds": ["{{leads.Chloe}}", "{{leads.Jordan}}"], "field": "emails" }
            """)).ShouldAnswer()).EnumerateArray().ToList();
        ShouldBeRecord(batch[0], leads.Chloe, "emails", keyId, ws.Id);
        ShouldBeRecord(batch[1], leads.Jordan, "emails", keyId, ws.Id).ToString().ShouldBe(finished.ToString());

        // POST /batch/query skips tasks without a record.
        var queried = (await (await client.PostRaw($"{Operations}/batch/query", $$"""
            { "tasks": [
                { "entityId": "{{leads.Jordan}}", "field": "emails", "entityType": "person" },
                { "entityId": "{{leads.Nobody}}", "field": "phones", "entityType": "person" }
            ] }
            """)).ShouldAnswer()).EnumerateArray().ToList();
        queried.Single().GetProperty("id").ShouldBeString(triggered.GetProperty("id").GetString()!);
    }

    [DbFact]
    public async Task Each_error_row_that_http_can_produce_in_the_documented_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 5);
        using var client = ws.Client();
        var leads = await CreateLeadsAsync(client);

        // 400 VALIDATION_ERROR: invalid body, missing required fields, invalid field values.
        await (await client.PostRaw(Bulk, """{ "selection": """)).ShouldBeLeadBulkError(400, "VALIDATION_ERROR");
        await (await client.PostRaw(Bulk, """{ "field": "emails" }""")).ShouldBeLeadBulkError(400, "VALIDATION_ERROR");
        await (await client.PostRaw(Bulk, ManualSelection("faxes", leads.Jordan))).ShouldBeLeadBulkError(400, "VALIDATION_ERROR");
        await (await client.PostRaw(Bulk, """{ "selection": { "mode": "bulk", "targetCount": 10 }, "field": "emails" }"""))
            .ShouldBeLeadBulkError(400, "VALIDATION_ERROR");
        await (await client.PostRaw(Bulk, """{ "selection": { "mode": "bulk", "filters": {}, "targetCount": 1001 }, "field": "emails" }"""))
            .ShouldBeLeadBulkError(400, "VALIDATION_ERROR");
        var unknown = Guid.NewGuid();
        var unknownError = await (await client.PostRaw(Bulk, ManualSelection("emails", leads.Jordan, unknown))).ShouldBeLeadBulkError(400, "VALIDATION_ERROR");
        unknownError.GetProperty("message").GetString()!.ShouldContain(unknown.ToString());

        // 401 UNAUTHORIZED: missing or invalid authentication.
        using var anonymous = app.CreateClient();
        await (await anonymous.PostRaw(Bulk, ManualSelection("emails", leads.Jordan))).ShouldBeLeadBulkError(401, "UNAUTHORIZED");
        using var invalid = app.BearerClient("wbk_" + new string('Z', 32));
        await (await invalid.PostRaw(Bulk, ManualSelection("emails", leads.Jordan))).ShouldBeLeadBulkError(401, "UNAUTHORIZED");

        // 402 INSUFFICIENT_CREDITS: all or nothing; no record is created and no credit moves.
        await (await client.PostRaw(Bulk, ManualSelection("phones", leads.Jordan, leads.Chloe))).ShouldBeLeadBulkError(402, "INSUFFICIENT_CREDITS");
        (await (await client.PostRaw($"{Operations}/batch/query", $$"""{ "tasks": [{ "entityId": "{{leads.Jordan}}", "field": "phones" }] }"""))
            .ShouldAnswer()).GetArrayLength().ShouldBe(0);
        (await Balance(client)).ShouldBe(5);

        // 403 FORBIDDEN: a key that may read records but not start enrichments.
        using var reader = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.ReadEnrich]));
        await (await reader.PostRaw(Bulk, ManualSelection("emails", leads.Jordan))).ShouldBeLeadBulkError(403, "FORBIDDEN");

        // 404 NOT_FOUND on a sibling: no record for this lead and field.
        await (await client.GetAsync($"{Operations}/{leads.Nobody}?field=emails")).ShouldBeLeadBulkError(404, "NOT_FOUND");
    }

    [DbFact]
    public async Task The_rate_limited_row()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var leads = await CreateLeadsAsync(client);

        var limited = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.BulkPerMinute,
            () => client.PostRaw(Bulk, """{ "field": "emails" }"""), () => client.PostRaw(Bulk, ManualSelection("emails", leads.Jordan)));

        await limited.ShouldBeLeadBulkError(429, "RATE_LIMITED");
        limited.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.BulkPerMinute.ToString());
    }
}

public sealed class Seed002ExampleTests_Sqlite(SeedWorldSqliteApp app) : Seed002ExampleTests(app), IClassFixture<SeedWorldSqliteApp>;

public sealed class Seed002ExampleTests_Postgres(SeedWorldPostgresApp app) : Seed002ExampleTests(app), IClassFixture<SeedWorldPostgresApp>, IPostgresTests;
