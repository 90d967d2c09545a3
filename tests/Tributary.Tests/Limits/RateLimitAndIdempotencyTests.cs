using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Text;
using System.Text.Json;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Webhooks;

namespace Tributary.Tests.Limits;

/// <summary>Low limits, one fake provider, fast webhooks to loopback receivers.</summary>
public abstract class LimitsApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor"] = new()
        {
            Channels = ["work_email", "phone"], LatencyMs = 150,
            People = Enumerable.Range(0, 20).Select(i => new Dictionary<string, object?>
            {
                ["linkedin_url"] = $"https://www.linkedin.com/in/limit-{i}", ["work_email"] = $"limit{i}@limits.io", ["phone"] = "+14155238841",
            }).ToList(),
        },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["vendor"], ["phone"] = ["vendor"] },
    new Dictionary<string, object>
    {
        ["Tributary:RateLimits:SinglePerMinute"] = 5, ["Tributary:RateLimits:BulkPerMinute"] = 2, ["Tributary:RateLimits:PerDay"] = 1000,
        ["Tributary:Webhooks:AllowPrivateNetworks"] = true, ["Tributary:Webhooks:PollIntervalMs"] = 50,
        ["Tributary:Webhooks:RetryDelaysSeconds:0"] = 0, ["Tributary:Webhooks:RetryDelaysSeconds:1"] = 0, ["Tributary:Webhooks:RetryDelaysSeconds:2"] = 0,
        ["Tributary:Webhooks:RetryDelaysSeconds:3"] = 0, ["Tributary:Webhooks:RetryDelaysSeconds:4"] = 0, ["Tributary:Webhooks:RetryDelaysSeconds:5"] = 0,
    });

public sealed class LimitsSqliteApp() : LimitsApp(DatabaseProvider.Sqlite);
public sealed class LimitsPostgresApp() : LimitsApp(DatabaseProvider.Postgres);

public abstract partial class RateLimitAndIdempotencyTests(LimitsApp app)
{
    private static object Record(int i, params string[] channels) => new { linkedin_url = $"https://www.linkedin.com/in/limit-{i}", channels };

    /// <summary>Fixed windows: keep a burst inside one UTC minute.</summary>
    private static async Task AwayFromMinuteEdge()
    {
        var second = DateTime.UtcNow.Second;
        if (second >= 50) await Task.Delay(TimeSpan.FromSeconds(61 - second));
    }

