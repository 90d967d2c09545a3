using System.Text.Json;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Seeds;

/// <summary>
/// Seed 004, channel enrichment: the documented bodies of <c>/enrichment</c>, <c>/enrichment/discover</c>,
/// <c>/enrichment/account</c> and <c>/enrichment/bulk</c>, the idempotent repeat and <c>force</c>, personal email with and
/// without consent, and the errors and rate limits HTTP can produce.
/// </summary>
public abstract class Seed004ExampleTests(SeedWorldApp app)
{
    private const string DocumentedBody = """
        {
        "email": "person@company.com",
        "linkedin_url": "https://linkedin.com/in/...",
        "company_domain": "company.com",
        "channels": ["work_email", "personal_email", "phone", "linkedin_url"]
        }
        """;

    /// <summary>The documented body without <c>channels</c>, which "defaults to all four contact channels".</summary>
    private const string DocumentedBodyWithDefaultChannels = """
        {
        "email": "person@company.com",
        "linkedin_url": "https://linkedin.com/in/...",
        "company_domain": "company.com"
        }
        """;

    private const string DiscoverBody = """
        {
        "first_name": "Chloe",
        "last_name": "Walker",
        "company_domain": "westmarkrobotics.com"
        }
        """;

    private const string AccountBody = """
        {
        "domain": "westmarkrobotics.com"
        }
        """;

    private static readonly string[] FourChannels = ["work_email", "personal_email", "phone", "linkedin_url"];

    /// <summary>Per-channel metadata: the example's value, source, confidence and timestamp, and Tributary's <c>verified</c> (DESIGN §5.2).</summary>
    private static readonly string[] ChannelKeys = ["value", "source", "confidence", "enriched_at", "verified"];

    private static readonly string[] CompanyChannels =
    [
        "industry", "employee_count", "revenue_band", "founded_year", "hq_country", "hq_city", "tech_stack", "funding_stage",
        "last_funding_date", "total_raised_usd", "description", "logo_url", "company_linkedin_url",
    ];

    private static void ShouldBeChannel(JsonElement channel, string value, string source, double confidence)
    {
        channel.ShouldHaveExactly(ChannelKeys);
        channel.GetProperty("value").ShouldBeString(value);
        channel.GetProperty("source").ShouldBeString(source);
        channel.GetProperty("confidence").ShouldBeNumber(confidence);
        channel.GetProperty("enriched_at").ShouldBeUtcTimestamp();
        channel.GetProperty("verified").ShouldBeNull(); // emails are not probed in these tests; other channels are never verified
    }

    private static JsonElement ShouldBeRecordResponse(JsonElement body, long creditsUsed, params string[] channels)
    {
        body.ShouldHaveExactly("record_id", "channels", "credits_used");
        body.GetProperty("channels").ShouldHaveExactly(channels);
        body.GetProperty("credits_used").ShouldBeNumber(creditsUsed);
        return body.GetProperty("channels");
    }

    private static void ShouldBePersonAtCompany(JsonElement channels, bool withPersonalEmail)
    {
        ShouldBeChannel(channels.GetProperty("work_email"), SeedWorldApp.PersonEmail, "Provider A", 0.94);
        if (withPersonalEmail) ShouldBeChannel(channels.GetProperty("personal_email"), SeedWorldApp.PersonPersonalEmail, "Provider A", 0.94);
        else channels.GetProperty("personal_email").ShouldBeNull();
        ShouldBeChannel(channels.GetProperty("phone"), SeedWorldApp.PersonPhone, "Provider B", 0.8);
        ShouldBeChannel(channels.GetProperty("linkedin_url"), SeedWorldApp.PersonLinkedin, "Provider C", 0.88);
    }

    private static async Task<long> Balance(HttpClient client) =>
        (await (await client.GetAsync("/v1/credits")).ShouldAnswer()).GetProperty("data").GetProperty("balance").GetInt64();

