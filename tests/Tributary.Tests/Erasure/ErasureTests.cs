using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Erasure;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Webhooks;
using static Tributary.Tests.Erasure.ErasureApp;

namespace Tributary.Tests.Erasure;

/// <summary>DESIGN §4's erasure: every copy of the person goes at once, and a run in flight cannot bring them back.</summary>
public abstract partial class ErasureTests(ErasureApp app)
{
    private static HttpRequestMessage Idempotent(string path, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static async Task<JsonElement> JobDoneAsync(HttpClient client, Guid id) =>
        await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", $"job {id}", attempts: 400);

    private async Task NoCopyAnywhereAsync()
    {
        foreach (var needle in Person.Traces)
        {
            var holding = await app.TablesHoldingAsync(needle);
            holding.ShouldBeEmpty($"a table still holds '{needle}'");
            if (app.Provider == DatabaseProvider.Sqlite) app.FilesHolding(needle).ShouldBeEmpty($"a database file still holds '{needle}'");
        }
    }

    private static void ShouldNotMention(string text, string what)
    {
        foreach (var needle in Person.Traces) text.ShouldNotContain(needle, Case.Insensitive, $"{what} still shows '{needle}'");
    }

    [DbFact]
    public async Task Erasure_by_email_leaves_no_copy_in_any_read_table_or_file()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1_000);
        using var client = ws.Client();
        await using var receiver = WebhookReceiver.Answering();
        var stored = (await (await client.PostJson("/v1/contacts", new
        {
            first_name = Person.First, last_name = Person.Last, email = Person.Email, company_domain = Person.Domain,
        })).ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();

        // Seed 000, kept for replay: the stored contact enriched in place.
        var enrichBody = new { contact_id = stored };
        (await (await client.SendAsync(Idempotent("/v1/enrich/contact", enrichBody, "erase-000"))).ShouldBeOk())
            .GetProperty("data").GetProperty("contact").GetProperty("phone").GetString().ShouldBe(Person.Phone);

        // Seed 004, kept for replay: its answer holds the phone.
        var channelsBody = new { linkedin_url = Person.LinkedinUrl, channels = new[] { "work_email", "phone" } };
        using var channels = await client.SendAsync(Idempotent("/enrichment", channelsBody, "erase-004"));
        var channelsAnswer = await channels.ShouldBeOk();
        channelsAnswer.GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe(Person.Phone);
        var traceId = channels.Headers.GetValues("X-Enrichment-Id").Single();
        (await client.GetAsync($"/v1/enrichments/{traceId}/trace")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Seed 001: a synchronous answer kept for replay, and a batch with the other person.
        var syncBody = new { identifier = new { linkedin_url = Person.LinkedinUrl }, fields = new[] { "contact.email", "contact.phone" } };
        (await (await client.SendAsync(Idempotent("/api/enrichments", syncBody, "erase-001"))).ShouldBeOk())
            .GetProperty("data").GetProperty("contact").GetProperty("phone").GetArrayLength().ShouldBe(1);
        var operation = (await (await client.PostJson("/api/enrichments", new
        {
            identifiers = new object[] { new { email = Person.Email }, new { email = Other.Email } }, fields = new[] { "contact.email" },
        })).ShouldBeOk(202)).GetProperty("pollUrl").GetString()!;
        await Polling.UntilAsync(async () => await (await client.GetAsync(operation)).ShouldBeOk(),
            o => o.GetProperty("status").GetString() == "succeeded", "operation");

        // Seed 003, with its webhook, kept for replay.
        var asyncBody = new
        {
            firstname = Person.First, lastname = Person.Last, domain = Person.Domain, enrichment_type = new[] { "email" }, webhook_url = receiver.Url,
        };
        var asyncId = (await (await client.SendAsync(Idempotent("/api/v2/contacts/single_enrich", asyncBody, "erase-003"))).ShouldBeOk())
            .GetProperty("enrichment_id").GetString()!;
        await Polling.UntilAsync(async () => await (await client.GetAsync($"/api/v2/contacts/{asyncId}")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() == "finished", "seed 003 result");
        await Polling.UntilAsync(() => Task.FromResult(receiver.Received.Count), n => n >= 1, "seed 003 webhook");

        // Seed 002, on the stored lead, kept for replay.
        var leadBody = new { selection = new { mode = "manual", includedIds = new[] { stored } }, field = "phones" };
        (await client.SendAsync(Idempotent("/api/v1/operations/enrichment/bulk", leadBody, "erase-002"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Polling.UntilAsync(async () => await (await client.GetAsync($"/api/v1/operations/enrichment/{stored}?field=phones")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() == "finished", "seed 002 record");

        // A native job with both people, kept for replay.
        var jobBody = new { records = new[] { new { email = Person.Email }, new { email = Other.Email } }, channels = new[] { "work_email", "phone" } };
        var job = (await (await client.SendAsync(Idempotent("/v1/jobs", jobBody, "erase-native"))).ShouldBeOk(202))
            .GetProperty("data").GetProperty("id").GetGuid();
        var before = await JobDoneAsync(client, job);
        (await (await client.GetAsync($"/v1/jobs/{job}/results")).Content.ReadAsStringAsync()).ShouldContain("33612345678");
        (await app.TablesHoldingAsync("rivera")).ShouldNotBeEmpty();

        var erased = (await (await client.PostJson("/v1/erasures", new { email = Person.Email })).ShouldBeOk()).GetProperty("data");
        erased.GetProperty("contact_ids").EnumerateArray().Select(c => c.GetGuid()).ShouldContain(stored);
        erased.GetProperty("suppressed").GetBoolean().ShouldBeFalse();

        // Every read.
        (await client.GetAsync($"/v1/contacts/{stored}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await client.GetAsync("/v1/contacts?search=rivera")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
        var jsonl = await (await client.GetAsync($"/v1/jobs/{job}/results")).Content.ReadAsStringAsync();
        var csv = await (await client.GetAsync($"/v1/jobs/{job}/results?format=csv")).Content.ReadAsStringAsync();
        ShouldNotMention(jsonl, "job results (JSONL)");
        ShouldNotMention(csv, "job results (CSV)");
        jsonl.ShouldContain("\"status\":\"erased\"");
        jsonl.ShouldContain(Other.Email);
        var after = (await (await client.GetAsync($"/v1/jobs/{job}")).ShouldBeOk()).GetProperty("data");
        after.GetProperty("total").GetInt32().ShouldBe(before.GetProperty("total").GetInt32());
        after.GetProperty("processed").GetInt32().ShouldBe(before.GetProperty("processed").GetInt32());

        var items = (await (await client.GetAsync(operation)).ShouldBeOk()).GetProperty("result").GetProperty("items");
        items[0].GetProperty("status").GetString().ShouldBe("failed");
        items[0].GetProperty("error").GetProperty("code").GetString().ShouldBe("erased");
        items[1].GetProperty("status").GetString().ShouldBe("success");
        ShouldNotMention(items.ToString(), "the seed 001 operation");

        var asyncResult = await (await client.GetAsync($"/api/v2/contacts/{asyncId}")).ShouldBeOk();
        asyncResult.GetProperty("error").GetProperty("code").GetString().ShouldBe("erased");
        ShouldNotMention(asyncResult.ToString(), "the seed 003 result");
        (await client.GetAsync($"/api/v1/operations/enrichment/{stored}?field=phones")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await client.GetAsync($"/v1/enrichments/{traceId}/trace")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        ShouldNotMention(await (await client.GetAsync("/v1/webhooks/deliveries")).Content.ReadAsStringAsync(), "the webhook deliveries");

        // Replays of stored responses, on every surface that keeps them: 410 in each one's error body, nothing run or charged.
        var balance = (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64();
        var calls = app.CallsForPerson();
        var jobs = (await (await client.GetAsync("/v1/jobs")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64();
        async Task<JsonElement> ReplayErased(string path, object body, string key)
        {
            using var replay = await client.SendAsync(Idempotent(path, body, key));
            replay.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true", path);
            if (path is "/enrichment" or "/v1/enrich/contact" or "/v1/jobs") return await replay.ShouldBeError(410, "response_erased");
            ((int)replay.StatusCode).ShouldBe(410, path);
            return await replay.Json();
        }
        await ReplayErased("/v1/enrich/contact", enrichBody, "erase-000");
        (await ReplayErased("/api/enrichments", syncBody, "erase-001")).GetProperty("statusCode").GetInt32().ShouldBe(410);
        (await ReplayErased("/api/v1/operations/enrichment/bulk", leadBody, "erase-002")).GetProperty("error").GetProperty("code").GetString()
            .ShouldBe("RESPONSE_ERASED");
        var replay003 = await ReplayErased("/api/v2/contacts/single_enrich", asyncBody, "erase-003");
        replay003.GetProperty("error").GetInt32().ShouldBe(410);
        replay003.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        await ReplayErased("/enrichment", channelsBody, "erase-004");
        await ReplayErased("/v1/jobs", jobBody, "erase-native");
        app.CallsForPerson().ShouldBe(calls);
        (await (await client.GetAsync("/v1/jobs")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(jobs);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(balance);

        // Every table, and on SQLite the files themselves; the other person's data stays.
        await NoCopyAnywhereAsync();
        (await app.TablesHoldingAsync("chloe.walker")).ShouldNotBeEmpty();

        var log = (await (await client.GetAsync("/v1/erasures")).ShouldBeOk()).GetProperty("data").GetProperty("erasures");
        log.EnumerateArray().Select(e => e.GetProperty("contact_id").GetGuid()).ShouldContain(stored);
        log[0].GetProperty("key_id").GetGuid().ShouldNotBe(Guid.Empty);
    }

    [DbFact]
    public async Task A_synchronous_run_in_flight_during_the_erasure_is_dropped_at_its_settlement()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var (arrived, release) = app.Hold();
        try
        {
            var running = client.PostJson("/enrichment", new { email = Person.Email, channels = new[] { "phone", "linkedin_url" } });
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            (await client.PostJson("/v1/erasures", new { email = Person.Email })).StatusCode.ShouldBe(HttpStatusCode.OK);
            release.SetResult();
            var answer = await (await running).ShouldBeOk();
            answer.GetProperty("record_id").ValueKind.ShouldBe(JsonValueKind.Null);
            answer.GetProperty("channels").GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
            answer.GetProperty("credits_used").GetInt64().ShouldBe(0);
        }
        finally
        {
            release.TrySetResult();
            app.Unhold();
        }
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(100);
        (await (await client.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
        await NoCopyAnywhereAsync();
    }

    [DbFact]
    public async Task A_job_item_in_flight_during_the_erasure_stays_erased_and_its_job_still_ends()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var (arrived, release) = app.Hold();
        Guid job;
        try
        {
            job = (await (await client.PostJson("/v1/jobs", new
            {
                records = new object[] { new { linkedin_url = Person.LinkedinUrl }, new { email = Other.Email } }, channels = new[] { "work_email", "phone" },
            })).ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            // By the email, which the item does not carry: the run would find it and bring the person back.
            var erasure = await (await client.PostJson("/v1/erasures", new { linkedin_url = Person.LinkedinUrl })).ShouldBeOk();
            erasure.GetProperty("data").GetProperty("identity_keys").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
            release.SetResult();
        }
        finally
        {
            release.TrySetResult();
            app.Unhold();
        }
        var done = await JobDoneAsync(client, job);
        done.GetProperty("status").GetString().ShouldBe("succeeded");
        done.GetProperty("processed").GetInt32().ShouldBe(2);
        var results = await (await client.GetAsync($"/v1/jobs/{job}/results")).Content.ReadAsStringAsync();
        ShouldNotMention(results, "the job's results");
        results.ShouldContain(Other.Email);
        (await (await client.GetAsync("/v1/contacts?search=rivera")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
        await NoCopyAnywhereAsync();
    }

    [DbFact]
    public async Task Deleting_a_contact_with_suppress_erases_it_and_refuses_it_afterwards()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var id = (await (await client.PostJson("/v1/contacts", new { email = Person.Email, phone = Person.Phone })).ShouldBeOk(201))
            .GetProperty("data").GetProperty("id").GetGuid();
        var deleted = await (await client.DeleteAsync($"/v1/contacts/{id}?suppress=true")).ShouldBeOk();
        deleted.GetProperty("data").GetProperty("deleted").GetBoolean().ShouldBeTrue();
        (await client.GetAsync($"/v1/contacts/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await client.PostJson("/v1/contacts", new { email = Person.Email.ToUpperInvariant() })).ShouldBeError(409, "suppressed");
        await (await client.DeleteAsync($"/v1/contacts/{id}?suppress=maybe")).ShouldBeError(400, "validation_error");
        await NoCopyAnywhereAsync();
    }

    [DbFact]
    public async Task Retention_redacts_job_items_and_deletes_traces_once_they_are_old_enough()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        using var enriched = await client.PostJson("/enrichment", new { email = Other.Email, channels = new[] { "phone" } });
        var traceId = enriched.Headers.GetValues("X-Enrichment-Id").Single();
        var job = (await (await client.PostJson("/v1/jobs", new { records = new[] { new { email = Other.Email } }, channels = new[] { "phone" } }))
            .ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
        await JobDoneAsync(client, job);
        var sweep = app.Services.GetRequiredService<RetentionSweep>();
        var now = DateTime.UtcNow;

        await sweep.SweepAsync(now.AddDays(6), CancellationToken.None);
        (await client.GetAsync($"/v1/enrichments/{traceId}/trace")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await client.GetAsync($"/v1/jobs/{job}/results")).Content.ReadAsStringAsync()).ShouldContain("14155238841");

        await sweep.SweepAsync(now.AddDays(8), CancellationToken.None);
        (await client.GetAsync($"/v1/enrichments/{traceId}/trace")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await client.GetAsync($"/v1/jobs/{job}/results")).Content.ReadAsStringAsync()).ShouldContain("14155238841");

        await sweep.SweepAsync(now.AddDays(31), CancellationToken.None);
        var results = await (await client.GetAsync($"/v1/jobs/{job}/results")).Content.ReadAsStringAsync();
        results.ShouldNotContain("14155238841");
        results.ShouldNotContain("chloe", Case.Insensitive);
        (await (await client.GetAsync($"/v1/jobs/{job}")).ShouldBeOk()).GetProperty("data").GetProperty("total").GetInt32().ShouldBe(1);
    }
}

public sealed class ErasureTests_Sqlite(ErasureSqliteApp app) : ErasureTests(app), IClassFixture<ErasureSqliteApp>;

public sealed class ErasureTests_Postgres(ErasurePostgresApp app) : ErasureTests(app), IClassFixture<ErasurePostgresApp>, IPostgresTests;
