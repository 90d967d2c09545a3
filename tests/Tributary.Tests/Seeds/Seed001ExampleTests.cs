using System.Text.Json;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Seeds;

/// <summary>
/// Seed 001, <c>POST /api/enrichments</c> and its operations: the single and batch modes, the four identity kinds of the
/// PersonIdentifier table, the synchronous 200, the accepted 202 and its poll, and the error rows that HTTP can produce.
/// </summary>
public abstract class Seed001ExampleTests(SeedWorldApp app)
{
    private const string Path = "/api/enrichments";

    /// <summary>The single mode with the table's LinkedIn example, asking only for contact fields: answered at once.</summary>
    private const string SingleLinkedinRequest = """
        {
          "identifier": { "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" },
          "fields": ["contact.email", "contact.phone"]
        }
        """;

    /// <summary>The batch mode with one identifier of each kind the PersonIdentifier table lists, with its example values.</summary>
    private const string BatchOfEveryIdentityKind = """
        {
          "identifiers": [
            { "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" },
            { "email": "jordan@example.com" },
            { "x_handle": "jordan_sales" },
            { "github_username": "jordanrivera" },
            { "email": "nobody@nowhere.example" }
          ],
          "fields": ["contact.email", "contact.phone"]
        }
        """;

    private async Task<(TestWorkspace Ws, HttpClient Client)> AccessKeyWorkspaceAsync(long credits)
    {
        var ws = await app.CreateWorkspaceAsync(credits: credits);
        return (ws, await app.AccessKeyClientAsync(ws.Key));
    }

    /// <summary><c>{"contact":{"email":[…],"phone":[…]}}</c> with what vendor_a knows of Jordan Rivera.</summary>
    private static void ShouldBeJordansContact(JsonElement data)
    {
        data.ShouldHaveExactly("contact");
        var contact = data.GetProperty("contact").ShouldHaveExactly("email", "phone");
        var email = contact.GetProperty("email").EnumerateArray().Single().ShouldHaveExactly("value", "status", "confidence", "source");
        email.GetProperty("value").ShouldBeString(SeedWorldApp.JordanEmail);
        email.GetProperty("status").ShouldBeString("unknown"); // no MX lookup or SMTP probe in these tests
        email.GetProperty("confidence").ShouldBeNumber(0.93);
        email.GetProperty("source").ShouldBeString("vendor_a");
        var phone = contact.GetProperty("phone").EnumerateArray().Single().ShouldHaveExactly("value", "type", "country", "confidence", "source");
        phone.GetProperty("value").ShouldBeString(SeedWorldApp.JordanPhone);
        phone.GetProperty("type").ShouldBeString("fixed_line_or_mobile");
        phone.GetProperty("country").ShouldBeString("US");
        phone.GetProperty("confidence").ShouldBeNumber(0.93);
        phone.GetProperty("source").ShouldBeString("vendor_a");
    }

    private static JsonElement ShouldBeAccepted(JsonElement accepted, HttpResponseMessage response)
    {
        accepted.ShouldHaveExactly("id", "operationId", "status", "pollUrl", "meta");
        var id = accepted.GetProperty("id").GetString()!;
        id.ShouldStartWith("op_");
        accepted.GetProperty("operationId").ShouldBeString(id);
        accepted.GetProperty("status").ShouldBeString("queued");
        accepted.GetProperty("pollUrl").ShouldBeString($"/api/operations/{id}");
        accepted.GetProperty("meta").ShouldHaveExactly("requestId").GetProperty("requestId").ShouldBeString(response.Headers.GetValues("X-Request-ID").Single());
        return accepted;
    }

    /// <summary>Polls until the operation leaves queued/processing; checks the operation's keys on every poll.</summary>
    private static Task<JsonElement> PollOperation(HttpClient client, string path) =>
        SeedRequests.PollUntil(client, path, op =>
        {
            op.ShouldHaveExactly("id", "status", "progress", "result", "error");
            op.GetProperty("status").GetString().ShouldBeOneOf("queued", "processing", "succeeded", "failed", "cancelled");
            return op.GetProperty("status").GetString() is not ("queued" or "processing");
        });

    private static async Task<long> Balance(HttpClient client) =>
        (await (await client.GetAsync("/v1/credits")).ShouldAnswer()).GetProperty("data").GetProperty("balance").GetInt64();

