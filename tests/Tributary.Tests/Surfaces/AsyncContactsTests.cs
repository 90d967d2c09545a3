using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Webhooks;

namespace Tributary.Tests.Surfaces;

/// <summary>Seed 003 over one fake vendor; <paramref name="allowPrivateNetworks"/> lets webhooks reach loopback receivers.</summary>
public abstract class AsyncContactsApp(DatabaseProvider provider, bool allowPrivateNetworks = true) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor"] = new()
        {
            Channels = ["work_email", "phone", "personal_email"],
            People =
            [
                new() { ["first_name"] = "Chloe", ["last_name"] = "Walker", ["company_domain"] = "westmarkrobotics.com",
                        ["linkedin_url"] = "https://www.linkedin.com/in/chloewalker", ["work_email"] = "chloe.walker@westmarkrobotics.com",
                        ["phone"] = "+14155238841", ["personal_email"] = "chloe@inbox.example" },
                new() { ["first_name"] = "Jordan", ["last_name"] = "Rivera", ["company_domain"] = "tidewell.io",
                        ["linkedin_url"] = "https://www.linkedin.com/in/jordan-rivera", ["work_email"] = "jordan.rivera@tidewell.io",
                        ["phone"] = "+33612345678" },
            ],
        },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["vendor"], ["phone"] = ["vendor"], ["personal_email"] = ["vendor"] },
    new Dictionary<string, object>
    {
        ["Tributary:Jobs:PollIntervalMs"] = 50, ["Tributary:Webhooks:AllowPrivateNetworks"] = allowPrivateNetworks, ["Tributary:Webhooks:PollIntervalMs"] = 50,
    });

public sealed class AsyncContactsSqliteApp() : AsyncContactsApp(DatabaseProvider.Sqlite);
public sealed class AsyncContactsPostgresApp() : AsyncContactsApp(DatabaseProvider.Postgres);

/// <summary>Seed 003 with the production default: webhooks may only target public addresses.</summary>
public sealed class GuardedAsyncContactsSqliteApp() : AsyncContactsApp(DatabaseProvider.Sqlite, allowPrivateNetworks: false);
public sealed class GuardedAsyncContactsPostgresApp() : AsyncContactsApp(DatabaseProvider.Postgres, allowPrivateNetworks: false);

public abstract class AsyncContactsTests(AsyncContactsApp app)
{
    private static HttpClient ApiKeyClient(TributaryApp app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-KEY", key);
        return client;
    }

    private static Task<JsonElement> PollFinished(HttpClient client, string id) =>
        Polling.UntilAsync(async () => await (await client.GetAsync($"/api/v2/contacts/{id}")).ShouldBeOk(),
            body => body.GetProperty("status").GetString() == "finished", $"enrichment {id}", attempts: 200);

    [DbFact]
    public async Task Single_enrich_is_accepted_pending_then_finished_with_custom_echoed()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        using var client = ApiKeyClient(app, ws.Key);
        var accepted = await (await client.PostJson("/api/v2/contacts/single_enrich", new
        {
            firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com", enrichment_type = new[] { "email" }, custom = new { crm_id = "A-42" },
        })).ShouldBeOk();
        accepted.GetProperty("status").GetString().ShouldBe("pending");
        accepted.GetProperty("first_name").GetString().ShouldBe("Chloe");
        accepted.GetProperty("last_name").GetString().ShouldBe("Walker");
        accepted.GetProperty("custom").GetProperty("crm_id").GetString().ShouldBe("A-42");
        var id = accepted.GetProperty("enrichment_id").GetString()!;

