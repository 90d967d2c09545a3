using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Credits;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Enrichment;

/// <summary>A slow provider (so identical requests overlap) and one that can be made to fail.</summary>
public abstract class EnrichmentPathApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["slow"] = new()
        {
            Channels = ["work_email", "phone", "linkedin_url"], LatencyMs = 400,
            People = [.. Enumerable.Range(0, 20).Select(i => Person($"p{i}", $"p{i}@race.io", "+14155550" + (100 + i)))],
        },
        ["flaky"] = new() { Channels = ["work_email"], People = [Person("flo", "flo@flaky.io", null)] },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["slow", "flaky"], ["phone"] = ["slow"], ["linkedin_url"] = ["slow"] },
    new Dictionary<string, object>
    {
        ["Tributary:RateLimits:SinglePerMinute"] = 1_000_000, ["Tributary:RateLimits:BulkPerMinute"] = 1_000_000,
        ["Tributary:RateLimits:PerDay"] = 1_000_000, ["Tributary:Jobs:PollIntervalMs"] = 50,
        ["Tributary:Providers:slow:MaxConcurrency"] = 64, ["Tributary:Providers:slow:TimeoutMs"] = 10_000,
    })
{
    public static Dictionary<string, object?> Person(string who, string? email, string? phone) => new()
    {
        ["first_name"] = who, ["last_name"] = "test", ["company_domain"] = "race.io",
        ["linkedin_url"] = $"https://www.linkedin.com/in/{who}-test", ["work_email"] = email, ["phone"] = phone,
    };
}

public sealed class EnrichmentPathSqliteApp() : EnrichmentPathApp(DatabaseProvider.Sqlite);
public sealed class EnrichmentPathPostgresApp() : EnrichmentPathApp(DatabaseProvider.Postgres);

/// <summary>DESIGN §6: cache first, concurrent identical work runs once, reservations only for what runs, misses cached only when clean.</summary>
[Collection(HeavyLoadCollection.Name)]
public abstract partial class EnrichmentPathTests(EnrichmentPathApp app)
{
    private static object ByLinkedin(string who, params string[] channels) => new { linkedin_url = $"https://linkedin.com/in/{who}-test", channels };