    [DbFact]
    public async Task The_documented_request_with_consent_answers_all_four_channels_then_repeats_free_until_forced()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        await app.GrantPersonalEmailConsentAsync(ws);
        using var client = ws.Client();

        var first = await (await client.PostRaw("/enrichment", DocumentedBody)).ShouldAnswer();

        var channels = ShouldBeRecordResponse(first, 1 + 3 + 10 + 1, FourChannels);
        ShouldBePersonAtCompany(channels, withPersonalEmail: true);
        var recordId = first.GetProperty("record_id").GetGuid();
        var stored = (await (await client.GetAsync($"/v1/contacts/{recordId}")).ShouldAnswer()).GetProperty("data");
        stored.GetProperty("email").ShouldBeString(SeedWorldApp.PersonEmail);
        stored.GetProperty("phone").ShouldBeString(SeedWorldApp.PersonPhone);

        // Idempotent on (identity, channels): cached values, no provider call, nothing charged.
        var calls = app.Fakes.Calls.Count;
        var repeated = await (await client.PostRaw("/enrichment", DocumentedBody)).ShouldAnswer();
        ShouldBePersonAtCompany(ShouldBeRecordResponse(repeated, 0, FourChannels), withPersonalEmail: true);
        repeated.GetProperty("record_id").GetGuid().ShouldBe(recordId);
        app.Fakes.Calls.Count.ShouldBe(calls);

