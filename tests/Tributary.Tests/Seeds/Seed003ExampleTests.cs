using System.Text.Json;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Webhooks;

namespace Tributary.Tests.Seeds;

/// <summary>
/// Seed 003, asynchronous contact enrichment under <c>/api/v2</c>: single_enrich accepted as pending and polled to
/// finished (by polling and by webhook), every enrichment type, bulk_enrich, the credits endpoint, and the error rows.
/// </summary>
public abstract class Seed003ExampleTests(SeedWorldApp app)
{
    private const string SingleEnrich = "/api/v2/contacts/single_enrich";
    private const string BulkEnrich = "/api/v2/contacts/bulk_enrich";
    private const string ConsentMessage = "You can't use the personal email enrichment feature without consenting with our terms of use";

    private static readonly string[] AcceptedKeys = ["enrichment_id", "first_name", "last_name", "status", "custom"];

    /// <summary>A contact's result: the email keys only for the types requested.</summary>
    private static string[] ResultKeys(params string[] types) =>
    [
        "enrichment_id", "first_name", "last_name", "status", "phone", "custom",
        .. types.Contains("email") ? new[] { "email", "email_status" } : [],
        .. types.Contains("personal_email") ? new[] { "personal_email", "personal_email_status" } : [],
    ];

    private static HttpClient ApiKeyClient(SeedWorldApp app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-KEY", key);
        return client;
    }

    /// <summary>Polls GET /api/v2/contacts/{id} until finished, checking the key set while pending too.</summary>
    private static Task<JsonElement> PollFinished(HttpClient client, string id, string[] keys) =>
        SeedRequests.PollUntil(client, $"/api/v2/contacts/{id}", result =>
        {
            result.ShouldHaveExactly(keys);
            result.GetProperty("status").GetString().ShouldBeOneOf("pending", "finished");
            return result.GetProperty("status").GetString() == "finished";
        });

    private static async Task<long> Credits(HttpClient client) =>
        (await (await client.GetAsync("/api/v2/credits")).ShouldAnswer()).ShouldHaveExactly("credits").GetProperty("credits").GetInt64();

    [DbFact]
    public async Task Single_enrich_is_accepted_pending_then_finished_by_poll_and_by_webhook()
    {
        await using var receiver = WebhookReceiver.Answering();
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        using var client = ws.Client();

        var response = await client.PostRaw(SingleEnrich, $$"""
            {
              "firstname": "Chloe",
              "lastname": "Walker",
              "enrichment_type": ["email"],
              "domain": "westmarkrobotics.com",
              "webhook_url": "{{receiver.Url}}",
              "custom": { "crm_id": "0035g00000XyZ12" }
            }
            """);

        var accepted = (await response.ShouldAnswer()).ShouldHaveExactly(AcceptedKeys);
        accepted.GetProperty("first_name").ShouldBeString("Chloe");
        accepted.GetProperty("last_name").ShouldBeString("Walker");
        accepted.GetProperty("status").ShouldBeString("pending");
        accepted.GetProperty("custom").ShouldHaveExactly("crm_id").GetProperty("crm_id").ShouldBeString("0035g00000XyZ12");
        var id = accepted.GetProperty("enrichment_id").GetString()!;

        var result = await PollFinished(client, id, ResultKeys("email"));
        result.GetProperty("enrichment_id").ShouldBeString(id);
        result.GetProperty("first_name").ShouldBeString("Chloe");
        result.GetProperty("last_name").ShouldBeString("Walker");
        result.GetProperty("email").ShouldBeString(SeedWorldApp.ChloeEmail);
        result.GetProperty("email_status").ShouldBeString("N/A"); // not probed: no MX or SMTP check in these tests
        result.GetProperty("phone").GetArrayLength().ShouldBe(0);
        result.GetProperty("custom").GetProperty("crm_id").ShouldBeString("0035g00000XyZ12");
        (await Credits(client)).ShouldBe(49);

        for (var i = 0; i < 100 && receiver.Received.Count == 0; i++) await Task.Delay(50);
        var hook = JsonDocument.Parse(receiver.Received.Single().Body).RootElement;
        JsonElement.DeepEquals(hook, result).ShouldBeTrue($"the webhook posts the polled result: {hook} vs {result}");
    }

    [DbFact]
    public async Task Every_enrichment_type_together_answers_every_key_once_consent_is_given()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        await app.GrantPersonalEmailConsentAsync(ws);
        using var client = ApiKeyClient(app, ws.Key);