        var result = await PollFinished(client, id);
        result.GetProperty("email").GetString().ShouldBe("chloe.walker@westmarkrobotics.com");
        result.GetProperty("email_status").GetString().ShouldBe("N/A");
        result.TryGetProperty("personal_email", out _).ShouldBeFalse();
        result.GetProperty("phone").GetArrayLength().ShouldBe(0);
        result.GetProperty("custom").GetProperty("crm_id").GetString().ShouldBe("A-42");
        (await (await client.GetAsync("/api/v2/credits")).ShouldBeOk()).GetProperty("credits").GetInt64().ShouldBe(49);
    }

    [DbFact]
    public async Task Phones_follow_the_requested_countries_else_the_workspace_default()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ApiKeyClient(app, ws.Key);
        var us = await (await client.PostJson("/api/v2/contacts/single_enrich", new
        {
            firstname = "Chloe", lastname = "Walker", linkedin_url = "https://www.linkedin.com/in/chloewalker", enrichment_type = new[] { "phone" },
            phone_country_codes = new[] { "US" },
        })).ShouldBeOk();
        (await PollFinished(client, us.GetProperty("enrichment_id").GetString()!)).GetProperty("phone")[0].GetString().ShouldBe("+14155238841");

        using var admin = app.Admin();
        (await admin.PatchJson($"/admin/workspaces/{ws.Id}", new { default_phone_countries = new[] { "GB" } })).EnsureSuccessStatusCode();
        var french = await (await client.PostJson("/api/v2/contacts/single_enrich", new
        {
            firstname = "Jordan", lastname = "Rivera", linkedin_url = "https://www.linkedin.com/in/jordan-rivera", enrichment_type = new[] { "phone" },
        })).ShouldBeOk();
        (await PollFinished(client, french.GetProperty("enrichment_id").GetString()!)).GetProperty("phone").GetArrayLength().ShouldBe(0);
    }

    [DbFact]
    public async Task Required_fields_consent_and_auth_errors_use_the_seed_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        using var client = ApiKeyClient(app, ws.Key);
        async Task Expect(object body, int status, string? message = null)
        {
            var response = await client.PostJson("/api/v2/contacts/single_enrich", body);
            var json = await response.Json();
            ((int)response.StatusCode).ShouldBe(status, json.ToString());
            json.GetProperty("error").GetInt32().ShouldBe(status);
            if (message is not null) json.GetProperty("message").GetString().ShouldBe(message);
            else json.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        }
        await Expect(new { lastname = "Walker", domain = "x.io", enrichment_type = new[] { "email" } }, 400);
        await Expect(new { firstname = "Chloe", lastname = "Walker", enrichment_type = new[] { "email" } }, 400);
        await Expect(new { firstname = "Chloe", lastname = "Walker", domain = "x.io", enrichment_type = new[] { "phone" } }, 400);
        await Expect(new { firstname = "Chloe", lastname = "Walker", domain = "x.io", enrichment_type = Array.Empty<string>() }, 400);
        await Expect(new { firstname = "Chloe", lastname = "Walker", domain = "x.io", enrichment_type = new[] { "fax" } }, 400);
        await Expect(new { firstname = "Chloe", lastname = "Walker", linkedin_url = "https://www.linkedin.com/in/chloewalker", enrichment_type = new[] { "personal_email" } },
            422, "You can't use the personal email enrichment feature without consenting with our terms of use");

        using var wrong = ApiKeyClient(app, "wbk_" + new string('Q', 32));
        var unauthorized = await wrong.PostJson("/api/v2/contacts/single_enrich", new { });
        unauthorized.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await unauthorized.Json()).GetProperty("error").GetInt32().ShouldBe(401);
        (await (await client.GetAsync($"/api/v2/contacts/{Guid.NewGuid()}")).Json()).GetProperty("error").GetInt32().ShouldBe(404);
        (await (await wrong.GetAsync("/api/v2/credits")).Json()).GetProperty("error").GetInt32().ShouldBe(401);
        using var enrichOnly = ApiKeyClient(app, await app.CreateKeyAsync(ws.Id, ["write:enrich"]));
        var forbidden = await enrichOnly.GetAsync("/api/v2/credits");
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forbidden.Json()).GetProperty("error").GetInt32().ShouldBe(403);
        var malformed = await client.PostRaw("/api/v2/contacts/single_enrich", "{\"firstname\": ");
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await malformed.Json()).GetProperty("error").GetInt32().ShouldBe(400);

        var poor = await app.CreateWorkspaceAsync(credits: 5);
        using var poorClient = ApiKeyClient(app, poor.Key);
        var refused = await poorClient.PostJson("/api/v2/contacts/single_enrich", new
        {
            firstname = "Chloe", lastname = "Walker", linkedin_url = "https://www.linkedin.com/in/chloewalker", enrichment_type = new[] { "phone" },
        });
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var refusal = await refused.Json();
        refusal.GetProperty("error").GetInt32().ShouldBe(422);
        refusal.GetProperty("message").GetString()
            .ShouldBe("Insufficient enrichment credits: this request needs up to 10 credits and the workspace has 5 available");
    }

    [DbFact]
    public async Task A_credit_refusal_is_422_on_every_route_and_a_retry_after_a_top_up_runs()
    {
        var poor = await app.CreateWorkspaceAsync(credits: 5);
        using var client = ApiKeyClient(app, poor.Key);
        HttpRequestMessage Single(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = JsonContent.Create(new
                {
                    firstname = "Chloe", lastname = "Walker", linkedin_url = "https://www.linkedin.com/in/chloewalker", enrichment_type = new[] { "phone" },
                }),
            };
            request.Headers.Add("Idempotency-Key", "topup-" + path);
            return request;
        }
        foreach (var path in new[] { "/api/v2/contacts/single_enrich", "/v2/contacts/single_enrich", "/v2/contacts/sync_single_enrich" })
        {
            var refused = await client.SendAsync(Single(path));
            ((int)refused.StatusCode).ShouldBe(422, path);
            (await refused.Json()).GetProperty("message").GetString()!.ShouldStartWith("Insufficient enrichment credits");
        }
        var bulk = await client.PostJson("/v2/contacts/bulk_enrich", new
        {
            contacts = new object[]
            {
                new { firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com" },
                new { firstname = "Jordan", lastname = "Rivera", domain = "tidewell.io" },
            },
            enrichment_type = new[] { "email", "phone" },
        });
        ((int)bulk.StatusCode).ShouldBe(400); // phone needs linkedin_url: validation comes before credits
        (await (await client.GetAsync("/api/v2/credits")).Json()).GetProperty("credits").GetInt64().ShouldBe(5);

        // A credit refusal is not kept for replay: after a top-up the same key runs.
        using (var admin = app.Admin())
            (await admin.PostAsJsonAsync($"/admin/workspaces/{poor.Id}/credits", new { amount = 20, reason = "top-up" })).EnsureSuccessStatusCode();
        var ran = await (await client.SendAsync(Single("/api/v2/contacts/single_enrich"))).ShouldBeOk();
        ran.GetProperty("status").GetString().ShouldBe("pending");
    }

    [DbFact]
    public async Task The_synchronous_host_answers_the_result_which_also_polls_and_is_posted()
    {
        await using var receiver = WebhookReceiver.Answering();
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        using var client = ApiKeyClient(app, ws.Key);
        var result = await (await client.PostJson("/v2/contacts/single_enrich", new
        {
            firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com", linkedin_url = "https://www.linkedin.com/in/chloewalker",
            enrichment_type = new[] { "email", "phone" }, phone_country_codes = new[] { "US" }, custom = new { crm_id = "A-7" }, webhook_url = receiver.Url,
        })).ShouldBeOk();
        result.GetProperty("status").GetString().ShouldBe("success");
        result.GetProperty("first_name").GetString().ShouldBe("Chloe");
        result.GetProperty("linkedin_profile_url").GetString().ShouldBe("https://www.linkedin.com/in/chloewalker");
        result.GetProperty("email").GetString().ShouldBe("chloe.walker@westmarkrobotics.com");
        result.GetProperty("email_status").GetString().ShouldBe("N/A");
        result.GetProperty("personal_email").ValueKind.ShouldBe(JsonValueKind.Null);
        result.GetProperty("phones").EnumerateArray().Select(p => p.GetString()).ShouldBe(["+14155238841"]);
        result.GetProperty("phone_status").GetString().ShouldBe("deliverable");
        result.GetProperty("custom").GetProperty("crm_id").GetString().ShouldBe("A-7");
        (await (await client.GetAsync("/v2/credits")).Json()).GetProperty("credits").GetInt64().ShouldBe(39);

        var id = result.GetProperty("enrichment_id").GetString()!;
        foreach (var poll in new[] { $"/api/v2/contacts/{id}", $"/v2/contacts/{id}" })
        {
            var polled = await (await client.GetAsync(poll)).ShouldBeOk();
            polled.GetProperty("status").GetString().ShouldBe("finished");
            polled.GetProperty("email").GetString().ShouldBe("chloe.walker@westmarkrobotics.com");
        }
        await Polling.UntilAsync(() => Task.FromResult(receiver.Received.Count), n => n == 1, "the webhook", attempts: 100);
        JsonDocument.Parse(receiver.Received[0].Body).RootElement.GetProperty("enrichment_id").GetString().ShouldBe(id);

        var none = await (await client.PostJson("/v2/contacts/sync_single_enrich", new
        {
            firstname = "Nobody", lastname = "Known", domain = "nowhere.io", enrichment_type = new[] { "email" },
        })).ShouldBeOk();
        none.GetProperty("status").GetString().ShouldBe("not_found");
        none.GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);
        none.GetProperty("phones").GetArrayLength().ShouldBe(0);
        none.GetProperty("phone_status").GetString().ShouldBe("N/A");
    }

    [DbFact]
    public async Task The_account_route_answers_any_key_and_unknown_routes_answer_in_each_surface_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1);
        var keyOfNoPermission = await app.CreateKeyAsync(ws.Id, ["read:contacts"]);
        using var client = ApiKeyClient(app, keyOfNoPermission);
        foreach (var path in new[] { "/api/v2/account", "/v2/account" })
        {
            var account = await (await client.GetAsync(path)).ShouldBeOk();
            account.GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
            account.GetProperty("name").GetString().ShouldNotBeNullOrEmpty();
            account.GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);
            account.GetProperty("organization").GetProperty("id").GetGuid().ShouldBe(ws.Id);
        }
        using var anonymous = app.CreateClient();
        (await anonymous.GetAsync("/api/v2/account")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        foreach (var (method, path) in new[] { ("GET", "/api/v2/nothing/here"), ("POST", "/v2/contacts/nothing"), ("DELETE", "/api/v2/credits") })
        {
            var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            var body = await response.Json();
            body.GetProperty("error").GetInt32().ShouldBe((int)response.StatusCode, $"{method} {path}: {body}");
            body.GetProperty("message").GetString().ShouldNotBeNullOrEmpty();
        }
        var leadBulk = await (await client.GetAsync("/api/v1/operations/nothing")).Json();
        leadBulk.GetProperty("error").GetProperty("code").GetString().ShouldBe("NOT_FOUND");
        foreach (var path in new[] { "/api/enrichments/a/b", "/api/operations" })
        {
            var operations = await (await client.GetAsync(path)).Json();
            operations.GetProperty("statusCode").GetInt32().ShouldBeOneOf(404, 405);
            operations.GetProperty("path").GetString().ShouldBe(path);
        }
        var native = await (await client.GetAsync("/v1/nothing")).Json();
        native.GetProperty("error").GetProperty("code").GetString().ShouldBe("not_found");
    }

    [DbFact]
    public async Task Bulk_enrich_posts_one_signed_webhook_per_contact_and_polls_by_batch_or_contact()
    {
        await using var receiver = WebhookReceiver.Answering();
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ApiKeyClient(app, ws.Key);
        var accepted = await (await client.PostJson("/api/v2/contacts/bulk_enrich", new
        {
            contacts = new object[]
            {
                new { firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com", custom = new { row = 1 } },
                new { firstname = "Jordan", lastname = "Rivera", company_name = "Tidewell", domain = "tidewell.io", custom = new { row = 2 } },
                new { firstname = "Nobody", lastname = "Known", domain = "nowhere.io", custom = new { row = 3 } },
            },
            enrichment_type = new[] { "email" },
            webhook_url = receiver.Url,
        })).ShouldBeOk(202);
        accepted.GetProperty("status").GetString().ShouldBe("queued");
        var contacts = accepted.GetProperty("contacts").EnumerateArray().ToList();
        contacts.Count.ShouldBe(3);
        contacts[1].GetProperty("custom").GetProperty("row").GetInt32().ShouldBe(2);

        var batch = await PollFinished(client, accepted.GetProperty("enrichment_id").GetString()!);
        batch.GetProperty("contacts").EnumerateArray().Select(c => c.GetProperty("email").ValueKind == JsonValueKind.String ? c.GetProperty("email").GetString() : null)
            .ShouldBe(["chloe.walker@westmarkrobotics.com", "jordan.rivera@tidewell.io", null]);
        var single = await PollFinished(client, contacts[2].GetProperty("enrichment_id").GetString()!);
        single.GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);
        single.GetProperty("status").GetString().ShouldBe("finished");

        for (var i = 0; i < 100 && receiver.Received.Count < 3; i++) await Task.Delay(100);
        receiver.Received.Count.ShouldBe(3);
        var secret = (await (await ws.Client().GetAsync("/v1/workspace/settings")).Json()).GetProperty("data").GetProperty("webhook_secret").GetString()!;
        foreach (var hook in receiver.Received)
        {
            var body = JsonDocument.Parse(hook.Body).RootElement;
            body.GetProperty("status").GetString().ShouldBe("finished");
            body.GetProperty("custom").GetProperty("row").GetInt32().ShouldBeInRange(1, 3);
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var signed = Encoding.UTF8.GetBytes($"{hook.Id}.{hook.Timestamp}.").Concat(hook.Body).ToArray();
            hook.Signature.ShouldBe("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed)));
        }
        (await (await client.GetAsync("/api/v2/credits")).Json()).GetProperty("credits").GetInt64().ShouldBe(98);
    }
}

public sealed class AsyncContactsTests_Sqlite(AsyncContactsSqliteApp app) : AsyncContactsTests(app), IClassFixture<AsyncContactsSqliteApp>;

public sealed class AsyncContactsTests_Postgres(AsyncContactsPostgresApp app) : AsyncContactsTests(app), IClassFixture<AsyncContactsPostgresApp>, IPostgresTests;