    [DbFact]
    public async Task A_burst_over_the_limit_gets_429_with_headers_and_other_workspaces_are_unaffected()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        var other = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        for (var i = 0; i < 5; i++)
        {
            var ok = await client.PostJson("/enrichment", Record(i, "work_email"));
            ok.StatusCode.ShouldBe(HttpStatusCode.OK);
            ok.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe("5");
            ok.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe((4 - i).ToString());
        }
        var limited = await client.PostJson("/enrichment", Record(6, "work_email"));
        await limited.ShouldBeError(429, "rate_limited");
        limited.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe("0");
        var reset = long.Parse(limited.Headers.GetValues("X-RateLimit-Reset").Single());
        reset.ShouldBeGreaterThan(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        int.Parse(limited.Headers.GetValues("Retry-After").Single()).ShouldBeInRange(1, 60);

        using var otherClient = other.Client();
        (await otherClient.PostJson("/enrichment", Record(7, "work_email"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Reads consume nothing and report the daily limit.
        var read = await client.GetAsync("/v1/credits");
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        read.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe("1000");
    }

    [DbFact]
    public async Task Bulk_posts_have_their_own_class()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        for (var i = 0; i < 2; i++)
            (await client.PostJson("/enrichment/bulk", new { records = new[] { new { email = "x@y.io" } } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.PostJson("/enrichment/bulk", new { records = new[] { new { email = "x@y.io" } } })).ShouldBeError(429, "rate_limited");
        (await client.PostJson("/enrichment", Record(1, "work_email"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [DbFact]
    public async Task Two_processes_sharing_the_counter_never_admit_more_than_the_limit()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync();
        var options = new RateLimitOptions { BulkPerMinute = 100 };
        // Two limiters over one database: what two server processes are to each other.
        var two = new[] { "a", "b" }.Select(_ => new RateLimiter(new TributaryDbFactory(app.Database.Options), options, TimeProvider.System)).ToArray();
        two[0].BlockSize(RateClass.Bulk).ShouldBe(5);
        var hits = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => two[i % 2].HitAsync(ws.Id, RateClass.Bulk, CancellationToken.None)));
        var admitted = hits.Count(h => !h.Exceeded);
        admitted.ShouldBeLessThanOrEqualTo(100);
        admitted.ShouldBeGreaterThanOrEqualTo(100 - two[0].BlockSize(RateClass.Bulk)); // refused early by at most one unused block elsewhere
        hits.Where(h => !h.Exceeded).Select(h => h.Used).ShouldAllBe(u => u >= 1 && u <= 100);
        await using var db = app.NewDb();
        (await db.RateCounters.Where(c => c.WorkspaceId == ws.Id && c.Class == "bulk").SumAsync(c => c.Count)).ShouldBeLessThanOrEqualTo(100);
        // Taking permits costs one statement per block, not per request.
        (await db.RateCounters.CountAsync(c => c.WorkspaceId == ws.Id)).ShouldBe(1);
    }

    [DbFact]
    public async Task Retrying_with_the_same_idempotency_key_replays_and_charges_once()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var body = JsonSerializer.Serialize(Record(3, "work_email", "phone"));
        HttpRequestMessage Request(string json, string key, string path = "/enrichment")
        {
            var r = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            r.Headers.Add("Idempotency-Key", key);
            return r;
        }
        var first = await client.SendAsync(Request(body, "retry-key-1"));
        var firstBody = await first.ShouldBeOk();
        firstBody.GetProperty("credits_used").GetInt64().ShouldBe(11);
        var again = await client.SendAsync(Request(body, "retry-key-1"));
        (await again.ShouldBeOk()).ToString().ShouldBe(firstBody.ToString());
        again.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        again.Headers.GetValues("X-Enrichment-Id").Single().ShouldBe(first.Headers.GetValues("X-Enrichment-Id").Single());
        // A replay is not counted, yet still reports the per-minute limit it would have counted in.
        again.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(first.Headers.GetValues("X-RateLimit-Limit").Single());
        again.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe(first.Headers.GetValues("X-RateLimit-Remaining").Single());
        again.Headers.GetValues("X-RateLimit-Reset").Single().ShouldNotBeNullOrEmpty();
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(89);
        // Routing ignores case, and so does the key's scope.
        var shouted = await client.SendAsync(Request(body, "retry-key-1", "/ENRICHMENT"));
        (await shouted.ShouldBeOk()).ToString().ShouldBe(firstBody.ToString());
        shouted.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        // A trailing slash routes to the same endpoint, so it is the same scope: replayed, not run and charged again.
        var slashed = await client.SendAsync(Request(body, "retry-key-1", "/enrichment/"));
        (await slashed.ShouldBeOk()).ToString().ShouldBe(firstBody.ToString());
        slashed.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(89);

        var reused = await client.SendAsync(Request(JsonSerializer.Serialize(Record(4, "work_email")), "retry-key-1"));
        await reused.ShouldBeError(422, "idempotency_key_reused");
        reused.Headers.Contains("X-RateLimit-Remaining").ShouldBeTrue();
        await (await client.SendAsync(Request(body, new string('k', 256)))).ShouldBeError(400, "validation_error");
        await (await client.SendAsync(Request(body, "has space"))).ShouldBeError(400, "validation_error");
        Tributary.Core.Idempotency.IdempotencyStore.IsValidKey("").ShouldBeFalse();
    }

    [DbFact]
    public async Task Fifty_concurrent_retries_of_one_key_charge_once()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var key = await app.CreateKeyAsync(ws.Id, ["write:enrich", "read:credits"]);
        var body = JsonSerializer.Serialize(Record(5, "phone"));
        // Ten times this fixture's per-minute limit: only the first request counts; the others replay it.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var client = app.Client(key);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/enrichment") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", "storm-1");
            var response = await client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        responses.ShouldAllBe(r => r.Item1 == 200);
        responses.Select(r => r.Item2).Distinct().Count().ShouldBe(1);
        using var reader = app.Client(key);
        (await (await reader.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(90);
    }

    [DbFact]
    public async Task Enriched_emails_go_to_the_verification_webhook_and_an_invalid_verdict_is_stored()
    {
        await AwayFromMinuteEdge();
        await using var verifier = new WebhookReceiver(_ => new Reply(200, """{"valid": false}"""));
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var admin = app.Admin();
        (await admin.PatchJson($"/admin/workspaces/{ws.Id}", new { verification_webhook_url = verifier.Url })).EnsureSuccessStatusCode();
        using var client = ws.Client();
        var result = await (await client.PostJson("/enrichment", Record(8, "work_email"))).ShouldBeOk();
        var contactId = result.GetProperty("record_id").GetGuid();

        var contact = await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/contacts/{contactId}")).Json()).GetProperty("data"),
            c => c.GetProperty("field_sources").GetProperty("email").GetProperty("verified").ValueKind == JsonValueKind.False,
            "the verification verdict", attempts: 100, delayMs: 100);
        contact.GetProperty("field_sources").GetProperty("email").GetProperty("verified").GetBoolean().ShouldBeFalse();
        var sent = JsonDocument.Parse(verifier.Received.Single().Body).RootElement;
        sent.GetProperty("email").GetString().ShouldBe("limit8@limits.io");
        sent.GetProperty("contact_id").GetGuid().ShouldBe(contactId);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(99);

        // A job that finds the same email exports it only while nobody has said it is invalid.
        var job = (await (await client.PostJson("/v1/jobs", new { records = new[] { new { email = "limit8@limits.io" } }, channels = new[] { "work_email" } })).ShouldBeOk(202))
            .GetProperty("data").GetProperty("id").GetGuid();
        for (var i = 0; i < 100 && (await (await client.GetAsync($"/v1/jobs/{job}")).Json()).GetProperty("data").GetProperty("status").GetString() != "succeeded"; i++)
            await Task.Delay(100);
        var exported = await client.GetStringAsync($"/v1/jobs/{job}/results?format=csv");
        exported.ShouldNotContain("limit8@limits.io,vendor");
    }
}

public abstract partial class RateLimitAndIdempotencyTests
{
    [DbFact]
    public async Task A_retry_takes_over_a_claim_whose_first_request_died_and_runs_once()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var body = JsonSerializer.Serialize(Record(6, "work_email"));
        // What a process killed mid-request leaves behind: a claim with no response whose lease has run out.
        await using (var db = app.NewDb())
        {
            var now = DateTime.UtcNow;
            db.IdempotencyRecords.Add(new Tributary.Core.Idempotency.IdempotencyRecord
            {
                WorkspaceId = ws.Id, Method = "POST", Path = "/enrichment", Key = "orphaned-1",
                BodyHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body))),
                CreatedAt = now.AddSeconds(-30), ExpiresAt = now.AddHours(24), LeaseExpiresAt = now.AddSeconds(-15),
            });
            await db.SaveChangesAsync();
        }
        HttpRequestMessage Retry()
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/enrichment") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            r.Headers.Add("Idempotency-Key", "orphaned-1");
            return r;
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var taken = await (await client.SendAsync(Retry())).ShouldBeOk();
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8)); // did not wait out the in-progress window
        taken.GetProperty("credits_used").GetInt64().ShouldBe(1);
        var replayed = await client.SendAsync(Retry());
        (await replayed.ShouldBeOk()).ToString().ShouldBe(taken.ToString());
        replayed.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(99);
    }
}