        var accepted = (await (await client.PostRaw(SingleEnrich, """
            {
              "firstname": "Jordan",
              "lastname": "Rivera",
              "enrichment_type": ["email", "phone", "personal_email"],
              "company_name": "Example",
              "domain": "example.com",
              "linkedin_url": "https://www.linkedin.com/in/jordan-rivera",
              "phone_country_codes": ["US"]
            }
            """)).ShouldAnswer()).ShouldHaveExactly(AcceptedKeys);
        accepted.GetProperty("custom").ShouldHaveExactly();

        var result = await PollFinished(client, accepted.GetProperty("enrichment_id").GetString()!, ResultKeys("email", "personal_email"));
        result.GetProperty("email").ShouldBeString(SeedWorldApp.JordanEmail);
        result.GetProperty("email_status").ShouldBeString("N/A");
        result.GetProperty("personal_email").ShouldBeString(SeedWorldApp.JordanPersonalEmail);
        result.GetProperty("personal_email_status").ShouldBeString("N/A");
        result.GetProperty("phone").Strings().ShouldBe([SeedWorldApp.JordanPhone]);
        (await Credits(client)).ShouldBe(100 - 1 - 10 - 3);
    }

    [DbFact]
    public async Task Bulk_enrich_is_accepted_then_polled_by_batch_id_and_by_contact_id()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();

        var response = await client.PostRaw(BulkEnrich, """
            {
              "contacts": [
                { "firstname": "Chloe", "lastname": "Walker", "domain": "westmarkrobotics.com", "custom": { "row": 1 } },
                { "firstname": "Nobody", "lastname": "Known", "company_name": "Nowhere", "custom": { "row": 2 } }
              ],
              "enrichment_type": ["email"]
            }
            """);

        var accepted = (await response.ShouldAnswer(202)).ShouldHaveExactly("enrichment_id", "status", "contacts");
        accepted.GetProperty("status").ShouldBeString("queued");
        var contacts = accepted.GetProperty("contacts").EnumerateArray().ToList();
        contacts.Count.ShouldBe(2);
        for (var i = 0; i < 2; i++)
            contacts[i].ShouldHaveExactly("enrichment_id", "custom").GetProperty("custom").GetProperty("row").ShouldBeNumber(i + 1);

        var batch = await SeedRequests.PollUntil(client, $"/api/v2/contacts/{accepted.GetProperty("enrichment_id").GetString()}", b =>
        {
            b.ShouldHaveExactly("enrichment_id", "status", "contacts");
            b.GetProperty("status").GetString().ShouldBeOneOf("queued", "processing", "finished");
            return b.GetProperty("status").GetString() == "finished";
        });
        var results = batch.GetProperty("contacts").EnumerateArray().ToList();
        results.Count.ShouldBe(2);
        foreach (var result in results) result.ShouldHaveExactly(ResultKeys("email")).GetProperty("status").ShouldBeString("finished");
        results[0].GetProperty("email").ShouldBeString(SeedWorldApp.ChloeEmail);
        results[1].GetProperty("email").ShouldBeNull();
        results[1].GetProperty("email_status").ShouldBeString("N/A");
        for (var i = 0; i < 2; i++)
        {
            var one = await PollFinished(client, contacts[i].GetProperty("enrichment_id").GetString()!, ResultKeys("email"));
            JsonElement.DeepEquals(one, results[i]).ShouldBeTrue($"{one} vs {results[i]}");
        }
        (await Credits(client)).ShouldBe(99);
    }

    [DbFact]
    public async Task Each_error_row_that_http_can_produce_in_the_documented_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        using var client = ws.Client();

        // 400: each required field of the document.
        await (await client.PostRaw(SingleEnrich, """{ "lastname": "Walker", "enrichment_type": ["email"], "domain": "westmarkrobotics.com" }"""))
            .ShouldBeAsyncContactsError(400);
        await (await client.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "enrichment_type": ["email"], "domain": "westmarkrobotics.com" }"""))
            .ShouldBeAsyncContactsError(400);
        await (await client.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "lastname": "Walker", "domain": "westmarkrobotics.com" }"""))
            .ShouldBeAsyncContactsError(400);
        await (await client.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "lastname": "Walker", "enrichment_type": ["email"] }"""))
            .ShouldBeAsyncContactsError(400);
        await (await client.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "lastname": "Walker", "enrichment_type": ["phone"], "domain": "westmarkrobotics.com" }"""))
            .ShouldBeAsyncContactsError(400);
        await (await client.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "lastname": "Walker", "enrichment_type": ["personal_email"], "company_name": "Westmark" }"""))
            .ShouldBeAsyncContactsError(400);
        await (await client.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "lastname": "Walker", "enrichment_type": ["fax"], "domain": "westmarkrobotics.com" }"""))
            .ShouldBeAsyncContactsError(400);

        // 401: no key, or a key that does not exist.
        using var anonymous = app.CreateClient();
        await (await anonymous.PostRaw(SingleEnrich, "{}")).ShouldBeAsyncContactsError(401);
        using var invalid = ApiKeyClient(app, "wbk_" + new string('Q', 32));
        await (await invalid.GetAsync("/api/v2/credits")).ShouldBeAsyncContactsError(401);

        // 422 (the vendor's credit error): a phone costs up to 10 credits.
        var poor = await app.CreateWorkspaceAsync(credits: 5);
        using var poorClient = poor.Client();
        await (await poorClient.PostRaw(SingleEnrich, """
            { "firstname": "Jordan", "lastname": "Rivera", "enrichment_type": ["phone"], "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" }
            """)).ShouldBeAsyncContactsError(422);
        (await Credits(poorClient)).ShouldBe(5);

        // 403: a key that may not start enrichments, and one that may not read credits.
        using var reader = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.ReadEnrich]));
        await (await reader.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "lastname": "Walker", "enrichment_type": ["email"], "domain": "westmarkrobotics.com" }"""))
            .ShouldBeAsyncContactsError(403);
        using var enricher = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.WriteEnrich]));
        await (await enricher.GetAsync("/api/v2/credits")).ShouldBeAsyncContactsError(403);

        // 404 on a poll of an enrichment that does not exist.
        await (await client.GetAsync($"/api/v2/contacts/{Guid.NewGuid()}")).ShouldBeAsyncContactsError(404);

        // 422: personal_email without the workspace's consent, with the document's exact message.
        (await (await client.PostRaw(SingleEnrich, """
            { "firstname": "Jordan", "lastname": "Rivera", "enrichment_type": ["personal_email"], "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" }
            """)).ShouldBeAsyncContactsError(422)).ShouldBe(ConsentMessage);
        (await (await client.PostRaw(BulkEnrich, """
            {
              "contacts": [
                { "firstname": "Jordan", "lastname": "Rivera", "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" },
                { "firstname": "Chloe", "lastname": "Walker", "linkedin_url": "https://linkedin.com/in/chloewalker" }
              ],
              "enrichment_type": ["personal_email"]
            }
            """)).ShouldBeAsyncContactsError(422)).ShouldBe(ConsentMessage);
        (await Credits(client)).ShouldBe(50);
    }

    [DbFact]
    public async Task Over_the_rate_limit_single_and_bulk_requests_get_429_in_the_documented_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ApiKeyClient(app, ws.Key);

        var single = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.SinglePerMinute,
            () => client.PostRaw(SingleEnrich, "{}"),
            () => client.PostRaw(SingleEnrich, """{ "firstname": "Chloe", "lastname": "Walker", "enrichment_type": ["email"], "domain": "westmarkrobotics.com" }"""));
        await single.ShouldBeAsyncContactsError(429);
        single.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.SinglePerMinute.ToString());
        single.Headers.RetryAfter.ShouldNotBeNull();

        var bulk = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.BulkPerMinute, () => client.PostRaw(BulkEnrich, "{}"), () => client.PostRaw(BulkEnrich, """
            {
              "contacts": [
                { "firstname": "Jordan", "lastname": "Rivera", "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" },
                { "firstname": "Chloe", "lastname": "Walker", "linkedin_url": "https://linkedin.com/in/chloewalker" }
              ],
              "enrichment_type": ["phone"]
            }
            """));
        await bulk.ShouldBeAsyncContactsError(429);
        bulk.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.BulkPerMinute.ToString());
        (await Credits(client)).ShouldBe(100);
    }
}

public sealed class Seed003ExampleTests_Sqlite(SeedWorldSqliteApp app) : Seed003ExampleTests(app), IClassFixture<SeedWorldSqliteApp>;

public sealed class Seed003ExampleTests_Postgres(SeedWorldPostgresApp app) : Seed003ExampleTests(app), IClassFixture<SeedWorldPostgresApp>, IPostgresTests;
