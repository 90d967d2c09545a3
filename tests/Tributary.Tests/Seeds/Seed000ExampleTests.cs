using System.Text.Json;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Seeds;

/// <summary>Seed 000, <c>POST /v1/enrich/contact</c>: every example and every error row of the document, as its clients send them.</summary>
public abstract class Seed000ExampleTests(SeedWorldApp app)
{
    private const string Path = "/v1/enrich/contact";
    private const string DocumentedContactId = "123e4567-e89b-12d3-a456-426614174000";

    /// <summary>The contact object: the example's fields and the rest of DESIGN §4's contact.</summary>
    private static readonly string[] ContactKeys =
    [
        "id", "full_name", "email", "job_title", "company_name", "linkedin_url", "phone", "location",
        "first_name", "last_name", "personal_email", "seniority", "company_domain", "x_handle", "github_username", "tags", "custom",
        "field_sources", "created_at", "updated_at",
    ];

    /// <summary>The example's request body, with the id of a contact the server created in place of the document's id.</summary>
    private static string ExampleRequest(Guid contactId) => $$"""
        {
            "contact_id": "{{contactId}}"
          }
        """;

    /// <summary>Jane Doe as the CRM holds her before enrichment: a name, a work email and a phone.</summary>
    private static Task<Guid> CreateJaneAsync(HttpClient client) => CreateContactAsync(client, "Jane Doe", SeedWorldApp.JaneEmail);

    private static async Task<Guid> CreateContactAsync(HttpClient client, string fullName, string email)
    {
        var created = await (await client.PostJson("/v1/contacts", new { full_name = fullName, email, phone = "+1-555-0100" })).ShouldAnswer(201);
        return created.GetProperty("data").GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> StoredContact(HttpClient client, Guid id) =>
        (await (await client.GetAsync($"/v1/contacts/{id}")).ShouldAnswer()).GetProperty("data");

    private static async Task<long> Balance(HttpClient client) =>
        (await (await client.GetAsync("/v1/credits")).ShouldAnswer()).GetProperty("data").GetProperty("balance").GetInt64();

    [DbFact]
    public async Task The_example_request_answers_the_example_response_field_by_field()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 4872);
        using var client = ws.Client();
        var id = await CreateJaneAsync(client);

        var response = await client.PostRaw(Path, ExampleRequest(id));

        var body = (await response.ShouldAnswer()).ShouldHaveExactly("data");
        var data = body.GetProperty("data").ShouldHaveExactly("contact", "fields_updated", "source", "confidence", "credits_remaining");
        var contact = data.GetProperty("contact").ShouldHaveExactly(ContactKeys);
        contact.GetProperty("id").ShouldBeString(id.ToString());
        contact.GetProperty("full_name").ShouldBeString("Jane Doe");
        contact.GetProperty("email").ShouldBeString("jane@acme.com");
        contact.GetProperty("job_title").ShouldBeString("General Counsel");
        contact.GetProperty("company_name").ShouldBeString("Acme Corp");
        contact.GetProperty("linkedin_url").ShouldBeString("https://linkedin.com/in/janedoe");
        contact.GetProperty("phone").ShouldBeString("+1-555-0100");
        contact.GetProperty("location").ShouldBeString("New York, NY, US");
        data.GetProperty("fields_updated").Strings().ShouldBe(["job_title", "company_name", "linkedin_url", "location"]);
        data.GetProperty("source").ShouldBeString("vendor_a");
        data.GetProperty("confidence").ShouldBeNumber(0.91);
        data.GetProperty("credits_remaining").ShouldBeNumber(4871);

