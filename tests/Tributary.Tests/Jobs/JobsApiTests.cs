using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Jobs;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Jobs;

public abstract class JobProvidersApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor"] = new()
        {
            Channels = ["work_email", "phone"],
            People = Enumerable.Range(0, 40).Select(i => new Dictionary<string, object?>
            {
                ["linkedin_url"] = $"https://www.linkedin.com/in/job-{i}", ["work_email"] = $"person{i}@jobs.io",
                ["phone"] = i % 2 == 0 ? "+14155238841" : null,
            }).ToList(),
            LatencyMs = 20,
        },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["vendor"], ["phone"] = ["vendor"] },
    new Dictionary<string, object> { ["Tributary:Jobs:PollIntervalMs"] = 50, ["Tributary:Jobs:Workers"] = 8 });

public sealed class JobSqliteApp() : JobProvidersApp(DatabaseProvider.Sqlite);
public sealed class JobPostgresApp() : JobProvidersApp(DatabaseProvider.Postgres);

public abstract partial class JobsApiTests(JobProvidersApp app)
{
    private static Task<JsonElement> WaitForEnd(HttpClient client, Guid id) =>
        Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{id}")).ShouldBeOk()).GetProperty("data"),
            job => job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled", $"job {id}", delayMs: 100);

    [DbFact]
    public async Task A_csv_job_runs_to_the_end_charging_each_found_value_once()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        var csv = new StringBuilder("Name,LinkedIn,Note\n");
        for (var i = 0; i < 30; i++) csv.Append($"Person {i},https://www.linkedin.com/in/job-{i},=cmd|' /C calc'!A0\n");
        csv.Append("Nobody,https://www.linkedin.com/in/nobody-at-all,\n");
        var response = await client.PostAsync("/v1/jobs?channels=work_email,phone&map=linkedin_url=LinkedIn",
            new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        var accepted = (await response.ShouldBeOk(202)).GetProperty("data");
        accepted.GetProperty("total").GetInt32().ShouldBe(31);
        // 31 records × (work_email 1 + phone 10) reserved up front.
        accepted.GetProperty("credits_reserved").GetInt64().ShouldBe(341);
        var id = accepted.GetProperty("id").GetGuid();

        var job = await WaitForEnd(client, id);
        job.GetProperty("status").GetString().ShouldBe("succeeded");
        job.GetProperty("processed").GetInt32().ShouldBe(31);
        job.GetProperty("found").GetInt32().ShouldBe(30);
        job.GetProperty("not_found").GetInt32().ShouldBe(1);
        job.GetProperty("found_by_channel").GetProperty("work_email").GetInt64().ShouldBe(30);
        job.GetProperty("found_by_channel").GetProperty("phone").GetInt64().ShouldBe(15);
        job.GetProperty("credits_charged").GetInt64().ShouldBe(30 + 15 * 10);
        job.GetProperty("progress").GetDouble().ShouldBe(100);

        var balance = (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data");
        balance.GetProperty("balance").GetInt64().ShouldBe(1000 - 180);
        balance.GetProperty("reserved").GetInt64().ShouldBe(0);

        var lines = (await client.GetStringAsync($"/v1/jobs/{id}/results")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(31);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        first.GetProperty("input").GetProperty("Name").GetString().ShouldBe("Person 0");
        first.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("person0@jobs.io");
        JsonDocument.Parse(lines[30]).RootElement.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);

        var csvOut = await client.GetStringAsync($"/v1/jobs/{id}/results?format=csv");
        var rows = csvOut.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        rows[0].ShouldBe("Name,LinkedIn,Note,work_email,work_email_source,work_email_confidence,work_email_status,work_email_verified,phone,phone_source,phone_confidence,phone_verified,status");
        rows[1].ShouldStartWith("Person 0,https://www.linkedin.com/in/job-0,'=cmd|' /C calc'!A0,person0@jobs.io,vendor,0.9,unknown,,+14155238841,vendor,0.9,,done");

        await using var db = app.NewDb();
        var charges = await db.LedgerEntries.Where(e => e.WorkspaceId == ws.Id && e.Kind == "charge").ToListAsync();
        charges.Sum(e => e.Amount).ShouldBe(180);
        charges.Select(e => e.EnrichmentId).Distinct().Count().ShouldBe(30);
    }

    [DbFact]
    public async Task A_windows_1252_job_upload_keeps_the_characters_latin_1_lacks_in_its_results()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        // € is 0x80, “ ” are 0x93 and 0x94, – is 0x96: in ISO-8859-1 those bytes are control characters.
        const string company = "Café “Crème” – 5 €";
        var csv = $"LinkedIn;Company;Note\r\nhttps://www.linkedin.com/in/job-1252;{company};“quoted” – 10 €\r\n";
        var content = new ByteArrayContent(CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(csv));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("text/csv; charset=windows-1252");

        var accepted = (await (await client.PostAsync("/v1/jobs?channels=work_email&map=linkedin_url=LinkedIn,company_name=Company", content))
            .ShouldBeOk(202)).GetProperty("data");

        var id = accepted.GetProperty("id").GetGuid();
        (await WaitForEnd(client, id)).GetProperty("status").GetString().ShouldBe("succeeded");
        var rows = (await client.GetStringAsync($"/v1/jobs/{id}/results?format=csv")).Split("\n", StringSplitOptions.RemoveEmptyEntries);
        var header = rows[0].TrimEnd('\r').Split(',');
        var cells = rows[1].TrimEnd('\r').Split(',');
        cells[Array.IndexOf(header, "Company")].ShouldBe(company, rows[1]);
        cells[Array.IndexOf(header, "Note")].ShouldBe("“quoted” – 10 €", rows[1]);
    }