    [DbFact]
    public async Task A_thousand_concurrent_identical_requests_ask_the_provider_once_charge_once_and_make_one_contact()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var calls = app.Fakes.CountFor("slow", q => q["linkedin_url"]?.ToString().Contains("p1-test") == true);
        using var client = ws.Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
        {
            using var response = await client.PostJson("/enrichment", ByLinkedin("p1", "work_email", "phone"));
            return (response.StatusCode, Body: await response.Json());
        }));

        responses.Select(r => r.StatusCode).Distinct().ShouldBe([HttpStatusCode.OK]);
        foreach (var (_, body) in responses)
        {
            body.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("p1@race.io");
            body.GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe("+14155550101");
        }
        responses.Sum(r => r.Body.GetProperty("credits_used").GetInt64()).ShouldBe(11);
        responses.Select(r => r.Body.GetProperty("record_id").GetGuid()).Distinct().Count().ShouldBe(1);
        (app.Fakes.CountFor("slow", q => q["linkedin_url"]?.ToString().Contains("p1-test") == true) - calls).ShouldBe(1);

        await using var db = app.NewDb();
        (await db.Contacts.CountAsync(c => c.WorkspaceId == ws.Id)).ShouldBe(1);
        var entries = await db.LedgerEntries.Where(e => e.WorkspaceId == ws.Id).ToListAsync();
        entries.Where(e => e.Kind == LedgerKinds.Charge).Select(e => e.Amount).ShouldBe([11L]);
        entries.Count(e => e.Kind == LedgerKinds.Reserve).ShouldBe(1);
        (await db.CreditAccounts.SingleAsync(a => a.WorkspaceId == ws.Id)).ShouldSatisfyAllConditions(
            a => (a.Granted - a.Charged - a.Reserved).ShouldBe(89), a => a.Reserved.ShouldBe(0));
        (await db.InFlightClaims.CountAsync(c => c.WorkspaceId == ws.Id)).ShouldBe(0);
    }

    [DbFact]
    public async Task A_thousand_concurrent_seed_002_requests_for_one_lead_make_one_record_and_one_charge()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var lead = (await (await client.PostJson("/v1/contacts", new { first_name = "P5", last_name = "Test", linkedin_url = "https://www.linkedin.com/in/p5-test" }))
            .ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();
        var body = new { selection = new { mode = "manual", includedIds = new[] { lead } }, field = "phones" };
        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
        {
            using var response = await client.PostJson("/api/v1/operations/enrichment/bulk", body);
            return (response.StatusCode, Body: await response.Json());
        }));
        responses.Where(r => r.StatusCode != HttpStatusCode.OK).Select(r => r.Body.ToString()).ShouldBeEmpty();
        responses.Select(r => r.Body[0].GetProperty("id").GetGuid()).Distinct().Count().ShouldBe(1);

        var finished = await Polling.UntilAsync(
            async () => await (await client.GetAsync($"/api/v1/operations/enrichment/{lead}?field=phones")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() == "finished", "the record", attempts: 200);
        finished.GetProperty("data").GetProperty("phones")[0].GetProperty("value").GetString().ShouldBe("+14155550105");
        await using var db = app.NewDb();
        (await db.LeadRecords.CountAsync(r => r.WorkspaceId == ws.Id)).ShouldBe(1);
        (await db.JobItems.CountAsync(i => i.WorkspaceId == ws.Id)).ShouldBe(1);
        (await db.LedgerEntries.Where(e => e.WorkspaceId == ws.Id && e.Kind == LedgerKinds.Charge).SumAsync(e => e.Amount)).ShouldBe(10);
        (await db.CreditAccounts.SingleAsync(a => a.WorkspaceId == ws.Id)).Reserved.ShouldBe(0);
    }

    [DbFact]
    public async Task Concurrent_requests_for_different_channels_of_one_person_make_one_contact()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            client.PostJson("/enrichment", ByLinkedin("p6", i % 2 == 0 ? "work_email" : "phone"))));
        foreach (var response in responses) await response.ShouldBeOk();
        await using var db = app.NewDb();
        (await db.Contacts.CountAsync(c => c.WorkspaceId == ws.Id)).ShouldBe(1);
        var contact = await db.Contacts.SingleAsync(c => c.WorkspaceId == ws.Id);
        (contact.Email, contact.Phone).ShouldBe(("p6@race.io", "+14155550106"));
    }

    [DbFact]
    public async Task Write_back_goes_to_the_oldest_holder_of_a_key_and_passes_to_the_next_when_it_gives_the_key_up()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        async Task<Guid> Create() => (await (await client.PostJson("/v1/contacts", new { linkedin_url = "https://www.linkedin.com/in/p7-test" }))
            .ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();
        var older = await Create();
        var newer = await Create(); // POST /v1/contacts may duplicate; the older one owns the key
        var first = await (await client.PostJson("/enrichment", ByLinkedin("p7", "work_email"))).ShouldBeOk();
        first.GetProperty("record_id").GetGuid().ShouldBe(older);
        // Deleting a contact erases the person under its keys (both duplicates, DESIGN §4); changing the key gives it up.
        (await client.PatchJson($"/v1/contacts/{older}", new { linkedin_url = "https://www.linkedin.com/in/p7-moved" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await (await client.PostJson("/enrichment", ByLinkedin("p7", "phone"))).ShouldBeOk();
        again.GetProperty("record_id").GetGuid().ShouldBe(newer);
        await using var db = app.NewDb();
        (await db.Contacts.CountAsync(c => c.WorkspaceId == ws.Id)).ShouldBe(2);
    }

    [DbFact]
    public async Task Overlapping_concurrent_requests_share_their_common_channel_and_each_runs_its_own()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var emailAndPhone = Enumerable.Range(0, 20).Select(_ => client.PostJson("/enrichment", ByLinkedin("p2", "work_email", "phone")));
        var emailAndLinkedin = Enumerable.Range(0, 20).Select(_ => client.PostJson("/enrichment", ByLinkedin("p2", "linkedin_url", "work_email")));
        var responses = await Task.WhenAll(emailAndPhone.Concat(emailAndLinkedin));
        foreach (var response in responses)
        {
            var body = await response.ShouldBeOk();
            body.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("p2@race.io");
        }
        // Each channel found once and charged once, whichever request ran it: work_email 1 + phone 10 + linkedin_url 1.
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(88);
    }

    [DbFact]
    public async Task A_cached_repeat_at_balance_zero_is_answered_free_with_no_ledger_entry()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1);
        using var client = ws.Client();
        var first = await (await client.PostJson("/enrichment", ByLinkedin("p3", "work_email"))).ShouldBeOk();
        first.GetProperty("credits_used").GetInt64().ShouldBe(1);
        await using var db = app.NewDb();
        var entries = await db.LedgerEntries.CountAsync(e => e.WorkspaceId == ws.Id);

        var again = await (await client.PostJson("/enrichment", ByLinkedin("p3", "work_email"))).ShouldBeOk();
        again.GetProperty("credits_used").GetInt64().ShouldBe(0);
        again.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("p3@race.io");
        // Seed 001's synchronous LinkedIn call, answered by the same cache.
        var operations = await (await client.PostJson("/api/enrichments",
            new { identifier = new { linkedin_url = "https://www.linkedin.com/in/p3-test" }, fields = new[] { "contact.email" } })).ShouldBeOk();
        operations.GetProperty("data").GetProperty("contact").GetProperty("email")[0].GetProperty("value").GetString().ShouldBe("p3@race.io");
        (await db.LedgerEntries.CountAsync(e => e.WorkspaceId == ws.Id)).ShouldBe(entries);

        // Something not cached still needs credits.
        await (await client.PostJson("/enrichment", ByLinkedin("p4", "work_email"))).ShouldBeError(402, "insufficient_credits");
    }

    [DbFact]
    public async Task A_fully_cached_answer_writes_its_trace_within_a_second()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        await (await client.PostJson("/enrichment", ByLinkedin("p8", "work_email"))).ShouldBeOk();
        var again = await client.PostJson("/enrichment", ByLinkedin("p8", "work_email"));
        (await again.ShouldBeOk()).GetProperty("credits_used").GetInt64().ShouldBe(0);
        var id = again.Headers.GetValues("X-Enrichment-Id").Single();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var trace = await Polling.UntilAsync(() => client.GetAsync($"/v1/enrichments/{id}/trace"), r => r.StatusCode == HttpStatusCode.OK,
            "the cached answer's trace", attempts: 100);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
        var steps = (await trace.Json()).GetProperty("data").GetProperty("steps").EnumerateArray().ToList();
        steps.ShouldContain(s => s.GetProperty("outcome").GetString() == "cache_hit");
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(9);
    }

    [DbFact]
    public async Task A_provider_that_failed_is_asked_again_on_the_next_request()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var flo = new { first_name = "flo", last_name = "test", company_domain = "race.io", channels = new[] { "work_email" } };
        app.Fakes.Specs["flaky"].FailWith = 400;
        try
        {
            var failed = await (await client.PostJson("/enrichment", flo)).ShouldBeOk();
            failed.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);
            failed.GetProperty("credits_used").GetInt64().ShouldBe(0);
        }
        finally
        {
            app.Fakes.Specs["flaky"].FailWith = null;
        }
        var calls = app.Fakes.Count("flaky");
        var recovered = await (await client.PostJson("/enrichment", flo)).ShouldBeOk();
        app.Fakes.Count("flaky").ShouldBe(calls + 1);
        recovered.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("flo@flaky.io");
        recovered.GetProperty("credits_used").GetInt64().ShouldBe(1);
    }

    [DbFact]
    public async Task Provider_requests_carry_a_content_length_never_chunked()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        await (await client.PostJson("/enrichment", ByLinkedin("p9", "work_email"))).ShouldBeOk();
        var call = app.Fakes.Calls.Last(c => c.Query["linkedin_url"]?.ToString().Contains("p9-test") == true);
        call.ContentLength.ShouldNotBeNull();
        call.ContentLength!.Value.ShouldBeGreaterThan(0);
    }

    [DbFact]
    public async Task A_clean_miss_is_cached_and_not_asked_again()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var nobody = new { email = "nobody@race.io", channels = new[] { "work_email" } };
        (await (await client.PostJson("/enrichment", nobody)).ShouldBeOk()).GetProperty("credits_used").GetInt64().ShouldBe(0);
        var calls = (app.Fakes.Count("slow"), app.Fakes.Count("flaky"));
        (await (await client.PostJson("/enrichment", nobody)).ShouldBeOk()).GetProperty("credits_used").GetInt64().ShouldBe(0);
        (app.Fakes.Count("slow"), app.Fakes.Count("flaky")).ShouldBe(calls);
    }
}

