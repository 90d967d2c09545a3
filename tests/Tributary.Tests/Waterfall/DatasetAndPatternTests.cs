using System.Net;
using System.Text.Json;
using Tributary.Core.Contacts;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Dataset;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Waterfall;

/// <summary>A server whose waterfall is a CSV people file, a JSONL companies file and the pattern learner.</summary>
public sealed class DatasetApp : TributaryApp
{
    public static readonly string Folder = Directory.CreateTempSubdirectory("tributary-dataset-").FullName;

    public DatasetApp() : base(DatabaseProvider.Sqlite)
    {
        File.WriteAllText(Path.Combine(Folder, "people.csv"),
            "first_name,last_name,work_email,phone,linkedin_url,job_title,company_domain,x_handle,github_username,signals\n" +
            "Chloe,Walker,chloe.walker@westmark.io,+14155238841,https://www.linkedin.com/in/chloewalker,VP Engineering,westmark.io,,chloe-w,\"{\"\"job_changes\"\":[{\"\"to_company\"\":\"\"Westmark\"\",\"\"changed_at\"\":\"\"2020-01-01\"\"},{\"\"to_company\"\":\"\"Westmark\"\",\"\"changed_at\"\":\"\"" + DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd") + "\"\"}]}\"\n" +
            "Dana,Scully,dana.scully@westmark.io,,https://www.linkedin.com/in/dscully,Analyst,westmark.io,dana_x,,\n" +
            "Fox,Mulder,fox.mulder@westmark.io,,,Agent,westmark.io,,,\n" +
            "Walter,Skinner,walter.skinner@westmark.io,,,Director,westmark.io,,,\n" +
            "Only,Two,only.two@thin.io,,,,thin.io,,,\n" +
            "Also,Two,also.two@thin.io,,,,thin.io,,,\n");
        File.WriteAllText(Path.Combine(Folder, "companies.jsonl"),
            """{"domain":"westmark.io","industry":"Robotics","employee_count":240,"tech_stack":["ROS"],"hq_country":"US"}""" + "\n");
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Tributary:Providers:data:Type"] = "dataset",
        ["Tributary:Providers:data:People:0"] = Path.Combine(Folder, "people.csv"),
        ["Tributary:Providers:data:Companies:0"] = Path.Combine(Folder, "companies.jsonl"),
        ["Tributary:Providers:guess:Type"] = "pattern",
        ["Tributary:Providers:guess:MinSamples"] = "3",
        ["Tributary:Waterfall:work_email:0"] = "data",
        ["Tributary:Waterfall:work_email:1"] = "guess",
        ["Tributary:Waterfall:phone:0"] = "data",
        ["Tributary:Waterfall:linkedin_url:0"] = "data",
        ["Tributary:Waterfall:job_title:0"] = "data",
        ["Tributary:Waterfall:signals:0"] = "data",
        ["Tributary:Waterfall:industry:0"] = "data",
        ["Tributary:Waterfall:employee_count:0"] = "data",
        ["Tributary:Waterfall:tech_stack:0"] = "data",
        ["Tributary:Waterfall:hq_country:0"] = "data",
    };
}

