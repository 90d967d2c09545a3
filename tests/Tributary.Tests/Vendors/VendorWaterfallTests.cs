using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>Every log line the server writes, whatever its level.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    public IReadOnlyList<string> Lines => _lines.ToList();
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);
    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>
/// The server configured with vendor types, keys and BaseUrl only (no adapters), on the fakes of VENDORS.md: a waterfall of
/// finders for emails, verifiers in order, a provider with a refused key, a flaky one, and a slow one.
/// </summary>
public abstract class VendorWaterfallApp(DatabaseProvider provider) : TributaryApp(provider)
{
    public VendorFakes Fakes { get; } = new();
    public CapturedLogs Logs { get; } = new();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
            };
            void Provider(string name, string type, string? key = VendorFakes.GoodKey)
            {
                settings[$"Tributary:Providers:{name}:Type"] = type;
                if (key is not null) settings[$"Tributary:Providers:{name}:ApiKey"] = key;
                settings[$"Tributary:Providers:{name}:BaseUrl"] = Fakes.BaseUrl;
            }
            void Waterfall(string channel, params string[] names)
            {
                for (var i = 0; i < names.Length; i++) settings[$"Tributary:Waterfall:{channel}:{i}"] = names[i];
            }
            Provider("hunter", "hunter");
            settings["Tributary:Providers:hunter:CreditPrice"] = "0.049";
            Provider("leadmagic", "leadmagic");
            Provider("pdl", "pdl");
            Provider("hunter_bad", "hunter", key: "bad-key");
            Provider("pdl_flaky", "pdl");
            Provider("apollo_bad", "apollo", key: "bad-key");
            Provider("hunter_daily", "hunter");
            settings["Tributary:Providers:hunter_daily:DailyLimit"] = "2";
            Provider("pdl_paced", "pdl");
            settings["Tributary:Providers:pdl_paced:RatePerSecond"] = "1";
            Provider("dropcontact", "dropcontact");
            settings["Tributary:Providers:dropcontact:FirstPollMs"] = "500";
            Provider("zerobounce", "zerobounce");
            Provider("neverbounce", "neverbounce");
            Waterfall("work_email", "hunter", "leadmagic", "pdl");
            Waterfall("job_title", "hunter_bad", "pdl");
            Waterfall("location", "pdl_flaky");
            Waterfall("phone", "dropcontact");
            Waterfall("x_handle", "hunter_daily");
            Waterfall("full_name", "pdl_paced");
            settings["Tributary:Verification:Providers:0"] = "zerobounce";
            settings["Tributary:Verification:Providers:1"] = "neverbounce";
            return settings;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddLogging(l => l.AddProvider(Logs)));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}

public sealed class VendorWaterfallSqliteApp() : VendorWaterfallApp(DatabaseProvider.Sqlite);
public sealed class VendorWaterfallPostgresApp() : VendorWaterfallApp(DatabaseProvider.Postgres);

public sealed class VendorWaterfallTests_Sqlite(VendorWaterfallSqliteApp app) : VendorWaterfallTests(app), IClassFixture<VendorWaterfallSqliteApp>;
public sealed class VendorWaterfallTests_Postgres(VendorWaterfallPostgresApp app) : VendorWaterfallTests(app), IClassFixture<VendorWaterfallPostgresApp>, IPostgresTests;

/// <summary>Emails through vendor finders and verifiers (statuses, the catch-all policy, verifier order), jobs, and keys kept out of logs.</summary>
public abstract partial class VendorWaterfallTests(VendorWaterfallApp app)
{
    private static object Person(string lastName, params string[] channels) =>
        new { first_name = "Ada", last_name = lastName, company_domain = VendorFakes.Domain, channels };

    private static async Task<(JsonElement Body, JsonElement Trace)> Enrich(TestWorkspace ws, object request)
    {
        using var client = ws.Client();
        var response = await client.PostJson("/enrichment", request);
        var body = await response.ShouldBeOk();
        var trace = (await (await client.GetAsync($"/v1/enrichments/{response.Headers.GetValues("X-Enrichment-Id").Single()}/trace")).Json())
            .GetProperty("data").GetProperty("steps");
        return (body, trace);
    }

    private static JsonElement Step(JsonElement trace, string provider, string? outcome = null) =>
        trace.EnumerateArray().First(s => s.GetProperty("provider").GetString() == provider
                                          && (outcome is null || s.GetProperty("outcome").GetString() == outcome));