        var stored = await StoredContact(client, id);
        stored.GetProperty("job_title").ShouldBeString("General Counsel");
        stored.GetProperty("field_sources").GetProperty("job_title").GetProperty("source").ShouldBeString("vendor_a");
        (await Balance(client)).ShouldBe(4871);
    }

    [DbFact]
    public async Task The_placeholder_request_of_the_document_is_a_validation_error()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        await CreateJaneAsync(client);
        var calls = app.Fakes.Calls.Count;

        var response = await client.PostRaw(Path, """
            {
              "contact_id": "<string>",
              "fields": [
                {}
              ],
              "overwrite": true
            }
            """);

        (await response.ShouldBeNativeError(400, "validation_error")).GetProperty("message").GetString()!.ShouldContain("contact_id");
        app.Fakes.Calls.Count.ShouldBe(calls);
        (await Balance(client)).ShouldBe(10);
    }

    [DbFact]
    public async Task A_retried_request_with_the_same_idempotency_key_is_replayed_and_charged_once()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var id = await CreateJaneAsync(client);
        var key = Guid.NewGuid().ToString();

        var first = await client.PostWithIdempotencyKey(Path, ExampleRequest(id), key);
        var retried = await client.PostWithIdempotencyKey(Path, ExampleRequest(id), key);

        var original = await first.ShouldAnswer();
        (await retried.ShouldAnswer()).ToString().ShouldBe(original.ToString());
        retried.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        original.GetProperty("data").GetProperty("credits_remaining").ShouldBeNumber(9);
        (await Balance(client)).ShouldBe(9);
    }

    [DbFact]
    public async Task Every_row_of_the_error_table_in_the_documented_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var jane = await CreateJaneAsync(client);

        // 400 validation_error: contact_id missing or malformed.
        await (await client.PostRaw(Path, "{}")).ShouldBeNativeError(400, "validation_error");
        await (await client.PostRaw(Path, """{"contact_id": "123e4567"}""")).ShouldBeNativeError(400, "validation_error");

        // 401 invalid_key: the document's placeholder key, sent exactly as its curl example does.
        using var placeholder = app.BearerClient("wbk_your_api_key_here");
        await (await placeholder.PostRaw(Path, ExampleRequest(jane))).ShouldBeNativeError(401, "invalid_key");

        // 402 insufficient_credits: a workspace at zero; the contact is not modified and no provider is asked.
        var broke = await app.CreateWorkspaceAsync(credits: 0);
        using var brokeClient = broke.Client();
        var brokeJane = await CreateJaneAsync(brokeClient);
        var calls = app.Fakes.Calls.Count;
        await (await brokeClient.PostRaw(Path, ExampleRequest(brokeJane))).ShouldBeNativeError(402, "insufficient_credits");
        app.Fakes.Calls.Count.ShouldBe(calls);
        (await StoredContact(brokeClient, brokeJane)).GetProperty("job_title").ShouldBeNull();

        // 403 insufficient_permissions: a key without write:enrich.
        using var reader = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.ReadContacts, Permissions.ReadEnrich, Permissions.ReadCredits]));
        await (await reader.PostRaw(Path, ExampleRequest(jane))).ShouldBeNativeError(403, "insufficient_permissions");

        // 404 not_found: the document's own contact id is no contact of this workspace; nor is another workspace's contact.
        await (await client.PostRaw(Path, """
            {
                "contact_id": "123e4567-e89b-12d3-a456-426614174000"
              }
            """)).ShouldBeNativeError(404, "not_found");
        await (await brokeClient.PostRaw(Path, ExampleRequest(jane))).ShouldBeNativeError(404, "not_found");

        // 409 no_match: no provider knows the contact; free.
        var stranger = await CreateContactAsync(client, "Nobody Known", "nobody@nowhere.example");
        await (await client.PostRaw(Path, ExampleRequest(stranger))).ShouldBeNativeError(409, "no_match");
        (await Balance(client)).ShouldBe(10);
        (await StoredContact(client, jane)).GetProperty("job_title").ShouldBeNull();
    }

    [DbFact]
    public async Task The_rate_limited_row_reports_the_limit_and_when_to_retry()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var jane = await CreateJaneAsync(client);

        var limited = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.SinglePerMinute,
            () => client.PostRaw(Path, "{}"), () => client.PostRaw(Path, ExampleRequest(jane)));

        await limited.ShouldBeNativeError(429, "rate_limited");
        limited.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.SinglePerMinute.ToString());
        limited.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe("0");
        (await StoredContact(client, jane)).GetProperty("job_title").ShouldBeNull();
    }
}

public sealed class Seed000ExampleTests_Sqlite(SeedWorldSqliteApp app) : Seed000ExampleTests(app), IClassFixture<SeedWorldSqliteApp>;

public sealed class Seed000ExampleTests_Postgres(SeedWorldPostgresApp app) : Seed000ExampleTests(app), IClassFixture<SeedWorldPostgresApp>, IPostgresTests;
