using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Providers;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>
/// Apollo with a <c>PhoneWebhookUrl</c> (and one without), Dropcontact and Hunter, on two job workers with a short item
/// deadline, so that vendors which answer later can be seen answering in time, late, and beside other items.
/// </summary>
public abstract class VendorLateApp(DatabaseProvider provider) : TributaryApp(provider)
{
    public const int ItemDeadlineMs = 10_000;
    public VendorFakes Fakes { get; } = new();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Tributary:Jobs:Workers"] = "2",
                ["Tributary:Jobs:ItemDeadlineMs"] = ItemDeadlineMs.ToString(),
                ["Tributary:Jobs:PollIntervalMs"] = "50",
                ["Tributary:Providers:apollo:PhoneWebhookUrl"] = "https://tributary.test",
                // Both waiting items join one request, which is full (two workers) and sent at once.
                ["Tributary:Providers:dropcontact:BatchWindowMs"] = "5000",
                ["Tributary:Providers:dropcontact:FirstPollMs"] = "500",
                ["Tributary:Waterfall:work_email:0"] = "apollo",
                ["Tributary:Waterfall:phone:0"] = "apollo_plain",
                ["Tributary:Waterfall:phone:1"] = "apollo",
                ["Tributary:Waterfall:company_domain:0"] = "dropcontact",
                ["Tributary:Waterfall:job_title:0"] = "hunter",
                ["Tributary:Waterfall:linkedin_url:0"] = "dropcontact",
            };
            foreach (var (name, type) in new[] { ("apollo", "apollo"), ("apollo_plain", "apollo"), ("dropcontact", "dropcontact"), ("hunter", "hunter") })
            {
                settings[$"Tributary:Providers:{name}:Type"] = type;
                settings[$"Tributary:Providers:{name}:ApiKey"] = VendorFakes.GoodKey;
                settings[$"Tributary:Providers:{name}:BaseUrl"] = Fakes.BaseUrl;
            }
            return settings;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}

public sealed class VendorLateSqliteApp() : VendorLateApp(DatabaseProvider.Sqlite);
public sealed class VendorLatePostgresApp() : VendorLateApp(DatabaseProvider.Postgres);

public sealed class VendorLateAnswerTests_Sqlite(VendorLateSqliteApp app) : VendorLateAnswerTests(app), IClassFixture<VendorLateSqliteApp>;
public sealed class VendorLateAnswerTests_Postgres(VendorLatePostgresApp app) : VendorLateAnswerTests(app), IClassFixture<VendorLatePostgresApp>, IPostgresTests;