public abstract partial class RateLimitAndIdempotencyTests
{
    /// <summary>
    /// What a process killed after its settlement committed but before it stored its answer leaves behind: the claim
    /// marked done with what it made, no stored response, a lapsed lease.
    /// </summary>
    private async Task<Guid> KillAfterSettlementAsync(Guid workspace, string key)
    {
        await using var db = app.NewDb();
        var record = await db.IdempotencyRecords.SingleAsync(r => r.WorkspaceId == workspace && r.Key == key);
        record.ResultId.ShouldNotBeNull(); // marked done by the settlement (or the job's acceptance), in its transaction
        (record.StatusCode, record.HeadersJson, record.Body, record.LeaseExpiresAt) = (null, null, null, DateTime.UtcNow.AddSeconds(-1));
        await db.SaveChangesAsync();
        return record.ResultId!.Value;
    }

    private static HttpRequestMessage Keyed(string path, string body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [DbFact]
    public async Task A_retry_after_the_owner_died_past_its_settlement_charges_nothing_more_even_when_forced()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync(credits: 11);
        using var client = ws.Client();
        // force: true bypasses the cache and charges again on a new request; the retry of a settled one must not.
        var body = JsonSerializer.Serialize(new { linkedin_url = "https://www.linkedin.com/in/limit-9", channels = new[] { "work_email", "phone" }, force = true });
        var first = await (await client.SendAsync(Keyed("/enrichment", body, "settled-1"))).ShouldBeOk();
        first.GetProperty("credits_used").GetInt64().ShouldBe(11);
        await KillAfterSettlementAsync(ws.Id, "settled-1");

        var retry = await (await client.SendAsync(Keyed("/enrichment", body, "settled-1"))).ShouldBeOk();
        retry.GetProperty("record_id").GetGuid().ShouldBe(first.GetProperty("record_id").GetGuid());
        retry.GetProperty("credits_used").GetInt64().ShouldBe(0);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(0);
        await using var db = app.NewDb();
        (await db.LedgerEntries.CountAsync(e => e.WorkspaceId == ws.Id && e.Kind == "charge")).ShouldBe(1);
        (await db.Contacts.CountAsync(c => c.WorkspaceId == ws.Id)).ShouldBe(1);
        // The retry's own answer is stored now and replayed from then on.
        var replayed = await client.SendAsync(Keyed("/enrichment", body, "settled-1"));
        replayed.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
    }

