using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Jobs;
using Tributary.Core.Storage;
using Tributary.Server.Surfaces.Operations;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Surfaces;

public abstract class OperationsApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor_a"] = new()
        {
            Channels = ["work_email", "phone", "signals", "full_name", "job_title", "company_name", "company_domain", "location", "seniority"],
            Confidence = 0.93,
            People =
            [
                new() { ["linkedin_url"] = "https://www.linkedin.com/in/jordan-rivera", ["email"] = "jordan@example.com", ["work_email"] = "jordan@example.com",
                        ["phone"] = "+14155238841", ["x_handle"] = "jordan_sales",
                        ["full_name"] = "Jordan Rivera", ["job_title"] = "Head of Sales", ["company_name"] = "Example Inc",
                        ["company_domain"] = "example.com",
                        ["signals"] = new Dictionary<string, object> { ["posts"] = new[] { new { platform = "x", text = "Hiring!", posted_at = "2026-11-01" } } } },
                // Answers after the item deadline, though within the provider's own timeout.
                new() { ["x_handle"] = "slow_sales", ["work_email"] = "slow@example.com", ["_latency_ms"] = 6000 },
            ],
        },
    },
    new Dictionary<string, string[]>
    {
        ["work_email"] = ["vendor_a"], ["phone"] = ["vendor_a"], ["signals"] = ["vendor_a"], ["full_name"] = ["vendor_a"],
        ["job_title"] = ["vendor_a"], ["company_name"] = ["vendor_a"], ["company_domain"] = ["vendor_a"], ["location"] = ["vendor_a"],
        ["seniority"] = ["vendor_a"],
    },
    new Dictionary<string, object>
    {
        ["Tributary:Jobs:PollIntervalMs"] = 50, ["Tributary:Jobs:ItemDeadlineMs"] = 3000, ["Tributary:Providers:vendor_a:TimeoutMs"] = 8000,
    });

public sealed class OperationsSqliteApp() : OperationsApp(DatabaseProvider.Sqlite);
public sealed class OperationsPostgresApp() : OperationsApp(DatabaseProvider.Postgres);

public abstract class OperationsTests(OperationsApp app)
{
    private async Task<(TestWorkspace Ws, HttpClient Client)> AccessKeyClientAsync(long credits)
    {
        var ws = await app.CreateWorkspaceAsync(credits: credits);
        await using var db = app.NewDb();
        var hash = Tributary.Core.Workspaces.Secrets.Hash(ws.Key);
        var keyId = db.ApiKeys.Single(k => k.SecretHash == hash).Id;
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Access-Key", keyId.ToString());
        client.DefaultRequestHeaders.Add("X-Secret-Key", ws.Key);
        return (ws, client);
    }