    /// <summary>The email status stored with the found work email (the cache keeps one row per identity key).</summary>
    private async Task<string?> StoredStatus(TestWorkspace ws)
    {
        await using var db = app.NewDb();
        var statuses = await db.CacheEntries.Where(e => e.WorkspaceId == ws.Id && e.Channel == "work_email" && e.Found)
            .Select(e => e.EmailStatus).Distinct().ToListAsync();
        return statuses.ShouldHaveSingleItem();
    }

    private static async Task<long> Balance(TestWorkspace ws)
    {
        using var client = ws.Client();
        return (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64();
    }

    [DbFact]
    public async Task Vendor_types_and_keys_alone_enrich_an_email_with_the_vendor_verdict()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var (body, trace) = await Enrich(ws, Person("found", "work_email"));
        var email = body.GetProperty("channels").GetProperty("work_email");
        email.GetProperty("value").GetString().ShouldBe(VendorFakes.EmailOf("found"));
        email.GetProperty("source").GetString().ShouldBe("hunter");
        email.GetProperty("confidence").GetDouble().ShouldBe(0.97);
        email.GetProperty("verified").GetBoolean().ShouldBeTrue();
        (await StoredStatus(ws)).ShouldBe("valid");
        body.GetProperty("credits_used").GetInt64().ShouldBe(1);
        Step(trace, "hunter").GetProperty("outcome").GetString().ShouldBe("found");
        // The finder called it valid: no verifier was asked.
        trace.EnumerateArray().ShouldNotContain(s => s.GetProperty("provider").GetString() == "zerobounce");
    }

    [DbFact]
    public async Task A_catch_all_email_from_the_first_finder_gives_way_to_a_valid_one_from_a_later_finder_charged_once()
    {
        app.Fakes.Answer("hunter", "upgrade", "catchall");
        app.Fakes.Answer("leadmagic", "upgrade", "found");
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var (hunter, leadmagic, pdl) = (app.Fakes.Count("hunter"), app.Fakes.Count("leadmagic"), app.Fakes.Count("pdl"));

        var (body, trace) = await Enrich(ws, Person("upgrade", "work_email"));

        var email = body.GetProperty("channels").GetProperty("work_email");
        email.GetProperty("value").GetString().ShouldBe(VendorFakes.EmailOf("found"));
        email.GetProperty("source").GetString().ShouldBe("leadmagic");
        (await StoredStatus(ws)).ShouldBe("valid");
        (app.Fakes.Count("hunter") - hunter, app.Fakes.Count("leadmagic") - leadmagic, app.Fakes.Count("pdl") - pdl).ShouldBe((1, 1, 0));
        Step(trace, "hunter").GetProperty("outcome").GetString().ShouldBe("candidate", trace.ToString());
        // The catch-all verdict was checked by the first verifier, which agreed: the second was not asked.
        Step(trace, "zerobounce").GetProperty("detail").GetString()!.ShouldContain("catch_all");
        trace.EnumerateArray().ShouldNotContain(s => s.GetProperty("provider").GetString() == "neverbounce");
        body.GetProperty("credits_used").GetInt64().ShouldBe(1);
        (await Balance(ws)).ShouldBe(19);
    }

    [DbFact]
    public async Task A_catch_all_email_nobody_bettered_is_delivered_as_catch_all_and_charged_once()
    {
        app.Fakes.Answer("hunter", "onlycatch", "catchall");
        app.Fakes.Answer("leadmagic", "onlycatch", "nomatch");
        app.Fakes.Answer("pdl", "onlycatch", "nomatch");
        var ws = await app.CreateWorkspaceAsync(credits: 20);

        var (body, trace) = await Enrich(ws, Person("onlycatch", "work_email"));

        var email = body.GetProperty("channels").GetProperty("work_email");
        email.GetProperty("value").GetString().ShouldBe(VendorFakes.EmailOf("catchall"));
        email.GetProperty("source").GetString().ShouldBe("hunter");
        (await StoredStatus(ws)).ShouldBe("catch_all");
        email.GetProperty("verified").ValueKind.ShouldBe(JsonValueKind.Null);
        Step(trace, "leadmagic").GetProperty("outcome").GetString().ShouldBe("no_match");
        Step(trace, "pdl").GetProperty("outcome").GetString().ShouldBe("no_match");
        body.GetProperty("credits_used").GetInt64().ShouldBe(1);
        (await Balance(ws)).ShouldBe(19);
    }