    [DbFact]
    public async Task A_retry_after_the_owner_died_past_accepting_its_job_gets_that_job_and_no_second_one()
    {
        await AwayFromMinuteEdge();
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var body = JsonSerializer.Serialize(new { records = new[] { new { linkedin_url = "https://www.linkedin.com/in/limit-10" } }, channels = new[] { "work_email" } });
        var first = (await (await client.SendAsync(Keyed("/v1/jobs", body, "job-settled-1"))).ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
        (await KillAfterSettlementAsync(ws.Id, "job-settled-1")).ShouldBe(first);

        var retry = (await (await client.SendAsync(Keyed("/v1/jobs", body, "job-settled-1"))).ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
        retry.ShouldBe(first);
        await using var db = app.NewDb();
        (await db.Jobs.CountAsync(j => j.WorkspaceId == ws.Id)).ShouldBe(1);
    }
}

public sealed class RateLimitAndIdempotencyTests_Sqlite(LimitsSqliteApp app) : RateLimitAndIdempotencyTests(app), IClassFixture<LimitsSqliteApp>;

public sealed class RateLimitAndIdempotencyTests_Postgres(LimitsPostgresApp app) : RateLimitAndIdempotencyTests(app), IClassFixture<LimitsPostgresApp>, IPostgresTests;