    [DbFact]
    public async Task A_single_linkedin_identifier_asking_for_contact_fields_answers_200_with_the_documented_fields()
    {
        var (ws, client) = await AccessKeyWorkspaceAsync(credits: 50);

        var response = await client.PostRaw(Path, SingleLinkedinRequest);

        var body = (await response.ShouldAnswer()).ShouldHaveExactly("data", "meta");
        ShouldBeJordansContact(body.GetProperty("data"));
        body.GetProperty("meta").ShouldHaveExactly("requestId").GetProperty("requestId").ShouldBeString(response.Headers.GetValues("X-Request-ID").Single());
        (await Balance(ws.Client())).ShouldBe(50 - 1 - 10); // contact.email = work_email 1, contact.phone = phone 10

        // The same request with a bearer key: answered from the cache, free.
        using var bearer = ws.Client();
        var again = (await (await bearer.PostRaw(Path, SingleLinkedinRequest)).ShouldAnswer()).ShouldHaveExactly("data", "meta");
        ShouldBeJordansContact(again.GetProperty("data"));
        (await Balance(bearer)).ShouldBe(39);
    }

    [DbFact]
    public async Task A_batch_of_every_identity_kind_is_accepted_then_polled_to_items_in_input_order()
    {
        var (_, client) = await AccessKeyWorkspaceAsync(credits: 100);

        var response = await client.PostRaw(Path, BatchOfEveryIdentityKind);

        var accepted = ShouldBeAccepted(await response.ShouldAnswer(202), response);
        var id = accepted.GetProperty("id").GetString()!;
        var done = await PollOperation(client, accepted.GetProperty("pollUrl").GetString()!);
        done.GetProperty("id").ShouldBeString(id);
        done.GetProperty("status").ShouldBeString("succeeded");
        done.GetProperty("progress").ShouldBeNumber(100);
        done.GetProperty("error").ShouldBeNull();
        var items = done.GetProperty("result").ShouldHaveExactly("items").GetProperty("items").EnumerateArray().ToList();
        var sent = JsonDocument.Parse(BatchOfEveryIdentityKind).RootElement.GetProperty("identifiers").EnumerateArray().ToList();
        items.Count.ShouldBe(sent.Count);
        for (var i = 0; i < sent.Count; i++)
            JsonElement.DeepEquals(items[i].GetProperty("identifier"), sent[i]).ShouldBeTrue($"item {i} echoes {sent[i]} as sent, not {items[i]}");
        foreach (var success in items.Take(4))
        {
            success.ShouldHaveExactly("identifier", "status", "data");
            success.GetProperty("status").ShouldBeString("success");
            // Items that run after the first may be answered from the cache, which keeps the provider's name.
            ShouldBeJordansContact(success.GetProperty("data"));
        }
        var failed = items[4].ShouldHaveExactly("identifier", "status", "error");
        failed.GetProperty("status").ShouldBeString("failed");
        var error = failed.GetProperty("error").ShouldHaveExactly("code", "message");
        error.GetProperty("code").ShouldBeString("no_match");
        error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();

        // GET /api/enrichments/:id is the same resource as the pollUrl.
        (await (await client.GetAsync($"/api/enrichments/{id}")).ShouldAnswer()).ToString().ShouldBe(done.ToString());
    }

    [DbFact]
    public async Task A_single_identifier_of_each_other_kind_or_asking_for_signals_is_accepted_and_polled_to_its_data()
    {
        var (_, client) = await AccessKeyWorkspaceAsync(credits: 100);
        foreach (var identifier in new[] { """{ "email": "jordan@example.com" }""", """{ "x_handle": "jordan_sales" }""", """{ "github_username": "jordanrivera" }""" })
        {
            var response = await client.PostRaw(Path, $$"""{ "identifier": {{identifier}}, "fields": ["contact.email", "contact.phone"] }""");
            var accepted = ShouldBeAccepted(await response.ShouldAnswer(202), response);
            var done = await PollOperation(client, $"/api/enrichments/{accepted.GetProperty("id").GetString()}");
            done.GetProperty("status").ShouldBeString("succeeded");
            ShouldBeJordansContact(done.GetProperty("result").ShouldHaveExactly("data").GetProperty("data"));
        }

        var signals = await client.PostRaw(Path, """
            {
              "identifier": { "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" },
              "fields": ["contact.email", "signals"],
              "signals_config": { "since_days": 3650 }
            }
            """);
        var signalsAccepted = ShouldBeAccepted(await signals.ShouldAnswer(202), signals);
        var withSignals = await PollOperation(client, signalsAccepted.GetProperty("pollUrl").GetString()!);
        var data = withSignals.GetProperty("result").ShouldHaveExactly("data").GetProperty("data").ShouldHaveExactly("contact", "signals");
        data.GetProperty("contact").ShouldHaveExactly("email");
        var post = data.GetProperty("signals").GetProperty("posts").EnumerateArray().Single();
        post.GetProperty("text").ShouldBeString("Hiring AEs");
    }

