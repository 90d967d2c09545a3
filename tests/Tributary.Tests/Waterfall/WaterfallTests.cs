using System.Net.Http.Json;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Waterfall;

/// <summary>Three providers in order on one channel, a fourth that needs what an earlier one finds.</summary>
public abstract class OrderedProvidersApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["alpha"] = new() { Channels = ["work_email", "phone"], People = [Person("ada", email: "ada@analytical.io", phone: null)] },
        ["beta"] = new() { Channels = ["work_email", "linkedin_url"], People = [Person("ada", email: "ada.l@analytical.io"), Person("bob", email: "bob@builders.io"), Person("low", email: "low@conf.io", confidence: 0.3)] },
        ["gamma"] = new() { Channels = ["work_email", "phone"], People = [Person("ada", email: "never@used.io", phone: "+14155550100"), Person("bob", phone: "+442079460958"), Person("low", email: "low.high@conf.io")] },
        ["needs_li"] = new() { Channels = ["phone"], People = [Person("ada", phone: "+14155238841")] },
    },
    new Dictionary<string, string[]>
    {
        ["work_email"] = ["alpha", "beta", "gamma"],
        ["linkedin_url"] = ["beta"],
        ["phone"] = ["needs_li", "gamma"],
    },
    new Dictionary<string, object> { ["Tributary:Providers:needs_li:Requires:0:0"] = "linkedin_url" })
{
    public static Dictionary<string, object?> Person(string who, string? email = null, string? phone = null, double? confidence = null)
    {
        var p = new Dictionary<string, object?> { ["first_name"] = who, ["last_name"] = "test", ["company_domain"] = "analytical.io",
            ["linkedin_url"] = $"https://www.linkedin.com/in/{who}-test", ["work_email"] = email, ["phone"] = phone };
        if (confidence is { } c) p["_confidence"] = c;
        return p;
    }
}

public sealed class OrderedSqliteApp() : OrderedProvidersApp(DatabaseProvider.Sqlite);
public sealed class OrderedPostgresApp() : OrderedProvidersApp(DatabaseProvider.Postgres);

public abstract class WaterfallTests(OrderedProvidersApp app)
{
    private static object Linkedin(string who, params string[] channels) => new { linkedin_url = $"https://linkedin.com/in/{who}-test/", channels };