        // force: true bypasses the cache and charges what it finds again.
        var forced = await (await client.PostRaw("/enrichment", DocumentedBody.Replace("\"company_domain\": \"company.com\",",
            "\"company_domain\": \"company.com\",\n\"force\": true,"))).ShouldAnswer();
        ShouldBePersonAtCompany(ShouldBeRecordResponse(forced, 15, FourChannels), withPersonalEmail: true);
        app.Fakes.Calls.Count.ShouldBeGreaterThan(calls);
        (await Balance(client)).ShouldBe(100 - 15 - 15);
    }

    [DbFact]
    public async Task Without_consent_asking_for_personal_email_is_refused_and_the_default_channels_leave_it_null_and_free()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();

        await (await client.PostRaw("/enrichment", DocumentedBody)).ShouldBeNativeError(422, "consent_required");
        (await Balance(client)).ShouldBe(100);

        var calls = app.Fakes.Calls.Count;
        var body = await (await client.PostRaw("/enrichment", DocumentedBodyWithDefaultChannels)).ShouldAnswer();
        ShouldBePersonAtCompany(ShouldBeRecordResponse(body, 1 + 10 + 1, FourChannels), withPersonalEmail: false);
        app.Fakes.Calls.Skip(calls).ShouldNotContain(c => c.Channels.Contains("personal_email"));
        (await Balance(client)).ShouldBe(88);
    }

    [DbFact]
    public async Task Discover_with_the_documented_body_answers_the_documented_response()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();

        var body = await (await client.PostRaw("/enrichment/discover", DiscoverBody)).ShouldAnswer();

        // Found: work_email 1 + linkedin_url 1, doubled for discovery.
        var channels = ShouldBeRecordResponse(body, (1 + 1) * 2, FourChannels);
        ShouldBeChannel(channels.GetProperty("work_email"), "chloe.walker@westmarkrobotics.com", "Provider A", 0.94);
        channels.GetProperty("phone").ShouldBeNull();
        ShouldBeChannel(channels.GetProperty("linkedin_url"), "https://linkedin.com/in/chloewalker", "Provider C", 0.88);
        channels.GetProperty("personal_email").ShouldBeNull();
        var stored = (await (await client.GetAsync($"/v1/contacts/{body.GetProperty("record_id").GetGuid()}")).ShouldAnswer()).GetProperty("data");
        stored.GetProperty("full_name").ShouldBeString("Chloe Walker");
        stored.GetProperty("email").ShouldBeString("chloe.walker@westmarkrobotics.com");
        (await Balance(client)).ShouldBe(96);
    }

    [DbFact]
    public async Task Account_with_the_documented_body_answers_the_documented_firmographics_field_by_field()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var client = ws.Client();

        var body = await (await client.PostRaw("/enrichment/account", AccountBody)).ShouldAnswer();

        // Tributary adds the domain and, as on every seed 004 answer, credits_used (the company channels cost 1 together).
        body.ShouldHaveExactly("account_id", "fields", "domain", "credits_used");
        body.GetProperty("domain").ShouldBeString("westmarkrobotics.com");
        body.GetProperty("credits_used").ShouldBeNumber(1);
        var fields = body.GetProperty("fields").ShouldHaveExactly(CompanyChannels);
        fields.GetProperty("industry").ShouldBeString("Robotics / Hardware");
        fields.GetProperty("employee_count").ShouldBeNumber(240);
        fields.GetProperty("revenue_band").ShouldBeString("$50M-$100M");
        fields.GetProperty("founded_year").ShouldBeNumber(2018);
        fields.GetProperty("hq_country").ShouldBeString("UK");
        fields.GetProperty("hq_city").ShouldBeString("Bristol");
        fields.GetProperty("tech_stack").Strings().ShouldBe(["Snowflake", "Okta", "Datadog"]);
        fields.GetProperty("funding_stage").ShouldBeString("Series C");
        fields.GetProperty("last_funding_date").ShouldBeString("2025-09-15");
        fields.GetProperty("total_raised_usd").ShouldBeNumber(87000000);
        foreach (var unknown in new[] { "description", "logo_url", "company_linkedin_url" }) fields.GetProperty(unknown).ShouldBeNull();

        var company = (await (await client.GetAsync($"/v1/companies/{body.GetProperty("account_id").GetGuid()}")).ShouldAnswer()).GetProperty("data");
        company.GetProperty("domain").ShouldBeString("westmarkrobotics.com");
        company.GetProperty("industry").ShouldBeString("Robotics / Hardware");

        var repeated = await (await client.PostRaw("/enrichment/account", AccountBody)).ShouldAnswer();
        repeated.GetProperty("credits_used").ShouldBeNumber(0);
        JsonElement.DeepEquals(repeated.GetProperty("fields"), fields).ShouldBeTrue();
        (await Balance(client)).ShouldBe(9);
    }

    [DbFact]
    public async Task Bulk_answers_one_result_per_record_in_input_order_and_sums_the_credits()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();

        var body = await (await client.PostRaw("/enrichment/bulk", """
            {
            "records": [
            { "email": "chloe.walker@westmarkrobotics.com" },
            { "linkedin_url": "https://www.linkedin.com/in/jordan-rivera" },
            { "email": "nobody@nowhere.example" },
            { "company_domain": "westmarkrobotics.com" }
            ],
            "channels": ["work_email"]
            }
            """)).ShouldAnswer();

        body.ShouldHaveExactly("results", "credits_used");
        body.GetProperty("credits_used").ShouldBeNumber(2);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        results.Count.ShouldBe(4);
        ShouldBeChannel(ShouldBeRecordResponse(results[0], 1, "work_email").GetProperty("work_email"), SeedWorldApp.ChloeEmail, "Provider A", 0.94);
        results[0].GetProperty("record_id").GetGuid().ShouldNotBe(Guid.Empty);
        ShouldBeChannel(ShouldBeRecordResponse(results[1], 1, "work_email").GetProperty("work_email"), SeedWorldApp.JordanEmail, "vendor_a", 0.93);
        ShouldBeRecordResponse(results[2], 0, "work_email").GetProperty("work_email").ShouldBeNull();
        results[2].GetProperty("record_id").ShouldBeNull();
        var invalid = results[3].ShouldHaveExactly("error").GetProperty("error").ShouldHaveExactly("code", "message");
        invalid.GetProperty("code").ShouldBeString("validation_error");
        (await Balance(client)).ShouldBe(98);
    }

    [DbFact]
    public async Task Each_error_that_http_can_produce_in_the_native_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();

        // 400 validation_error: no identity hint, an unknown channel, discover without a name, account without a domain, bulk sizes.
        await (await client.PostRaw("/enrichment", """{ "channels": ["work_email"] }""")).ShouldBeNativeError(400, "validation_error");
        await (await client.PostRaw("/enrichment", """{ "email": "person@company.com", "channels": ["fax"] }""")).ShouldBeNativeError(400, "validation_error");
        await (await client.PostRaw("/enrichment/discover", """{ "first_name": "Chloe", "company_domain": "westmarkrobotics.com" }"""))
            .ShouldBeNativeError(400, "validation_error");
        await (await client.PostRaw("/enrichment/account", "{}")).ShouldBeNativeError(400, "validation_error");
        await (await client.PostRaw("/enrichment/bulk", """{ "records": [], "channels": ["work_email"] }""")).ShouldBeNativeError(400, "validation_error");
        var tooMany = string.Join(",", Enumerable.Range(0, 101).Select(i => $$"""{ "email": "p{{i}}@company.com" }"""));
        await (await client.PostRaw("/enrichment/bulk", $$"""{ "records": [{{tooMany}}] }""")).ShouldBeNativeError(400, "validation_error");
        await (await client.PostRaw("/enrichment", """{ "email": """)).ShouldBeNativeError(400, "validation_error");

        // 401 invalid_key: the document's placeholder, sent as its header line shows it.
        using var placeholder = app.BearerClient("<UNSTUCK_API_KEY>");
        await (await placeholder.PostRaw("/enrichment", DocumentedBody)).ShouldBeNativeError(401, "invalid_key");

        // 402 insufficient_credits: the maximum price is reserved before any provider is called.
        var poor = await app.CreateWorkspaceAsync(credits: 0);
        using var poorClient = poor.Client();
        var calls = app.Fakes.Calls.Count;
        await (await poorClient.PostRaw("/enrichment", DocumentedBodyWithDefaultChannels)).ShouldBeNativeError(402, "insufficient_credits");
        await (await poorClient.PostRaw("/enrichment/account", AccountBody)).ShouldBeNativeError(402, "insufficient_credits");
        app.Fakes.Calls.Count.ShouldBe(calls);

        // 403 insufficient_permissions: a key without write:enrich.
        using var reader = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.ReadEnrich, Permissions.ReadContacts]));
        await (await reader.PostRaw("/enrichment", DocumentedBodyWithDefaultChannels)).ShouldBeNativeError(403, "insufficient_permissions");
        await (await reader.PostRaw("/enrichment/bulk", """{ "records": [{ "email": "person@company.com" }] }""")).ShouldBeNativeError(403, "insufficient_permissions");
        (await Balance(client)).ShouldBe(100);
    }

    [DbFact]
    public async Task The_documented_rate_limits_answer_429_per_class()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();

        var single = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.SinglePerMinute,
            () => client.PostRaw("/enrichment", "{}"), () => client.PostRaw("/enrichment/discover", DiscoverBody));
        await single.ShouldBeNativeError(429, "rate_limited");
        single.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.SinglePerMinute.ToString());

        var bulk = await SeedRequests.OverTheMinuteLimit(SeedWorldApp.BulkPerMinute,
            () => client.PostRaw("/enrichment/bulk", "{}"), () => client.PostRaw("/enrichment/bulk", """{ "records": [{ "email": "person@company.com" }] }"""));
        await bulk.ShouldBeNativeError(429, "rate_limited");
        bulk.Headers.GetValues("X-RateLimit-Limit").Single().ShouldBe(SeedWorldApp.BulkPerMinute.ToString());
        (await Balance(client)).ShouldBe(100);
    }
}

public sealed class Seed004ExampleTests_Sqlite(SeedWorldSqliteApp app) : Seed004ExampleTests(app), IClassFixture<SeedWorldSqliteApp>;

public sealed class Seed004ExampleTests_Postgres(SeedWorldPostgresApp app) : Seed004ExampleTests(app), IClassFixture<SeedWorldPostgresApp>, IPostgresTests;