public abstract partial class EnrichmentPathTests
{
    /// <summary>A clock an hour ahead: what a sweeping process sees once a reservation's deadline and grace are long past.</summary>
    private sealed class AnHourLater : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddHours(1);
    }

    [DbFact]
    public async Task A_request_whose_reservation_expired_while_it_ran_delivers_free_and_is_counted()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();
        var running = client.PostJson("/enrichment", ByLinkedin("p12", "work_email"));
        await using (var db = app.NewDb())
        {
            await Polling.UntilAsync(() => db.CreditReservations.AsNoTracking().CountAsync(r => r.WorkspaceId == ws.Id && r.ClosedAt == null),
                open => open == 1, "the request's reservation", attempts: 400, delayMs: 10);
            // Another process's sweeper releases it as expired while the provider is still answering.
            (await new Ledger(new AnHourLater()).ReleaseExpiredAsync(db)).ShouldBeGreaterThanOrEqualTo(1);
        }
        var answer = await (await running).ShouldBeOk();
        answer.GetProperty("credits_used").GetInt64().ShouldBe(0);
        answer.ToString().ShouldContain("p12@race.io");
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(10);
        using var anonymous = app.CreateClient();
        (await anonymous.GetStringAsync("/metrics")).ShouldContain("tributary_credits_expired_unbilled_total");
    }
}

public sealed class EnrichmentPathTests_Sqlite(EnrichmentPathSqliteApp app) : EnrichmentPathTests(app), IClassFixture<EnrichmentPathSqliteApp>;

public sealed class EnrichmentPathTests_Postgres(EnrichmentPathPostgresApp app)
    : EnrichmentPathTests(app), IClassFixture<EnrichmentPathPostgresApp>, IPostgresTests;