    [DbFact]
    public async Task A_bad_value_fails_its_own_row_and_the_rest_of_the_job_runs()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        var tooLong = new string('a', 400) + "@jobs.io";
        var csv = $"LinkedIn,Email\nhttps://www.linkedin.com/in/job-1,\nhttps://www.linkedin.com/in/job-2,{tooLong}\nhttps://www.linkedin.com/in/job-3,\n";
        var accepted = (await (await client.PostAsync("/v1/jobs?channels=work_email&map=linkedin_url=LinkedIn",
            new StringContent(csv, Encoding.UTF8, "text/csv"))).ShouldBeOk(202)).GetProperty("data");
        var job = await WaitForEnd(client, accepted.GetProperty("id").GetGuid());
        job.GetProperty("status").GetString().ShouldBe("succeeded");
        job.GetProperty("processed").GetInt32().ShouldBe(3);
        job.GetProperty("credits_charged").GetInt64().ShouldBe(2);
        var lines = (await client.GetStringAsync($"/v1/jobs/{accepted.GetProperty("id").GetGuid()}/results"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines.Select(l => l.GetProperty("status").GetString()).ShouldBe(["done", "failed", "done"]);
        lines[1].GetProperty("error").GetString().ShouldBe("record 2: 'email' is longer than 320 characters");
        lines[0].GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("person1@jobs.io");
    }

    [DbFact]
    public async Task A_job_none_of_whose_records_could_be_processed_fails_and_returns_its_credits()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        using var scope = app.Services.CreateScope();
        var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
        var known = new Dictionary<string, JsonElement> { ["linkedin_url"] = JsonSerializer.SerializeToElement("https://www.linkedin.com/in/job-1") };
        // A record naming a contact that no longer exists cannot be processed.
        NewItem Gone() => new(known, ContactId: Guid.NewGuid());
        async Task<Guid> Submit(params NewItem[] items) =>
            ((CreateJobOutcome.Created)await queue.CreateAsync(new NewJob(ws.Id, "native", ["work_email"]), items, CancellationToken.None)).Job.Id;
        var hopeless = await Submit(Gone(), Gone());
        var mixed = await Submit(Gone(), new NewItem(known));

        var failed = await WaitForEnd(client, hopeless);
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("failed").GetInt32().ShouldBe(2);
        failed.GetProperty("error").GetString().ShouldBe(JobQueue.EveryItemFailed);
        var succeeded = await WaitForEnd(client, mixed);
        succeeded.GetProperty("status").GetString().ShouldBe("succeeded");
        succeeded.GetProperty("failed").GetInt32().ShouldBe(1);
        succeeded.GetProperty("found").GetInt32().ShouldBe(1);
        succeeded.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        var credits = (await (await client.GetAsync("/v1/credits")).ShouldBeOk()).GetProperty("data");
        credits.GetProperty("balance").GetInt64().ShouldBe(99);
        credits.GetProperty("reserved").GetInt64().ShouldBe(0);
    }