public sealed class DatasetAndPatternTests(DatasetApp app) : IClassFixture<DatasetApp>
{
    [Theory]
    [InlineData("email", "chloe.walker@westmark.io")]
    [InlineData("linkedin_url", "linkedin.com/in/ChloeWalker/")]
    [InlineData("github_username", "chloe-w")]
    public async Task Dataset_matches_people_by_each_identity(string hint, string value)
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var body = await (await client.PostJson("/enrichment", new Dictionary<string, object> { [hint] = value, ["channels"] = new[] { "phone", "job_title" } })).ShouldBeOk();
        body.GetProperty("channels").GetProperty("phone").GetProperty("value").GetString().ShouldBe("+14155238841");
        body.GetProperty("channels").GetProperty("job_title").GetProperty("value").GetString().ShouldBe("VP Engineering");
        body.GetProperty("channels").GetProperty("phone").GetProperty("source").GetString().ShouldBe("data");
    }

    [Fact]
    public async Task Dataset_matches_by_name_and_domain_and_answers_company_firmographics()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var person = await (await client.PostJson("/enrichment", new { first_name = "dana", last_name = "SCULLY", company_domain = "www.westmark.io", channels = new[] { "linkedin_url" } })).ShouldBeOk();
        person.GetProperty("channels").GetProperty("linkedin_url").GetProperty("value").GetString().ShouldBe("https://www.linkedin.com/in/dscully");

        var account = await (await client.PostJson("/enrichment/account", new { domain = "westmark.io" })).ShouldBeOk();
        var fields = account.GetProperty("fields");
        fields.GetProperty("industry").GetString().ShouldBe("Robotics");
        fields.GetProperty("employee_count").GetInt32().ShouldBe(240);
        fields.GetProperty("tech_stack")[0].GetString().ShouldBe("ROS");
        fields.GetProperty("funding_stage").ValueKind.ShouldBe(JsonValueKind.Null);
        account.GetProperty("credits_used").GetInt64().ShouldBe(1);
        var company = (await (await client.GetAsync($"/v1/companies/{account.GetProperty("account_id").GetGuid()}")).ShouldBeOk()).GetProperty("data");
        company.GetProperty("industry").GetString().ShouldBe("Robotics");
        company.GetProperty("field_sources").GetProperty("industry").GetProperty("source").GetString().ShouldBe("data");
    }

    [Fact]
    public async Task Pattern_learns_a_domains_pattern_from_known_emails()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var body = await (await client.PostJson("/enrichment/discover", new { first_name = "Monica", last_name = "Reyes", company_domain = "westmark.io", channels = new[] { "work_email" } })).ShouldBeOk();
        var email = body.GetProperty("channels").GetProperty("work_email");
        email.GetProperty("value").GetString().ShouldBe("monica.reyes@westmark.io");
        email.GetProperty("source").GetString().ShouldBe("guess");
        email.GetProperty("confidence").GetDouble().ShouldBe(1);
        body.GetProperty("credits_used").GetInt64().ShouldBe(2); // discover doubles the price
    }

    [Fact]
    public async Task Pattern_needs_min_samples_known_emails_from_the_workspace_or_datasets()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var thin = new { first_name = "New", last_name = "Person", company_domain = "thin.io", channels = new[] { "work_email" } };
        var none = await (await client.PostJson("/enrichment", thin)).ShouldBeOk();
        none.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);

        // A third known email in the workspace (same pattern, one that does not fit) tips it over MinSamples = 3.
        (await client.PostJson("/v1/contacts/bulk", new { contacts = new object[]
        {
            new { first_name = "Third", last_name = "Sample", email = "third.sample@thin.io" },
            new { first_name = "Odd", last_name = "One", email = "oone@thin.io" },
        } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var found = await (await client.PostJson("/enrichment", new { thin.first_name, thin.last_name, thin.company_domain, thin.channels, force = true })).ShouldBeOk();
        var email = found.GetProperty("channels").GetProperty("work_email");
        email.GetProperty("value").GetString().ShouldBe("new.person@thin.io");
        email.GetProperty("confidence").GetDouble().ShouldBe(0.75);
    }

    [Fact]
    public async Task Signals_come_from_the_dataset_and_since_days_cuts_old_events()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var body = await (await client.PostJson("/enrichment", new { email = "chloe.walker@westmark.io", channels = new[] { "signals" } })).ShouldBeOk();
        var signals = body.GetProperty("channels").GetProperty("signals").GetProperty("value");
        signals.GetProperty("job_changes").GetArrayLength().ShouldBe(2);

        var config = JsonSerializer.SerializeToElement(new { since_days = 90, intent_signals = new[] { "job_changes" } });
        var recent = SignalsFilter.Apply(signals, config);
        recent.GetProperty("job_changes").GetArrayLength().ShouldBe(1);
        var none = SignalsFilter.Apply(signals, JsonSerializer.SerializeToElement(new { intent_signals = new[] { "funding" } }));
        none.EnumerateObject().ShouldBeEmpty();
    }

    [Fact]
    public async Task The_index_is_built_once_and_reused()
    {
        var index = Path.Combine(Path.GetTempPath(), "tributary-index-test-" + Guid.NewGuid().ToString("N"));
        var people = new[] { Path.Combine(DatasetApp.Folder, "people.csv") };
        var first = await DatasetIndex.OpenAsync("reuse", people, [], index, CancellationToken.None);
        var file = Directory.GetFiles(index).Single();
        var written = File.GetLastWriteTimeUtc(file);
        var second = await DatasetIndex.OpenAsync("reuse", people, [], index, CancellationToken.None);
        Directory.GetFiles(index).Single().ShouldBe(file);
        File.GetLastWriteTimeUtc(file).ShouldBe(written);
        (await second.FindPersonAsync(new MatchKeys(null, "dscully", null, null, null), CancellationToken.None)).ShouldNotBeNull();
        (await first.FindPersonAsync(new MatchKeys("nobody@x.io", null, null, null, null), CancellationToken.None)).ShouldBeNull();
    }
}
