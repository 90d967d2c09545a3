using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Seeds;

/// <summary>
/// The people and companies the five seed documents show, known to fake providers named like the documents' sources
/// ("vendor_a", "Provider A", "Provider C" …), so each documented example can be replayed with its own values.
/// Rate limits are low enough for a test to reach them (each test works in its own workspaces; counters are per workspace).
/// </summary>
public abstract class SeedWorldApp(DatabaseProvider provider) : WaterfallApp(provider, Providers(), Waterfall(), Extra())
{
    public const int SinglePerMinute = 20;
    public const int BulkPerMinute = 10;

    public const string JaneEmail = "jane@acme.com";
    public const string JordanLinkedin = "https://www.linkedin.com/in/jordan-rivera";
    public const string JordanEmail = "jordan@example.com";
    public const string JordanPhone = "+14155238841";
    public const string JordanPersonalEmail = "jrivera.home@outlook.com";
    public const string ChloeEmail = "chloe.walker@westmarkrobotics.com";
    public const string ChloeLinkedin = "https://linkedin.com/in/chloewalker";
    public const string PersonEmail = "person@company.com";
    public const string PersonPersonalEmail = "person.at.home@outlook.com";
    public const string PersonPhone = "+442079460958";
    public const string PersonLinkedin = "https://linkedin.com/in/person-at-company";

    private static Dictionary<string, FakeProviderSpec> Providers() => new()
    {
        // Seed 000's and 001's source: Jane Doe's CRM profile, Jordan Rivera by any of the four identity kinds.
        ["vendor_a"] = new()
        {
            Channels = ["work_email", "phone", "linkedin_url", "job_title", "company_name", "location", "seniority", "full_name", "company_domain",
                "x_handle", "github_username", "signals"],
            Confidence = 0.91,
            People =
            [
                new() { ["work_email"] = JaneEmail, ["full_name"] = "Jane Doe", ["job_title"] = "General Counsel", ["company_name"] = "Acme Corp",
                        ["linkedin_url"] = "https://linkedin.com/in/janedoe", ["location"] = "New York, NY, US", ["company_domain"] = "acme.com" },
                new() { ["_confidence"] = 0.93, ["first_name"] = "Jordan", ["last_name"] = "Rivera", ["company_domain"] = "example.com",
                        ["linkedin_url"] = JordanLinkedin, ["work_email"] = JordanEmail, ["x_handle"] = "jordan_sales",
                        ["github_username"] = "jordanrivera", ["phone"] = JordanPhone,
                        ["signals"] = new Dictionary<string, object> { ["posts"] = new[] { new { platform = "x", text = "Hiring AEs", posted_at = "2026-05-20" } } } },
            ],
        },
        // Seed 004's sources: "Provider A" finds emails, "Provider B" phones, "Provider C" LinkedIn profiles.
        ["Provider A"] = new()
        {
            Channels = ["work_email", "personal_email"],
            Confidence = 0.94,
            People =
            [
                new() { ["first_name"] = "Chloe", ["last_name"] = "Walker", ["company_domain"] = "westmarkrobotics.com", ["work_email"] = ChloeEmail },
                new() { ["work_email"] = PersonEmail, ["personal_email"] = PersonPersonalEmail },
                new() { ["linkedin_url"] = JordanLinkedin, ["personal_email"] = JordanPersonalEmail },
            ],
        },
        ["Provider B"] = new()
        {
            Channels = ["phone"],
            Confidence = 0.8,
            People = [new() { ["work_email"] = PersonEmail, ["phone"] = PersonPhone }],
        },
        ["Provider C"] = new()
        {
            Channels = ["linkedin_url"],
            Confidence = 0.88,
            People =
            [
                new() { ["first_name"] = "Chloe", ["last_name"] = "Walker", ["company_domain"] = "westmarkrobotics.com", ["work_email"] = ChloeEmail,
                        ["linkedin_url"] = ChloeLinkedin },
                new() { ["work_email"] = PersonEmail, ["linkedin_url"] = PersonLinkedin },
            ],
        },
        // Seed 004's account firmographics, exactly as its example response shows them.
        ["firmographics"] = new()
        {
            Channels = ["industry", "employee_count", "revenue_band", "founded_year", "hq_country", "hq_city", "tech_stack", "funding_stage",
                "last_funding_date", "total_raised_usd"],
            Confidence = 0.9,
            People =
            [
                new() { ["_company"] = true, ["domain"] = "westmarkrobotics.com", ["industry"] = "Robotics / Hardware", ["employee_count"] = 240,
                        ["revenue_band"] = "$50M-$100M", ["founded_year"] = 2018, ["hq_country"] = "UK", ["hq_city"] = "Bristol",
                        ["tech_stack"] = new[] { "Snowflake", "Okta", "Datadog" }, ["funding_stage"] = "Series C",
                        ["last_funding_date"] = "2025-09-15", ["total_raised_usd"] = 87000000 },
            ],
        },
    };