    [DbFact]
    public async Task Too_few_credits_for_the_whole_job_creates_nothing()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 20);
        using var client = ws.Client();
        var records = Enumerable.Range(0, 3).Select(i => new { linkedin_url = $"https://www.linkedin.com/in/job-{i}" }).ToArray();
        var error = await (await client.PostJson("/v1/jobs", new { records, channels = new[] { "phone" } })).ShouldBeError(402, "insufficient_credits");
        error.GetProperty("message").GetString()!.ShouldContain("30");
        await using var db = app.NewDb();
        (await db.Jobs.CountAsync(j => j.WorkspaceId == ws.Id)).ShouldBe(0);
        (await db.JobItems.CountAsync(i => i.WorkspaceId == ws.Id)).ShouldBe(0);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(20);
    }

    [DbFact]
    public async Task Jobs_are_listed_newest_first_with_their_names_paged_and_filtered_by_status()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 5000);
        using var client = ws.Client();
        var ids = new List<Guid>();
        foreach (var name in new[] { "first.csv", "second.csv", "third.csv" })
        {
            // The second is large enough to be still running when it is cancelled below.
            var records = Enumerable.Range(0, name == "second.csv" ? 400 : 1)
                .Select(i => new { linkedin_url = $"https://www.linkedin.com/in/listed-{name}-{i}" }).ToArray();
            ids.Add((await (await client.PostJson("/v1/jobs", new { records, channels = new[] { "work_email" }, name })).ShouldBeOk(202))
                .GetProperty("data").GetProperty("id").GetGuid());
        }
        await (await client.PostAsync($"/v1/jobs/{ids[1]}/cancel", null)).ShouldBeOk();

        var page = await (await client.GetAsync("/v1/jobs?per_page=2")).ShouldBeOk();
        var jobs = page.GetProperty("data").GetProperty("jobs").EnumerateArray().ToList();
        jobs.Select(j => j.GetProperty("id").GetGuid()).ShouldBe([ids[2], ids[1]]);
        jobs[0].GetProperty("name").GetString().ShouldBe("third.csv");
        jobs[0].GetProperty("kind").GetString().ShouldBe("native");
        jobs[0].GetProperty("total").GetInt32().ShouldBe(1);
        jobs[1].GetProperty("status").GetString().ShouldBe("cancelled");
        page.GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(3);
        var next = page.GetProperty("meta").GetProperty("next_cursor").GetString()!;
        var rest = (await (await client.GetAsync($"/v1/jobs?per_page=2&cursor={Uri.EscapeDataString(next)}")).ShouldBeOk())
            .GetProperty("data").GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()).ToList();
        rest.ShouldBe([ids[0]]);
        var cancelled = (await (await client.GetAsync("/v1/jobs?status=cancelled")).ShouldBeOk()).GetProperty("data").GetProperty("jobs");
        cancelled.EnumerateArray().Select(j => j.GetProperty("id").GetGuid()).ShouldBe([ids[1]]);
        await (await client.GetAsync("/v1/jobs?status=sleeping")).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/jobs?owner=me")).ShouldBeError(400, "validation_error");
        // A map of a column the file lacks, or of an unknown input, is refused before anything is created.
        var before = (await (await client.GetAsync("/v1/jobs")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64();
        foreach (var map in new[] { "linkedin_url=Profile", "linkedin=LinkedIn", "email=A,email=B" })
            await (await client.PostAsync($"/v1/jobs?channels=work_email&map={Uri.EscapeDataString(map)}",
                new StringContent("LinkedIn\nhttps://www.linkedin.com/in/x\n", System.Text.Encoding.UTF8, "text/csv"))).ShouldBeError(400, "validation_error");
        (await (await client.GetAsync("/v1/jobs")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(before);
        (await (await client.GetAsync($"/v1/jobs/{ids[0]}")).ShouldBeOk()).GetProperty("data").GetProperty("name").GetString().ShouldBe("first.csv");

        var other = await app.CreateWorkspaceAsync();
        using var otherClient = other.Client();
        (await (await otherClient.GetAsync("/v1/jobs")).ShouldBeOk()).GetProperty("data").GetProperty("jobs").GetArrayLength().ShouldBe(0);
    }

    [DbFact]
    public async Task Cancelling_jobs_whose_items_are_committing_always_succeeds_and_balances()
    {
        // A cancel and a commit batch take the same rows; on PostgreSQL one of them can be ended as a deadlock (seen as
        // a 500 on cancel), and the cancel must then simply run again.
        var ws = await app.CreateWorkspaceAsync(credits: 100_000);
        using var client = ws.Client();
        for (var round = 0; round < 12; round++)
        {
            var records = Enumerable.Range(0, 300).Select(i => new { linkedin_url = $"https://www.linkedin.com/in/race-{round}-{i}" }).ToArray();
            var id = (await (await client.PostJson("/v1/jobs", new { records, channels = new[] { "work_email" } })).ShouldBeOk(202))
                .GetProperty("data").GetProperty("id").GetGuid();
            await Task.Delay(20 * (round % 4));
            (await (await client.PostAsync($"/v1/jobs/{id}/cancel", null)).ShouldBeOk()).GetProperty("data").GetProperty("status").GetString()
                .ShouldBeOneOf("cancelled", "succeeded");
        }
        var balance = await Polling.UntilAsync(async () => (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data"),
            b => b.GetProperty("reserved").GetInt64() == 0, "every reservation released", attempts: 100);
        balance.GetProperty("balance").GetInt64().ShouldBe(100_000); // nobody matches: nothing was charged
    }

    [DbFact]
    public async Task Cancelling_returns_the_unused_credits()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 5000);
        using var client = ws.Client();
        var records = Enumerable.Range(0, 400).Select(i => new { linkedin_url = $"https://www.linkedin.com/in/cancel-{i}" }).ToArray();
        var id = (await (await client.PostJson("/v1/jobs", new { records, channels = new[] { "work_email" } })).ShouldBeOk(202))
            .GetProperty("data").GetProperty("id").GetGuid();
        var cancelled = (await (await client.PostAsync($"/v1/jobs/{id}/cancel", null)).ShouldBeOk()).GetProperty("data");
        cancelled.GetProperty("status").GetString().ShouldBe("cancelled");
        await Task.Delay(300);
        var balance = (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data");
        balance.GetProperty("reserved").GetInt64().ShouldBe(0);
        balance.GetProperty("balance").GetInt64().ShouldBe(5000); // nobody matches: nothing was charged
        (await (await client.GetAsync($"/v1/jobs/{id}")).Json()).GetProperty("data").GetProperty("status").GetString().ShouldBe("cancelled");
    }

    [DbFact]
    public async Task Estimate_reports_the_maximum_and_the_balance()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var estimate = (await (await client.PostJson("/v1/estimate", new { records = 12, channels = new[] { "work_email", "phone" } })).ShouldBeOk()).GetProperty("data");
        estimate.GetProperty("max_credits").GetInt64().ShouldBe(132);
        estimate.GetProperty("balance").GetInt64().ShouldBe(100);
        estimate.GetProperty("enough").GetBoolean().ShouldBeFalse();
    }

    [DbFact]
    public async Task Jobs_of_another_workspace_are_not_found_and_bad_requests_are_400()
    {
        var owner = await app.CreateWorkspaceAsync(credits: 100);
        using var client = owner.Client();
        var id = (await (await client.PostJson("/v1/jobs", new { records = new[] { new { email = "x@y.io" } }, channels = new[] { "work_email" } })).Json())
            .GetProperty("data").GetProperty("id").GetGuid();
        var other = await app.CreateWorkspaceAsync();
        using var otherClient = other.Client();
        await (await otherClient.GetAsync($"/v1/jobs/{id}")).ShouldBeError(404, "not_found");
        await (await otherClient.PostAsync($"/v1/jobs/{id}/cancel", null)).ShouldBeError(404, "not_found");
        await (await client.GetAsync("/v1/jobs/not-a-uuid")).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs", new { records = new[] { new { email = "x@y.io" } }, channels = new[] { "shoe_size" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs", new { records = new[] { new { email = "x@y.io" } }, channels = new[] { "personal_email" } })).ShouldBeError(422, "consent_required");
        await (await client.PostAsync("/v1/jobs?channels=work_email", new StringContent("colour\nred\n", Encoding.UTF8, "text/csv"))).ShouldBeError(400, "validation_error");
    }
}