/// <summary>Vendors that answer later (DESIGN §5.4): Apollo's phones through its hook, late answers kept, slow items out of the worker slots.</summary>
public abstract class VendorLateAnswerTests(VendorLateApp app)
{
    private static async Task<Guid> StartJob(HttpClient client, string[] channels, params string[] lastNames)
    {
        var records = lastNames.Select(n => new Dictionary<string, string> { ["first_name"] = "Ada", ["last_name"] = n, ["company_domain"] = VendorFakes.Domain }).ToArray();
        return (await (await client.PostJson("/v1/jobs", new { records, channels })).ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
    }

    private static Task<JsonElement> Finished(HttpClient client, Guid id) =>
        Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", $"job {id}", attempts: 600, delayMs: 50);

    private static async Task<List<JsonElement>> Lines(HttpClient client, Guid id) =>
        (await client.GetStringAsync($"/v1/jobs/{id}/results")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static async Task<long> Balance(HttpClient client) =>
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64();

    private async Task<decimal> ApolloCostToday()
    {
        using var admin = app.Admin();
        var providers = (await (await admin.GetAsync("/admin/providers")).ShouldBeOk()).GetProperty("providers");
        return providers.EnumerateArray().First(p => p.GetProperty("name").GetString() == "apollo").GetProperty("today").GetProperty("cost").GetDecimal();
    }

    [DbFact]
    public async Task A_job_gets_the_phone_apollo_posts_to_the_hook_later_and_a_repeated_post_charges_once()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        var revealsBefore = app.Fakes.PhoneReveals.Count;
        var costBefore = await ApolloCostToday();

        var id = await StartJob(client, ["work_email", "phone"], "hookphone");
        await app.Fakes.PhoneRevealsAsked(revealsBefore + 1);
        var reveal = app.Fakes.PhoneReveals.Last();
        reveal.PersonId.ShouldBe(VendorFakes.ApolloPersonId("hookphone"));
        reveal.WebhookUrl.ShouldStartWith("https://tributary.test/hooks/apollo/apollo/");
        var ask = app.Fakes.Requests.Last(r => r.Vendor == "apollo" && r.Path == "/api/v1/people/match");
        (ask.Q("reveal_phone_number") ?? ask.B("reveal_phone_number")).ShouldBe("true");
        // The provider without a PhoneWebhookUrl was never asked for a phone.
        app.Fakes.PhoneReveals.ShouldAllBe(p => p.WebhookUrl.Contains("/hooks/apollo/apollo/"));

        using var apollo = app.CreateClient();
        (await app.Fakes.PostPhonesAsync(apollo, reveal.PersonId)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        // Apollo may deliver the same numbers again.
        (await app.Fakes.PostPhonesAsync(apollo, reveal.PersonId)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);

        var job = await Finished(client, id);
        job.GetProperty("status").GetString().ShouldBe("succeeded");
        var line = (await Lines(client, id)).ShouldHaveSingleItem();
        line.GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe(VendorFakes.ApolloMobile);
        line.GetProperty("channels").GetProperty("phone").GetProperty("source").GetString().ShouldBe("apollo");
        line.GetProperty("timed_out").GetBoolean().ShouldBeFalse();
        // A work email (1) and a phone (10), once, whatever the repeated delivery.
        job.GetProperty("credits_charged").GetInt64().ShouldBe(11);
        (await app.Fakes.PostPhonesAsync(apollo, reveal.PersonId)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await Balance(client)).ShouldBe(1000 - 11);
        // The operator's cost in Apollo credits: the match and the mobile, once.
        await Polling.UntilAsync(ApolloCostToday, c => c >= costBefore + 9, "apollo usage", delayMs: 100);
        (await ApolloCostToday()).ShouldBe(costBefore + 9);
    }

    [DbFact]
    public async Task Job_records_asked_together_through_bulk_match_each_get_their_own_phone()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        var revealsBefore = app.Fakes.PhoneReveals.Count;
        var bulkBefore = app.Fakes.Count("apollo", "/api/v1/people/bulk_match");
        var id = await StartJob(client, ["phone"], "bulkphone1", "bulkphone2");
        await app.Fakes.PhoneRevealsAsked(revealsBefore + 2);
        using var apollo = app.CreateClient();
        (await app.Fakes.PostPhonesAsync(apollo, VendorFakes.ApolloPersonId("bulkphone1"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        // The second person has no number: a phone of the first is never the second's.
        (await app.Fakes.PostPhonesAsync(apollo, VendorFakes.ApolloPersonId("bulkphone2"), mobile: null)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);

        var job = await Finished(client, id);
        job.GetProperty("credits_charged").GetInt64().ShouldBe(10);
        var byName = (await Lines(client, id)).ToDictionary(l => l.GetProperty("input").GetProperty("last_name").GetString()!);
        byName["bulkphone1"].GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe(VendorFakes.ApolloMobile);
        byName["bulkphone2"].GetProperty("channels").GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
        byName["bulkphone2"].GetProperty("timed_out").GetBoolean().ShouldBeFalse();
        (app.Fakes.Count("apollo", "/api/v1/people/bulk_match") - bulkBefore).ShouldBe(1);
        app.Fakes.Requests.Last(r => r.Path == "/api/v1/people/bulk_match").B("webhook_url")!.ShouldStartWith("https://tributary.test/hooks/apollo/apollo/");
    }

    [DbFact]
    public async Task A_synchronous_request_does_not_ask_apollo_for_phones_and_says_why()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var revealsBefore = app.Fakes.PhoneReveals.Count;
        var response = await client.PostJson("/enrichment",
            new { first_name = "Ada", last_name = "syncphone", company_domain = VendorFakes.Domain, channels = new[] { "work_email", "phone" } });
        var body = await response.ShouldBeOk();
        body.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe(VendorFakes.EmailOf("syncphone"));
        body.GetProperty("channels").GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
        var steps = (await (await client.GetAsync($"/v1/enrichments/{response.Headers.GetValues("X-Enrichment-Id").Single()}/trace")).Json())
            .GetProperty("data").GetProperty("steps").EnumerateArray().ToList();
        steps.ShouldContain(s => s.GetProperty("provider").GetString() == "apollo" && s.GetProperty("outcome").GetString() == "skipped"
                                 && s.GetProperty("detail").GetString() == "too slow for a synchronous call"
                                 && s.GetProperty("channels_asked").EnumerateArray().Single().GetString() == "phone");
        app.Fakes.PhoneReveals.Count.ShouldBe(revealsBefore);
        app.Fakes.Requests.Last(r => r.Vendor == "apollo").Q("reveal_phone_number").ShouldBeNull();
        // Not asked is not a miss: nothing is remembered for the phone.
        await using var db = app.NewDb();
        (await db.CacheEntries.CountAsync(e => e.WorkspaceId == ws.Id && e.Channel == "phone")).ShouldBe(0);
    }

    [DbFact]
    public async Task Without_a_phone_webhook_url_apollo_does_not_serve_phones()
    {
        using var admin = app.Admin();
        var providers = (await (await admin.GetAsync("/admin/providers")).ShouldBeOk()).GetProperty("providers").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).ToList());
        providers["apollo_plain"].ShouldNotContain("phone");
        providers["apollo"].ShouldContain("phone");
        var registry = app.Services.GetRequiredService<ProviderRegistry>();
        registry.OrderFor("phone").ShouldBe(["apollo"]);
    }

    [DbFact]
    public async Task A_hook_with_a_wrong_secret_or_provider_is_not_found_and_stores_nothing()
    {
        var answers = app.Services.GetRequiredService<ProviderRegistry>().Answers;
        var secret = await answers.SecretAsync("apollo", CancellationToken.None);
        var plainSecret = await answers.SecretAsync("apollo_plain", CancellationToken.None);
        var payload = new { people = new[] { new { id = "ap-forged", phone_numbers = new[] { new { sanitized_number = "+14155550111", type = "mobile" } } } } };
        using var client = app.CreateClient();
        foreach (var path in new[]
                 {
                     "/hooks/apollo/apollo/" + secret[..^1] + (secret[^1] == 'A' ? "B" : "A"), "/hooks/apollo/apollo/x",
                     "/hooks/apollo/nosuch/" + secret, "/hooks/apollo/hunter/" + secret, "/hooks/apollo/apollo_plain/" + plainSecret,
                 })
            ((int)(await client.PostAsJsonAsync(path, payload)).StatusCode).ShouldBe(404, path);
        await using var db = app.NewDb();
        (await db.PendingVendorAnswers.CountAsync(p => p.VendorKey == "ap-forged")).ShouldBe(0);
        // The right one is taken (an answer nobody waits for yet is kept for the run that will).
        ((int)(await client.PostAsJsonAsync("/hooks/apollo/apollo/" + secret, payload)).StatusCode).ShouldBe(200);
        (await db.PendingVendorAnswers.CountAsync(p => p.VendorKey == "ap-forged")).ShouldBe(1);
    }

    [DbFact]
    public async Task A_phone_that_comes_after_the_item_deadline_is_stored_on_the_contact_and_in_the_cache()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        var revealsBefore = app.Fakes.PhoneReveals.Count;
        var id = await StartJob(client, ["work_email", "phone"], "latephone");
        await app.Fakes.PhoneRevealsAsked(revealsBefore + 1);
        var reveal = app.Fakes.PhoneReveals.Last();

        // Nothing comes within the item's deadline: the item ends with its email, and says it timed out.
        var job = await Finished(client, id);
        job.GetProperty("status").GetString().ShouldBe("succeeded");
        var line = (await Lines(client, id)).ShouldHaveSingleItem();
        line.GetProperty("timed_out").GetBoolean().ShouldBeTrue();
        line.GetProperty("channels").GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
        job.GetProperty("credits_charged").GetInt64().ShouldBe(1);
        var contactId = line.GetProperty("contact_id").GetGuid();

        using var apollo = app.CreateClient();
        (await app.Fakes.PostPhonesAsync(apollo, reveal.PersonId)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await app.Fakes.PostPhonesAsync(apollo, reveal.PersonId)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);

        // Stored on the contact (which had no phone) and cached: the next request is answered free, without Apollo.
        var contact = (await (await client.GetAsync($"/v1/contacts/{contactId}")).ShouldBeOk()).GetProperty("data");
        contact.GetProperty("phone").GetString().ShouldBe(VendorFakes.ApolloMobile);
        var apolloCalls = app.Fakes.Count("apollo");
        var again = await (await client.PostJson("/enrichment",
            new { first_name = "Ada", last_name = "latephone", company_domain = VendorFakes.Domain, channels = new[] { "phone" } })).ShouldBeOk();
        again.GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe(VendorFakes.ApolloMobile);
        app.Fakes.Count("apollo").ShouldBe(apolloCalls);
        // The item had ended: the workspace paid only for the email.
        (await Balance(client)).ShouldBe(1000 - 1);
        await using var db = app.NewDb();
        (await db.PendingVendorAnswers.Where(p => p.VendorKey == reveal.PersonId && p.WorkspaceId == ws.Id).Select(p => p.State).ToListAsync())
            .ShouldBe([Tributary.Core.Providers.Vendors.PendingStates.Stored]);
    }