    private static Dictionary<string, string[]> Waterfall()
    {
        var waterfall = new Dictionary<string, string[]>
        {
            ["work_email"] = ["vendor_a", "Provider A"],
            ["personal_email"] = ["Provider A"],
            ["phone"] = ["vendor_a", "Provider B"],
            ["linkedin_url"] = ["vendor_a", "Provider C"],
            ["signals"] = ["vendor_a"],
        };
        foreach (var profile in new[] { "job_title", "company_name", "location", "seniority", "full_name", "company_domain", "x_handle", "github_username" })
            waterfall[profile] = ["vendor_a"];
        foreach (var firmographic in new[] { "industry", "employee_count", "revenue_band", "founded_year", "hq_country", "hq_city", "tech_stack",
                     "funding_stage", "last_funding_date", "total_raised_usd" })
            waterfall[firmographic] = ["firmographics"];
        return waterfall;
    }

    private static Dictionary<string, object> Extra() => new()
    {
        ["Tributary:Jobs:PollIntervalMs"] = 50,
        ["Tributary:RateLimits:SinglePerMinute"] = SinglePerMinute,
        ["Tributary:RateLimits:BulkPerMinute"] = BulkPerMinute,
        ["Tributary:Webhooks:AllowPrivateNetworks"] = true,
        ["Tributary:Webhooks:PollIntervalMs"] = 50,
    };

    /// <summary>The public id of an API key (what seed 001's clients send as <c>X-Access-Key</c> and seed 002 shows as <c>createdBy</c>).</summary>
    public async Task<Guid> KeyIdAsync(string key)
    {
        await using var db = NewDb();
        var hash = Secrets.Hash(key);
        return db.ApiKeys.Single(k => k.SecretHash == hash).Id;
    }

    /// <summary>A client authenticating the way seed 001's clients do: <c>X-Access-Key</c> (key id) + <c>X-Secret-Key</c>.</summary>
    public async Task<HttpClient> AccessKeyClientAsync(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Access-Key", (await KeyIdAsync(key)).ToString());
        client.DefaultRequestHeaders.Add("X-Secret-Key", key);
        return client;
    }

    /// <summary>A client sending <c>Authorization: Bearer</c> with exactly the given text, as a document's placeholder shows it.</summary>
    public HttpClient BearerClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return client;
    }

    public async Task GrantPersonalEmailConsentAsync(TestWorkspace workspace)
    {
        using var client = workspace.Client();
        (await client.PatchJson("/v1/workspace/settings", new { personal_email_consent = true })).EnsureSuccessStatusCode();
    }
}

public sealed class SeedWorldSqliteApp() : SeedWorldApp(DatabaseProvider.Sqlite);

public sealed class SeedWorldPostgresApp() : SeedWorldApp(DatabaseProvider.Postgres);