public abstract partial class JobsApiTests
{
    [DbFact]
    public async Task Stored_contacts_chosen_by_id_or_by_filters_are_enriched_in_place()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        async Task<Guid> Contact(int i, string tag) =>
            (await (await client.PostJson("/v1/contacts", new { linkedin_url = $"https://www.linkedin.com/in/job-{i}", first_name = $"P{i}", tags = new[] { tag } }))
                .ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();
        var picked = new[] { await Contact(30, "picked"), await Contact(31, "picked") };
        var vip = new[] { await Contact(32, "vip"), await Contact(33, "vip"), await Contact(34, "vip") };

        var byId = (await (await client.PostJson("/v1/jobs", new { contact_ids = picked, channels = new[] { "work_email" } })).ShouldBeOk(202))
            .GetProperty("data");
        byId.GetProperty("total").GetInt32().ShouldBe(2);
        (await WaitForEnd(client, byId.GetProperty("id").GetGuid())).GetProperty("status").GetString().ShouldBe("succeeded");
        var byFilter = (await (await client.PostJson("/v1/jobs", new { filters = new { tag = "vip" }, channels = new[] { "work_email" } })).ShouldBeOk(202))
            .GetProperty("data");
        byFilter.GetProperty("total").GetInt32().ShouldBe(3);
        (await WaitForEnd(client, byFilter.GetProperty("id").GetGuid())).GetProperty("status").GetString().ShouldBe("succeeded");

        foreach (var (id, i) in picked.Concat(vip).Select((id, n) => (id, 30 + n)))
            (await (await client.GetAsync($"/v1/contacts/{id}")).ShouldBeOk()).GetProperty("data").GetProperty("email").GetString().ShouldBe($"person{i}@jobs.io");
        (await (await client.GetAsync("/v1/contacts")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(5); // in place

        var other = await app.CreateWorkspaceAsync(credits: 100);
        using var otherClient = other.Client();
        await (await otherClient.PostJson("/v1/jobs", new { contact_ids = picked, channels = new[] { "work_email" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs", new { contact_ids = new[] { "nope" }, channels = new[] { "work_email" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs", new { contact_ids = Array.Empty<Guid>(), channels = new[] { "work_email" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs", new { filters = new { colour = "blue" }, channels = new[] { "work_email" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs", new { filters = new { tag = "nobody" }, channels = new[] { "work_email" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/jobs", new { contact_ids = picked, filters = new { tag = "vip" }, channels = new[] { "work_email" } }))
            .ShouldBeError(400, "validation_error");
    }

    [DbFact]
    public async Task Jobs_created_in_the_same_instant_are_each_listed_once_across_pages()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
            ids.Add((await (await client.PostJson("/v1/jobs", new { records = new[] { new { linkedin_url = $"https://www.linkedin.com/in/tie-{i}" } },
                channels = new[] { "work_email" } })).ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid());
        var instant = DateTime.UtcNow.AddMinutes(-1);
        await using (var db = app.NewDb())
            await db.Jobs.Where(j => j.WorkspaceId == ws.Id && ids.Skip(1).Take(5).Contains(j.Id)).ExecuteUpdateAsync(u => u.SetProperty(j => j.CreatedAt, instant));

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync("/v1/jobs?per_page=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"))).ShouldBeOk();
            seen.AddRange(page.GetProperty("data").GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("meta").GetProperty("next_cursor").GetString();
        } while (cursor is not null && seen.Count < 20);
        seen.Count.ShouldBe(7);
        seen.ShouldBe(ids, ignoreOrder: true);
        await (await client.GetAsync("/v1/jobs?cursor=not-a-cursor")).ShouldBeError(400, "validation_error");
    }
}

public sealed class JobsApiTests_Sqlite(JobSqliteApp app) : JobsApiTests(app), IClassFixture<JobSqliteApp>;

public sealed class JobsApiTests_Postgres(JobPostgresApp app) : JobsApiTests(app), IClassFixture<JobPostgresApp>, IPostgresTests;