    [DbFact]
    public async Task A_dropcontact_answer_that_comes_after_the_item_deadline_is_still_stored()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        app.Fakes.HoldDropcontact(true);
        Guid id;
        try
        {
            var before = app.Fakes.DropcontactContacts;
            id = await StartJob(client, ["linkedin_url"], "dclate");
            await app.Fakes.DropcontactContactsSubmitted(before + 1);
            // Dropcontact is not ready within the item's deadline: the item ends without it.
            var job = await Finished(client, id);
            job.GetProperty("credits_charged").GetInt64().ShouldBe(0);
            var line = (await Lines(client, id)).ShouldHaveSingleItem();
            line.GetProperty("timed_out").GetBoolean().ShouldBeTrue();
            line.GetProperty("channels").GetProperty("linkedin_url").ValueKind.ShouldBe(JsonValueKind.Null);
        }
        finally
        {
            app.Fakes.HoldDropcontact(false);
        }
        // The request it sent is still read until ready; its answer then lands on a contact and in the cache, free.
        var contact = await Polling.UntilAsync(
            async () => (await (await client.GetAsync("/v1/contacts")).ShouldBeOk()).GetProperty("data").GetProperty("contacts").EnumerateArray().ToList(),
            list => list.Count == 1 && list[0].GetProperty("linkedin_url").ValueKind == JsonValueKind.String, "the late answer on a contact",
            attempts: 1200, delayMs: 100);
        contact[0].GetProperty("linkedin_url").GetString()!.ShouldContain("ada-dclate");
        var again = await (await client.PostJson("/enrichment",
            new { first_name = "Ada", last_name = "dclate", company_domain = VendorFakes.Domain, channels = new[] { "linkedin_url" } })).ShouldBeOk();
        again.GetProperty("channels").GetProperty("linkedin_url").GetProperty("source").GetString().ShouldBe("dropcontact");
        (await Balance(client)).ShouldBe(1000);
    }

    [DbFact]
    public async Task A_late_answer_is_taken_once_by_the_item_still_committing_or_by_the_store_never_both()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        var late = app.Services.GetRequiredService<Tributary.Core.Enrichment.LateAnswers>();
        var person = JsonSerializer.Serialize(new { id = "ap-race", phone_numbers = new[] { new { sanitized_number = VendorFakes.ApolloMobile, type = "mobile" } } });
        async Task<(Guid Row, Guid Item)> LateRow()
        {
            await using var db = app.NewDb();
            var row = new Tributary.Core.Providers.Vendors.PendingVendorAnswer
            {
                Id = Guid.CreateVersion7(), Provider = "apollo", VendorKey = "ap-race", State = Tributary.Core.Providers.Vendors.PendingStates.Late,
                WorkspaceId = ws.Id, JobItemId = Guid.NewGuid(),
                KnownJson = JsonSerializer.Serialize(new { first_name = "Ada", last_name = "race", company_domain = VendorFakes.Domain }),
                ChannelsJson = "[\"phone\"]", AnswerJson = person, CreatedAt = DateTime.UtcNow, WaitUntil = DateTime.UtcNow, AnsweredAt = DateTime.UtcNow,
            };
            db.PendingVendorAnswers.Add(row);
            await db.SaveChangesAsync();
            return (row.Id, row.JobItemId!.Value);
        }
        async Task<string> State(Guid id)
        {
            await using var db = app.NewDb();
            return await db.PendingVendorAnswers.Where(p => p.Id == id).Select(p => p.State).SingleAsync();
        }

        // The item commits first: it takes the phone (and is charged for it there); the store then finds nothing to do.
        var first = await LateRow();
        await using (var db = app.NewDb())
        {
            (await late.TakeForItemInAsync(db, first.Item, 0.5, CancellationToken.None)).ShouldHaveSingleItem().Value.GetString().ShouldBe(VendorFakes.ApolloMobile);
            (await late.TakeForItemInAsync(db, first.Item, 0.5, CancellationToken.None)).ShouldBeEmpty();
        }
        (await late.StoreAsync("apollo", CancellationToken.None)).ShouldBe(0);
        (await State(first.Row)).ShouldBe(Tributary.Core.Providers.Vendors.PendingStates.Used);

        // The store comes first: the answer is cached (and written to a contact); an item committing after it takes nothing.
        var second = await LateRow();
        (await late.StoreAsync("apollo", CancellationToken.None)).ShouldBe(1);
        (await late.StoreAsync("apollo", CancellationToken.None)).ShouldBe(0);
        await using (var db = app.NewDb())
        {
            (await late.TakeForItemInAsync(db, second.Item, 0.5, CancellationToken.None)).ShouldBeEmpty();
            (await db.CacheEntries.CountAsync(e => e.WorkspaceId == ws.Id && e.Channel == "phone" && e.Found)).ShouldBeGreaterThan(0);
        }
        (await State(second.Row)).ShouldBe(Tributary.Core.Providers.Vendors.PendingStates.Stored);
    }

    [DbFact]
    public async Task Items_waiting_on_dropcontact_give_their_worker_slots_to_other_items()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        app.Fakes.HoldDropcontact(true);
        Guid slow;
        try
        {
            var before = app.Fakes.DropcontactContacts;
            // Two items for the two workers, both waiting on Dropcontact.
            slow = await StartJob(client, ["company_domain"], "slowone", "slowtwo");
            await app.Fakes.DropcontactContactsSubmitted(before + 2);

            // A third item, through another vendor, runs meanwhile.
            var quick = await StartJob(client, ["job_title"], "quickone");
            (await Finished(client, quick)).GetProperty("status").GetString().ShouldBe("succeeded");
            (await Lines(client, quick)).ShouldHaveSingleItem().GetProperty("channels").GetProperty("job_title").GetProperty("value").GetString().ShouldBe("CTO");
            var waiting = (await (await client.GetAsync($"/v1/jobs/{slow}")).ShouldBeOk()).GetProperty("data");
            waiting.GetProperty("status").GetString().ShouldBe("processing");
            waiting.GetProperty("processed").GetInt64().ShouldBe(0);
        }
        finally
        {
            app.Fakes.HoldDropcontact(false);
        }
        // Once Dropcontact is ready, the waiting items take a slot again and finish with its answer.
        (await Finished(client, slow)).GetProperty("status").GetString().ShouldBe("succeeded");
        (await Lines(client, slow)).ShouldAllBe(l => l.GetProperty("channels").GetProperty("company_domain").ValueKind == JsonValueKind.Object
                                                     || l.GetProperty("timed_out").GetBoolean());
    }
}