    private static Task<JsonElement> Poll(HttpClient client, string pollUrl) =>
        Polling.UntilAsync(async () => await (await client.GetAsync(pollUrl)).ShouldBeOk(),
            op => op.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", pollUrl, attempts: 200);

    [DbFact]
    public async Task A_single_linkedin_identifier_asking_for_contact_fields_answers_synchronously()
    {
        var (_, client) = await AccessKeyClientAsync(50);
        var response = await client.PostJson("/api/enrichments", new
        {
            identifier = new { linkedin_url = "https://www.linkedin.com/in/jordan-rivera" }, fields = new[] { "contact.email", "contact.phone" },
        });
        var body = await response.ShouldBeOk();
        var email = body.GetProperty("data").GetProperty("contact").GetProperty("email")[0];
        email.GetProperty("value").GetString().ShouldBe("jordan@example.com");
        email.GetProperty("confidence").GetDouble().ShouldBe(0.93);
        email.GetProperty("source").GetString().ShouldBe("vendor_a");
        email.GetProperty("status").GetString().ShouldBe("unknown");
        var phone = body.GetProperty("data").GetProperty("contact").GetProperty("phone")[0];
        phone.GetProperty("value").GetString().ShouldBe("+14155238841");
        phone.GetProperty("type").GetString().ShouldNotBeNullOrEmpty();
        phone.GetProperty("country").GetString().ShouldBe("US");
        body.GetProperty("meta").GetProperty("requestId").GetString().ShouldBe(response.Headers.GetValues("X-Request-ID").Single());
    }

    [DbFact]
    public async Task Work_email_and_profile_fields_answer_beside_the_contact_and_are_priced_as_their_channels()
    {
        var (ws, client) = await AccessKeyClientAsync(50);
        var body = await (await client.PostJson("/api/enrichments", new
        {
            identifier = new { linkedin_url = "https://www.linkedin.com/in/jordan-rivera" }, fields = new[] { "contact.email", "work_email", "profile" },
        })).ShouldBeOk();
        var data = body.GetProperty("data");
        data.GetProperty("work_email").GetString().ShouldBe("jordan@example.com");
        data.GetProperty("contact").GetProperty("email")[0].GetProperty("value").GetString().ShouldBe("jordan@example.com");
        var profile = data.GetProperty("profile");
        profile.GetProperty("full_name").GetString().ShouldBe("Jordan Rivera");
        profile.GetProperty("first_name").GetString().ShouldBe("Jordan");
        profile.GetProperty("last_name").GetString().ShouldBe("Rivera");
        profile.GetProperty("job_title").GetString().ShouldBe("Head of Sales");
        profile.GetProperty("company_domain").GetString().ShouldBe("example.com");
        profile.GetProperty("location").ValueKind.ShouldBe(JsonValueKind.Null);
        profile.GetProperty("linkedin_url").GetString().ShouldBe("https://www.linkedin.com/in/jordan-rivera");
        // work_email 1 + one Profile 1 (DESIGN §6.1); contact.email and work_email are one channel, charged once.
        using var native = ws.Client();
        (await (await native.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(48);

        var accepted = await (await client.PostJson("/api/enrichments", new
        {
            identifiers = new object[] { new { x_handle = "jordan_sales" }, new { email = "nobody@nowhere.io" } }, fields = new[] { "work_email" },
        })).ShouldBeOk(202);
        var done = await Poll(client, accepted.GetProperty("pollUrl").GetString()!);
        var items = done.GetProperty("result").GetProperty("items").EnumerateArray().ToList();
        items[0].GetProperty("status").GetString().ShouldBe("success");
        items[0].GetProperty("data").GetProperty("work_email").GetString().ShouldBe("jordan@example.com");
        items[0].GetProperty("data").TryGetProperty("contact", out _).ShouldBeFalse();
        items[1].GetProperty("error").GetProperty("code").GetString().ShouldBe("no_match");
    }

    [DbFact]
    public async Task Batches_and_signal_requests_become_operations_with_item_statuses_in_input_order()
    {
        var (_, client) = await AccessKeyClientAsync(50);
        var accepted = await (await client.PostJson("/api/enrichments", new
        {
            identifiers = new object[] { new { x_handle = "jordan_sales" }, new { email = "nobody@nowhere.io" }, new { x_handle = "slow_sales" } },
            fields = new[] { "contact.email", "signals" },
            signals_config = new { since_days = 3650 },
        })).ShouldBeOk(202);
        var id = accepted.GetProperty("id").GetString()!;
        id.ShouldStartWith("op_");
        accepted.GetProperty("operationId").GetString().ShouldBe(id);
        accepted.GetProperty("status").GetString().ShouldBe("queued");
        accepted.GetProperty("pollUrl").GetString().ShouldBe($"/api/operations/{id}");

        var done = await Poll(client, accepted.GetProperty("pollUrl").GetString()!);
        done.GetProperty("status").GetString().ShouldBe("succeeded");
        done.GetProperty("progress").GetInt32().ShouldBe(100);
        var items = done.GetProperty("result").GetProperty("items").EnumerateArray().ToList();
        items[0].GetProperty("identifier").GetProperty("x_handle").GetString().ShouldBe("jordan_sales");
        items[0].GetProperty("status").GetString().ShouldBe("success");
        items[0].GetProperty("data").GetProperty("signals").GetProperty("posts").GetArrayLength().ShouldBe(1);
        items[1].GetProperty("status").GetString().ShouldBe("failed");
        items[1].GetProperty("error").GetProperty("code").GetString().ShouldBe("no_match");
        items[2].GetProperty("status").GetString().ShouldBe("failed");
        items[2].GetProperty("error").GetProperty("code").GetString().ShouldBe("timeout");
        (await (await client.GetAsync($"/api/enrichments/{id}")).ShouldBeOk()).GetProperty("id").GetString().ShouldBe(id);
        app.Fakes.Calls.Last(c => c.Provider == "vendor_a" && c.Query.ContainsKey("x_handle")).ShouldNotBeNull();
    }

    [DbFact]
    public async Task A_batch_none_of_whose_identifiers_could_be_processed_fails_and_still_lists_each_error()
    {
        var (ws, client) = await AccessKeyClientAsync(50);
        using var scope = app.Services.CreateScope();
        var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
        // Identifiers whose stored contact is gone by the time a worker takes them cannot be processed.
        NewItem Gone(string email) => new(new Dictionary<string, JsonElement> { ["email"] = JsonSerializer.SerializeToElement(email) },
            JsonSerializer.Serialize(new { email }), Guid.NewGuid());
        var options = JsonSerializer.Serialize(new Dictionary<string, object> { [OperationsEndpoints.Kind] = new { fields = new[] { "contact.email" }, single = false } });
        var created = (CreateJobOutcome.Created)await queue.CreateAsync(new NewJob(ws.Id, OperationsEndpoints.Kind, ["work_email"], options),
            [Gone("a@gone.io"), Gone("b@gone.io")], CancellationToken.None);

        var done = await Poll(client, $"/api/operations/op_{created.Job.Id}");
        done.GetProperty("status").GetString().ShouldBe("failed");
        done.GetProperty("error").GetProperty("code").GetString().ShouldBe("operation_failed");
        var items = done.GetProperty("result").GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("identifier").GetProperty("email").GetString()).ShouldBe(["a@gone.io", "b@gone.io"]);
        items.ShouldAllBe(i => i.GetProperty("status").GetString() == "failed"
                               && i.GetProperty("error").GetProperty("code").GetString() == "processing_error");
    }

    [DbFact]
    public async Task Validation_errors_use_the_seed_error_body()
    {
        var (_, client) = await AccessKeyClientAsync(50);
        async Task<JsonElement> Bad(object body, int status = 400)
        {
            var response = await client.PostJson("/api/enrichments", body);
            var json = await response.Json();
            ((int)response.StatusCode).ShouldBe(status, json.ToString());
            json.GetProperty("statusCode").GetInt32().ShouldBe(status);
            json.GetProperty("path").GetString().ShouldBe("/api/enrichments");
            json.GetProperty("requestId").GetString().ShouldNotBeNullOrEmpty();
            json.GetProperty("timestamp").GetString().ShouldNotBeNullOrEmpty();
            return json;
        }
        var both = await Bad(new { identifier = new { email = "a@b.io" }, identifiers = new[] { new { email = "a@b.io" } }, fields = new[] { "contact.email" } });
        both.GetProperty("error").GetString().ShouldBe("Bad Request");
        both.GetProperty("errors")[0].GetProperty("property").GetString().ShouldBe("identifiers");
        await Bad(new { fields = new[] { "contact.email" } });
        await Bad(new { identifier = new { email = "a@b.io" } });
        await Bad(new { identifier = new { email = "a@b.io" }, fields = new[] { "contact.fax" } });
        (await Bad(new { identifier = new { email = "a@b.io" }, fields = new[] { "work_email", "profiles" } }))
            .GetProperty("errors")[0].GetProperty("message").GetString().ShouldBe("unknown field profiles");
        await Bad(new { identifier = new { name = "Jordan" }, fields = new[] { "contact.email" } });
        await Bad(new { identifiers = Enumerable.Range(0, 101).Select(i => new { email = $"p{i}@b.io" }).ToArray(), fields = new[] { "contact.email" } });
        using var anonymous = app.CreateClient();
        var unauthorized = await anonymous.PostJson("/api/enrichments", new { });
        unauthorized.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await unauthorized.Json()).GetProperty("statusCode").GetInt32().ShouldBe(401);
        (await (await client.GetAsync("/api/operations/op_nothing")).Json()).GetProperty("statusCode").GetInt32().ShouldBe(404);

        var reader = await app.CreateWorkspaceAsync();
        using var readOnly = app.Client(await app.CreateKeyAsync(reader.Id, ["read:enrich"]));
        var forbidden = await readOnly.PostJson("/api/enrichments", new { identifier = new { email = "a@b.io" }, fields = new[] { "contact.email" } });
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var body = await forbidden.Json();
        body.GetProperty("statusCode").GetInt32().ShouldBe(403);
        body.GetProperty("error").GetString().ShouldBe("Forbidden");
        var malformed = await client.PostRaw("/api/enrichments", "{\"identifier\": ");
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await malformed.Json()).GetProperty("statusCode").GetInt32().ShouldBe(400);
    }
}

public sealed class OperationsTests_Sqlite(OperationsSqliteApp app) : OperationsTests(app), IClassFixture<OperationsSqliteApp>;

public sealed class OperationsTests_Postgres(OperationsPostgresApp app) : OperationsTests(app), IClassFixture<OperationsPostgresApp>, IPostgresTests;