    [DbFact]
    public async Task An_email_without_a_verdict_goes_to_the_next_verifier_when_the_first_cannot_tell_and_verifiers_cost_nothing()
    {
        app.Fakes.Answer("hunter", "chain", "nomatch");
        app.Fakes.Answer("leadmagic", "chain", "nomatch");
        app.Fakes.Answer("zerobounce", VendorFakes.EmailOf("chain"), "unknown");
        var ws = await app.CreateWorkspaceAsync(credits: 20);

        var (body, trace) = await Enrich(ws, Person("chain", "work_email"));

        var email = body.GetProperty("channels").GetProperty("work_email");
        (email.GetProperty("value").GetString(), email.GetProperty("source").GetString()).ShouldBe((VendorFakes.EmailOf("chain"), "pdl"));
        (await StoredStatus(ws)).ShouldBe("valid");
        email.GetProperty("verified").GetBoolean().ShouldBeTrue();
        Step(trace, "zerobounce", "verified").GetProperty("detail").GetString()!.ShouldContain("unknown");
        Step(trace, "neverbounce", "verified").GetProperty("detail").GetString()!.ShouldContain("valid");
        body.GetProperty("credits_used").GetInt64().ShouldBe(1);
    }

    [DbFact]
    public async Task An_email_a_verifier_calls_invalid_is_never_delivered_nor_charged()
    {
        app.Fakes.Answer("hunter", "bounce", "nomatch");
        app.Fakes.Answer("leadmagic", "bounce", "nomatch");
        app.Fakes.Answer("zerobounce", VendorFakes.EmailOf("bounce"), "invalid");
        var ws = await app.CreateWorkspaceAsync(credits: 20);

        var (body, trace) = await Enrich(ws, Person("bounce", "work_email"));

        body.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);
        var pdl = Step(trace, "pdl");
        pdl.GetProperty("outcome").GetString().ShouldBe("rejected");
        pdl.GetProperty("rejected")[0].GetProperty("reason").GetString()!.ShouldContain("invalid (zerobounce");
        // An invalid verdict is final: the next verifier is not asked.
        trace.EnumerateArray().ShouldNotContain(s => s.GetProperty("provider").GetString() == "neverbounce");
        body.GetProperty("credits_used").GetInt64().ShouldBe(0);
    }

    [DbFact]
    public async Task A_vendor_that_answers_in_minutes_is_skipped_by_a_synchronous_call()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var before = app.Fakes.Count("dropcontact");
        var (_, trace) = await Enrich(ws, Person("found", "phone"));
        var step = Step(trace, "dropcontact");
        (step.GetProperty("outcome").GetString(), step.GetProperty("detail").GetString()).ShouldBe(("skipped", "too slow for a synchronous call"));
        app.Fakes.Count("dropcontact").ShouldBe(before);
    }

    [DbFact]
    public async Task No_log_line_or_trace_carries_a_vendor_key_not_even_one_sent_in_a_query_string()
    {
        app.Fakes.Answer("hunter", "logged", "nomatch");
        app.Fakes.Answer("leadmagic", "logged", "nomatch");
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        var (_, trace) = await Enrich(ws, Person("logged", "work_email", "job_title"));
        // ZeroBounce took its key as ?api_key=…
        app.Fakes.Requests.ShouldContain(r => r.Vendor == "zerobounce" && r.Q("api_key") == VendorFakes.GoodKey);
        Step(trace, "zerobounce").ShouldNotBe(default);

        var lines = app.Logs.Lines;
        lines.ShouldContain(l => l.Contains("/v2/validate?api_key=***"));
        lines.Where(l => l.Contains(VendorFakes.GoodKey)).ShouldBeEmpty();
        lines.Where(l => l.Contains("bad-key")).ShouldBeEmpty();
        trace.ToString().ShouldNotContain(VendorFakes.GoodKey);
    }

    [DbFact]
    public async Task A_job_asks_the_vendor_that_answers_later_and_its_results_carry_the_email_status()
    {
        app.Fakes.Answer("hunter", "jobcatch", "catchall");
        app.Fakes.Answer("leadmagic", "jobcatch", "nomatch");
        app.Fakes.Answer("pdl", "jobcatch", "nomatch");
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var before = app.Fakes.Count("dropcontact");
        var records = new[]
        {
            new Dictionary<string, string> { ["first_name"] = "Ada", ["last_name"] = "found", ["company_domain"] = VendorFakes.Domain },
            new Dictionary<string, string> { ["first_name"] = "Ada", ["last_name"] = "jobcatch", ["company_domain"] = VendorFakes.Domain },
        };
        var id = (await (await client.PostJson("/v1/jobs", new { records, channels = new[] { "work_email", "phone" } })).ShouldBeOk(202))
            .GetProperty("data").GetProperty("id").GetGuid();

        var job = await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", $"job {id}", delayMs: 100);

        job.GetProperty("status").GetString().ShouldBe("succeeded");
        var lines = (await client.GetStringAsync($"/v1/jobs/{id}/results")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var found = lines[0].GetProperty("channels");
        found.GetProperty("phone").GetProperty("value").GetString().ShouldBe("+33186760696");
        found.GetProperty("phone").GetProperty("source").GetString().ShouldBe("dropcontact");
        (found.GetProperty("work_email").GetProperty("email_status").GetString(), found.GetProperty("work_email").GetProperty("source").GetString())
            .ShouldBe(("valid", "hunter"));
        var catchAll = lines[1].GetProperty("channels").GetProperty("work_email");
        (catchAll.GetProperty("value").GetString(), catchAll.GetProperty("email_status").GetString()).ShouldBe((VendorFakes.EmailOf("catchall"), "catch_all"));
        // Both records wait for Dropcontact together: one request (its submit, and one read after the first-poll delay) or,
        // split by the batch window, two.
        (app.Fakes.Count("dropcontact") - before).ShouldBeInRange(2, 4);
        // Each record: its email 1 and its phone 10, each once.
        job.GetProperty("credits_charged").GetInt64().ShouldBe(22);
    }

    [DbFact]
    public async Task A_catch_all_candidate_delivered_while_a_later_finder_failed_is_cached_only_for_the_miss_ttl()
    {
        app.Fakes.Answer("hunter", "shortlived", "catchall");
        app.Fakes.Answer("leadmagic", "shortlived", "broken");
        app.Fakes.Answer("pdl", "shortlived", "nomatch");
        var ws = await app.CreateWorkspaceAsync(credits: 20);

        var (body, trace) = await Enrich(ws, Person("shortlived", "work_email"));

        body.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe(VendorFakes.EmailOf("catchall"));
        Step(trace, "leadmagic").GetProperty("outcome").GetString().ShouldBe("failed");
        await using var db = app.NewDb();
        var expiries = await db.CacheEntries.Where(e => e.WorkspaceId == ws.Id && e.Channel == "work_email").Select(e => e.ExpiresAt).ToListAsync();
        expiries.ShouldNotBeEmpty();
        // Cache:MissTtlDays (7), not TtlDays (30).
        expiries.ShouldAllBe(at => at < DateTime.UtcNow.AddDays(8));
    }


    [DbFact]
    public async Task Seed_003_shows_a_vendor_catch_all_email_in_its_own_words()
    {
        app.Fakes.Answer("hunter", "seedcatch", "catchall");
        app.Fakes.Answer("leadmagic", "seedcatch", "nomatch");
        app.Fakes.Answer("pdl", "seedcatch", "nomatch");
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        using var client = ws.Client();

        var catchAll = await (await client.PostJson("/v2/contacts/sync_single_enrich",
            new { firstname = "Ada", lastname = "seedcatch", domain = VendorFakes.Domain, enrichment_type = new[] { "email" } })).ShouldBeOk();
        (catchAll.GetProperty("email").GetString(), catchAll.GetProperty("email_status").GetString()).ShouldBe((VendorFakes.EmailOf("catchall"), "catch-all"));

        var valid = await (await client.PostJson("/v2/contacts/sync_single_enrich",
            new { firstname = "Ada", lastname = "found", domain = VendorFakes.Domain, enrichment_type = new[] { "email" } })).ShouldBeOk();
        (valid.GetProperty("email").GetString(), valid.GetProperty("email_status").GetString()).ShouldBe((VendorFakes.EmailOf("found"), "deliverable"));
    }
}