    [DbFact]
    public async Task Each_error_row_that_http_can_produce_in_the_documented_error_body()
    {
        var (ws, client) = await AccessKeyWorkspaceAsync(credits: 50);

        // 400: both modes at once, neither, no fields, an unknown field, an identifier of no supported kind.
        var both = await (await client.PostRaw(Path, """
            { "identifier": { "email": "jordan@example.com" }, "identifiers": [{ "email": "jordan@example.com" }], "fields": ["contact.email"] }
            """)).ShouldBeOperationsError(400, Path);
        both.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("property").GetString()).ShouldContain("identifiers");
        await (await client.PostRaw(Path, """{ "fields": ["contact.email"] }""")).ShouldBeOperationsError(400, Path);
        await (await client.PostRaw(Path, """{ "identifier": { "email": "jordan@example.com" } }""")).ShouldBeOperationsError(400, Path);
        await (await client.PostRaw(Path, """{ "identifier": { "email": "jordan@example.com" }, "fields": ["contact.fax"] }""")).ShouldBeOperationsError(400, Path);
        await (await client.PostRaw(Path, """{ "identifier": { "name": "Jordan Rivera" }, "fields": ["contact.email"] }""")).ShouldBeOperationsError(400, Path);

        // 401: a secret that is no key, and a real secret under another key's id.
        using var wrongSecret = app.CreateClient();
        wrongSecret.DefaultRequestHeaders.Add("X-Access-Key", (await app.KeyIdAsync(ws.Key)).ToString());
        wrongSecret.DefaultRequestHeaders.Add("X-Secret-Key", "wbk_" + new string('Z', 32));
        await (await wrongSecret.PostRaw(Path, SingleLinkedinRequest)).ShouldBeOperationsError(401, Path);
        using var wrongId = app.CreateClient();
        wrongId.DefaultRequestHeaders.Add("X-Access-Key", Guid.NewGuid().ToString());
        wrongId.DefaultRequestHeaders.Add("X-Secret-Key", ws.Key);
        await (await wrongId.PostRaw(Path, SingleLinkedinRequest)).ShouldBeOperationsError(401, Path);

        // 402: too few credits for the synchronous call and for a batch; nothing is charged.
        var poor = await app.CreateWorkspaceAsync(credits: 5);
        using var poorClient = await app.AccessKeyClientAsync(poor.Key);
        await (await poorClient.PostRaw(Path, SingleLinkedinRequest)).ShouldBeOperationsError(402, Path);
        await (await poorClient.PostRaw(Path, BatchOfEveryIdentityKind)).ShouldBeOperationsError(402, Path);
        (await Balance(poor.Client())).ShouldBe(5);

        // 403: a key that may read operations but not start them.
        using var reader = await app.AccessKeyClientAsync(await app.CreateKeyAsync(ws.Id, [Permissions.ReadEnrich]));
        await (await reader.PostRaw(Path, SingleLinkedinRequest)).ShouldBeOperationsError(403, Path);

        // 404 on a poll of an operation that does not exist.
        await (await client.GetAsync("/api/operations/op_00000000-0000-0000-0000-000000000000"))
            .ShouldBeOperationsError(404, "/api/operations/op_00000000-0000-0000-0000-000000000000");
        (await Balance(ws.Client())).ShouldBe(50);
    }

    [DbFact]
    public async Task The_rate_limited_row_for_single_and_batch_requests()
    {
        var (_, client) = await AccessKeyWorkspaceAsync(credits: 100);

        var single = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.SinglePerMinute,
            () => client.PostRaw(Path, """{ "fields": ["contact.email"] }"""), () => client.PostRaw(Path, SingleLinkedinRequest));
        await single.ShouldBeOperationsError(429, Path);
        single.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.SinglePerMinute.ToString());

        // A batch counts in its own class, which the single requests above did not touch.
        var batch = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.BulkPerMinute,
            () => client.PostRaw(Path, """{ "identifiers": [], "fields": ["contact.email"] }"""), () => client.PostRaw(Path, BatchOfEveryIdentityKind));
        await batch.ShouldBeOperationsError(429, Path);
        batch.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.BulkPerMinute.ToString());
    }
}

public sealed class Seed001ExampleTests_Sqlite(SeedWorldSqliteApp app) : Seed001ExampleTests(app), IClassFixture<SeedWorldSqliteApp>;

public sealed class Seed001ExampleTests_Postgres(SeedWorldPostgresApp app) : Seed001ExampleTests(app), IClassFixture<SeedWorldPostgresApp>, IPostgresTests;