    [DbFact]
    public async Task Providers_are_asked_in_order_and_the_run_stops_at_the_first_hit()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var before = (app.Fakes.Count("alpha"), app.Fakes.Count("beta"), app.Fakes.Count("gamma"));
        var response = await client.PostJson("/enrichment", new { first_name = "bob", last_name = "test", company_domain = "analytical.io", channels = new[] { "work_email" } });
        var body = await response.ShouldBeOk();
        var email = body.GetProperty("channels").GetProperty("work_email");
        email.GetProperty("value").GetString().ShouldBe("bob@builders.io");
        email.GetProperty("source").GetString().ShouldBe("beta");
        email.GetProperty("confidence").GetDouble().ShouldBe(0.9);
        (app.Fakes.Count("alpha") - before.Item1, app.Fakes.Count("beta") - before.Item2, app.Fakes.Count("gamma") - before.Item3).ShouldBe((1, 1, 0));
        body.GetProperty("credits_used").GetInt64().ShouldBe(1);
        body.GetProperty("record_id").GetGuid().ShouldNotBe(Guid.Empty);
        response.Headers.GetValues("X-Enrichment-Id").Single().ShouldNotBeNullOrEmpty();
    }

    [DbFact]
    public async Task What_one_provider_finds_unlocks_a_provider_that_requires_it()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var gammaBefore = app.Fakes.Count("gamma");
        var body = await (await client.PostJson("/enrichment", new { first_name = "ada", last_name = "test", company_domain = "analytical.io",
            channels = new[] { "linkedin_url", "phone" } })).ShouldBeOk();
        var channels = body.GetProperty("channels");
        channels.GetProperty("linkedin_url").GetProperty("source").GetString().ShouldBe("beta");
        channels.GetProperty("phone").GetProperty("value").GetString().ShouldBe("+14155238841");
        channels.GetProperty("phone").GetProperty("source").GetString().ShouldBe("needs_li");
        app.Fakes.Count("gamma").ShouldBe(gammaBefore);
        var call = app.Fakes.Calls.Last(c => c.Provider == "needs_li");
        call.Query["linkedin_url"]!.GetValue<string>().ShouldBe("https://www.linkedin.com/in/ada-test");
        call.Query["first_name"]!.GetValue<string>().ShouldBe("ada");
        call.Channels.ShouldBe(["phone"]);
        // phone 10 + linkedin_url 1
        body.GetProperty("credits_used").GetInt64().ShouldBe(11);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(89);
    }

    [DbFact]
    public async Task One_call_fills_every_missing_channel_the_provider_serves()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var before = app.Fakes.Count("gamma");
        var body = await (await client.PostJson("/enrichment", new { first_name = "ada", last_name = "test", company_domain = "analytical.io",
            channels = new[] { "phone", "work_email" } })).ShouldBeOk();
        app.Fakes.Count("gamma").ShouldBe(before + 1);
        app.Fakes.Calls.Last(c => c.Provider == "gamma").Channels.ShouldBe(["phone", "work_email"]);
        body.GetProperty("channels").GetProperty("phone").GetProperty("source").GetString().ShouldBe("gamma");
        body.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("never@used.io");
    }

    [DbFact]
    public async Task A_value_below_min_confidence_is_not_accepted()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var body = await (await client.PostJson("/enrichment", new { first_name = "low", last_name = "test", company_domain = "analytical.io", channels = new[] { "work_email" } })).ShouldBeOk();
        var email = body.GetProperty("channels").GetProperty("work_email");
        email.GetProperty("value").GetString().ShouldBe("low.high@conf.io");
        email.GetProperty("source").GetString().ShouldBe("gamma");

        using var admin = app.Admin();
        var lenient = await app.CreateWorkspaceAsync(credits: 100);
        (await admin.PatchJson($"/admin/workspaces/{lenient.Id}", new { min_confidence = 0.2 })).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var lenientClient = lenient.Client();
        var accepted = await (await lenientClient.PostJson("/enrichment", new { first_name = "low", last_name = "test", company_domain = "analytical.io", channels = new[] { "work_email" } })).ShouldBeOk();
        accepted.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("low@conf.io");
    }

    [DbFact]
    public async Task A_cache_hit_calls_no_provider_and_costs_nothing_and_force_calls_again()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var request = Linkedin("bob", "work_email", "linkedin_url");
        var first = await (await client.PostJson("/enrichment", request)).ShouldBeOk();
        first.GetProperty("credits_used").GetInt64().ShouldBe(2);
        var calls = app.Fakes.Calls.Count;

        var again = await (await client.PostJson("/enrichment", new { linkedin_url = "https://www.linkedin.com/in/bob-test", channels = new[] { "work_email", "linkedin_url" } })).ShouldBeOk();
        app.Fakes.Calls.Count.ShouldBe(calls);
        again.GetProperty("credits_used").GetInt64().ShouldBe(0);
        again.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("bob@builders.io");
        again.GetProperty("record_id").GetGuid().ShouldBe(first.GetProperty("record_id").GetGuid());

        // Known by its email now too: a lookup by email is a cache hit as well.
        var byEmail = await (await client.PostJson("/enrichment", new { email = "bob@builders.io", channels = new[] { "linkedin_url" } })).ShouldBeOk();
        app.Fakes.Calls.Count.ShouldBe(calls);
        byEmail.GetProperty("credits_used").GetInt64().ShouldBe(0);

        var forced = await (await client.PostJson("/enrichment", new { linkedin_url = "https://www.linkedin.com/in/bob-test", channels = new[] { "work_email" }, force = true })).ShouldBeOk();
        app.Fakes.Calls.Count.ShouldBeGreaterThan(calls);
        forced.GetProperty("credits_used").GetInt64().ShouldBe(1);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(97);
    }

    [DbFact]
    public async Task Deleting_a_contact_erases_its_cached_answers_and_tombstones_its_keys()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var first = await (await client.PostJson("/enrichment", Linkedin("bob", "work_email"))).ShouldBeOk();
        var calls = app.Fakes.Calls.Count;
        (await client.DeleteAsync($"/v1/contacts/{first.GetProperty("record_id").GetGuid()}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using (var db = app.NewDb())
            db.CacheEntries.Count(e => e.WorkspaceId == ws.Id).ShouldBe(0);
        // DESIGN §4: for 24 hours the erased keys are answered as no match, free, and (here) without asking a provider.
        var again = await (await client.PostJson("/enrichment", Linkedin("bob", "work_email"))).ShouldBeOk();
        again.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);
        again.GetProperty("credits_used").GetInt64().ShouldBe(0);
        app.Fakes.Calls.Count.ShouldBe(calls);
    }

    [DbFact]
    public async Task A_cached_miss_is_not_asked_again_and_costs_nothing()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var nobody = new { email = "nobody@nowhere.io", channels = new[] { "work_email", "phone" } };
        var first = await (await client.PostJson("/enrichment", nobody)).ShouldBeOk();
        first.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);
        first.GetProperty("channels").GetProperty("phone").ValueKind.ShouldBe(JsonValueKind.Null);
        first.GetProperty("record_id").ValueKind.ShouldBe(JsonValueKind.Null);
        first.GetProperty("credits_used").GetInt64().ShouldBe(0);
        var calls = app.Fakes.CountFor("alpha", q => q["email"]?.ToString() == "nobody@nowhere.io");
        calls.ShouldBe(1);
        await client.PostJson("/enrichment", nobody);
        app.Fakes.CountFor("alpha", q => q["email"]?.ToString() == "nobody@nowhere.io").ShouldBe(1);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(100);

        // A changed min_confidence makes the cached miss stale: the providers are asked again.
        using var admin = app.Admin();
        (await admin.PatchJson($"/admin/workspaces/{ws.Id}", new { min_confidence = 0.4 })).EnsureSuccessStatusCode();
        await client.PostJson("/enrichment", nobody);
        app.Fakes.CountFor("alpha", q => q["email"]?.ToString() == "nobody@nowhere.io").ShouldBe(2);
    }

    [DbFact]
    public async Task The_trace_shows_providers_in_order_and_why_others_were_skipped()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var response = await client.PostJson("/enrichment", new { first_name = "bob", last_name = "test", company_domain = "analytical.io", channels = new[] { "work_email", "phone" } });
        var id = response.Headers.GetValues("X-Enrichment-Id").Single();
        var trace = (await (await client.GetAsync($"/v1/enrichments/{id}/trace")).ShouldBeOk()).GetProperty("data");
        var steps = trace.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("provider").GetString(), s.GetProperty("outcome").GetString())).ToList();
        steps.ShouldBe([("alpha", "no_match"), ("beta", "found"), ("gamma", "found"), ("needs_li", "skipped")]);
        trace.GetProperty("steps")[3].GetProperty("detail").GetString()!.ShouldContain("linkedin_url");
        trace.GetProperty("found").GetProperty("phone").GetString().ShouldBe("gamma");
        trace.GetProperty("provider_calls").GetInt32().ShouldBe(3);

        var other = await app.CreateWorkspaceAsync();
        using var otherClient = other.Client();
        await (await otherClient.GetAsync($"/v1/enrichments/{id}/trace")).ShouldBeError(404, "not_found");

        // A channel with no provider in its waterfall is never found nor charged, and the trace says why.
        var unserved = await client.PostJson("/enrichment", new { first_name = "bob", last_name = "test", company_domain = "analytical.io",
            channels = new[] { "job_title" } });
        (await unserved.ShouldBeOk()).GetProperty("credits_used").GetInt64().ShouldBe(0);
        var traceUrl = $"/v1/enrichments/{unserved.Headers.GetValues("X-Enrichment-Id").Single()}/trace";
        // A run that asked no provider is answered at once; its trace is written in the next background batch.
        var written = await Polling.UntilAsync(() => client.GetAsync(traceUrl), r => r.IsSuccessStatusCode, "the trace", attempts: 50);
        var none = (await written.ShouldBeOk()).GetProperty("data").GetProperty("steps").EnumerateArray().ToList();
        none.ShouldContain(step => step.GetProperty("detail").GetString() == "no provider is configured for job_title");
    }

    [DbFact]
    public async Task Too_few_credits_is_402_before_any_provider_is_called()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 5);
        using var client = ws.Client();
        var calls = app.Fakes.Calls.Count;
        var error = await (await client.PostJson("/enrichment", Linkedin("ada", "phone"))).ShouldBeError(402, "insufficient_credits");
        error.GetProperty("message").GetString()!.ShouldContain("10");
        app.Fakes.Calls.Count.ShouldBe(calls);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(5);
    }

    [DbFact]
    public async Task Found_values_are_written_back_without_clobbering_what_the_user_entered()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var created = (await (await client.PostJson("/v1/contacts", new { linkedin_url = "https://www.linkedin.com/in/ada-test", email = "mine@personal-choice.io" })).Json())
            .GetProperty("data").GetProperty("id").GetGuid();
        var body = await (await client.PostJson("/enrichment", Linkedin("ada", "work_email", "phone"))).ShouldBeOk();
        body.GetProperty("record_id").GetGuid().ShouldBe(created);
        var contact = (await (await client.GetAsync($"/v1/contacts/{created}")).Json()).GetProperty("data");
        contact.GetProperty("email").GetString().ShouldBe("mine@personal-choice.io");
        contact.GetProperty("phone").GetString().ShouldBe("+14155238841");
        var phone = contact.GetProperty("field_sources").GetProperty("phone");
        phone.GetProperty("source").GetString().ShouldBe("needs_li");
        phone.GetProperty("confidence").GetDouble().ShouldBe(0.9);
    }
}

public sealed class WaterfallTests_Sqlite(OrderedSqliteApp app) : WaterfallTests(app), IClassFixture<OrderedSqliteApp>;

public sealed class WaterfallTests_Postgres(OrderedPostgresApp app) : WaterfallTests(app), IClassFixture<OrderedPostgresApp>, IPostgresTests;
