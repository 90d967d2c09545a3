using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tributary.Cli;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Cli;

/// <summary>The real server with one fake provider that knows the work emails of a few LinkedIn profiles.</summary>
public sealed class EnrichCommandApp() : WaterfallApp(DatabaseProvider.Sqlite,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor"] = new()
        {
            Channels = ["work_email"],
            People = Enumerable.Range(0, 4).Select(i => new Dictionary<string, object?>
            {
                ["linkedin_url"] = $"https://www.linkedin.com/in/enrich-{i}", ["work_email"] = $"person{i}@enrich.io",
            }).ToList(),
        },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["vendor"] },
    new Dictionary<string, object> { ["Tributary:Jobs:PollIntervalMs"] = 50, ["Tributary:Jobs:Workers"] = 8 });

/// <summary><c>tributary enrich</c> against the real server in-process.</summary>
public sealed class EnrichCommandTests(EnrichCommandApp app) : IClassFixture<EnrichCommandApp>
{
    private const string Header = "Name,LinkedIn,Note";
    private const string Input =
        Header + "\n"
        + "Ann,https://www.linkedin.com/in/enrich-0,=1+2\n"
        + "Bob,https://www.linkedin.com/in/enrich-1,plain\n"
        + "Cid,https://www.linkedin.com/in/enrich-2,\n"
        + "Dee,https://www.linkedin.com/in/enrich-3,\n"
        + "Eve,https://www.linkedin.com/in/nobody-here,\n";

    private Task<(int Exit, string Out, string Err)> Run(params string[] args) => Run(app.Server.CreateHandler(), args);

    private static async Task<(int Exit, string Out, string Err)> Run(HttpMessageHandler handler, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new Dictionary<string, string?> { ["TRIBUTARY_URL"] = "http://localhost" };
        var exit = await CliApp.RunAsync(args, stdout, stderr, handler, env);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Delivers a job submission to the server, then loses its answer, as a dropped connection would.</summary>
    private sealed class AnswerLostOnSubmission(HttpMessageHandler server) : DelegatingHandler(server)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath == "/v1/jobs")
            {
                response.Dispose();
                throw new HttpRequestException("connection reset while reading the answer");
            }
            return response;
        }
    }

    private static string Field(string output, string name) =>
        Regex.Match(output, $"^{name}: (.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();

    private static async Task<(string Input, string Output)> NewFiles()
    {
        var directory = Directory.CreateTempSubdirectory("tributary-enrich-").FullName;
        var input = Path.Combine(directory, "people.csv");
        await File.WriteAllTextAsync(input, Input);
        return (input, Path.Combine(directory, "people.enriched.csv"));
    }

    private static string[] EnrichArgs(string input, string output, string key) =>
        ["enrich", input, "-o", output, "--channels", "work_email", "--map", "linkedin_url=LinkedIn", "--key", key];

    private async Task<int> JobCount(Guid workspace)
    {
        await using var db = app.NewDb();
        return await db.Jobs.CountAsync(j => j.WorkspaceId == workspace);
    }

    private async Task<long> Charged(Guid workspace)
    {
        await using var db = app.NewDb();
        return (await db.LedgerEntries.Where(e => e.WorkspaceId == workspace && e.Kind == "charge").ToListAsync()).Sum(e => e.Amount);
    }

    /// <summary>The job file a run of <see cref="EnrichArgs"/> leaves while <paramref name="jobId"/> runs.</summary>
    private static Task WriteJobFileAsync(string output, string? jobId, string input) =>
        File.WriteAllTextAsync(output + ".job", JsonSerializer.Serialize(new
        {
            job_id = jobId,
            server = "http://localhost/",
            input,
            channels = new[] { "work_email" },
            map = new[] { new { field = "linkedin_url", column = "LinkedIn" } },
        }));

    private static string[] Rows(string csv) => csv.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Enriches_a_csv_and_a_rerun_with_a_job_file_resumes_that_job_instead_of_paying_again()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (input, output) = await NewFiles();

        var (exit, stdout, stderr) = await Run(EnrichArgs(input, output, ws.Key));

        exit.ShouldBe(0, stderr);
        var jobId = Field(stdout, "job");
        Guid.TryParse(jobId, out _).ShouldBeTrue(stdout);
        Field(stdout, "status").ShouldBe("succeeded");
        Field(stdout, "records").ShouldBe("5");
        Field(stdout, "found").ShouldBe("4");
        Field(stdout, "credits").ShouldBe("4");
        Field(stdout, "output").ShouldBe(output);
        stdout.Trim().Split('\n').Length.ShouldBe(6, "stdout holds the summary only");
        stderr.ShouldNotContain("error");
        stderr.ShouldContain(jobId);

        var rows = Rows(await File.ReadAllTextAsync(output));
        rows.Length.ShouldBe(6);
        rows[0].ShouldBe(Header + ",work_email,work_email_source,work_email_confidence,work_email_status,work_email_verified,status");
        rows[1].ShouldStartWith("Ann,https://www.linkedin.com/in/enrich-0,'=1+2,person0@enrich.io,vendor,0.9,");
        rows[2].ShouldStartWith("Bob,https://www.linkedin.com/in/enrich-1,plain,person1@enrich.io,vendor,");
        rows[4].ShouldStartWith("Dee,https://www.linkedin.com/in/enrich-3,,person3@enrich.io,vendor,");
        rows[5].ShouldStartWith("Eve,https://www.linkedin.com/in/nobody-here,,,,,");
        File.Exists(output + ".job").ShouldBeFalse("the job file goes once the output is written");
        File.Exists(output + ".partial").ShouldBeFalse();
        (await JobCount(ws.Id)).ShouldBe(1);
        (await Charged(ws.Id)).ShouldBe(4);

        // As if the first run had been interrupted after the job ended but before the output was written.
        var firstOutput = await File.ReadAllTextAsync(output);
        File.Delete(output);
        await WriteJobFileAsync(output, jobId, input);

        (exit, stdout, stderr) = await Run(EnrichArgs(input, output, ws.Key));

        exit.ShouldBe(0, stderr);
        stderr.ShouldContain($"resuming job {jobId}");
        Field(stdout, "job").ShouldBe(jobId);
        Field(stdout, "credits").ShouldBe("4");
        (await File.ReadAllTextAsync(output)).ShouldBe(firstOutput);
        File.Exists(output + ".job").ShouldBeFalse();
        (await JobCount(ws.Id)).ShouldBe(1, "no second job was submitted");
        (await Charged(ws.Id)).ShouldBe(4, "nothing was charged twice");
        using var client = ws.Client();
        (await client.GetFromJsonAsync<JsonElement>("/v1/credits")).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(96);
    }

    [Fact]
    public async Task A_run_that_lost_the_servers_answer_sends_the_same_submission_again_and_gets_the_same_job()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (input, output) = await NewFiles();

        var (exit, _, stderr) = await Run(new AnswerLostOnSubmission(app.Server.CreateHandler()), EnrichArgs(input, output, ws.Key));

        exit.ShouldBe(1, stderr);
        (await JobCount(ws.Id)).ShouldBe(1, "the server made the job, though the run never heard of it");
        var pending = JsonDocument.Parse(await File.ReadAllTextAsync(output + ".job")).RootElement;
        pending.GetProperty("job_id").GetGuid().ShouldBe(Guid.Empty);
        pending.GetProperty("submission_key").GetString().ShouldNotBeNullOrEmpty();

        // A key refused before the server looks the submission up says nothing of the job: the pending submission stays.
        var readOnly = await app.CreateKeyAsync(ws.Id, ["read:enrich"]);
        (exit, _, stderr) = await Run(EnrichArgs(input, output, readOnly));
        exit.ShouldBe(1);
        stderr.ShouldContain("403");
        File.Exists(output + ".job").ShouldBeTrue();

        (exit, var stdout, stderr) = await Run(EnrichArgs(input, output, ws.Key));

        exit.ShouldBe(0, stderr);
        stderr.ShouldContain("sending again the submission");
        Field(stdout, "credits").ShouldBe("4");
        (await JobCount(ws.Id)).ShouldBe(1, "the second run got the first run's job back");
        (await Charged(ws.Id)).ShouldBe(4, "nothing was charged twice");
        File.Exists(output + ".job").ShouldBeFalse();
        Rows(await File.ReadAllTextAsync(output)).Length.ShouldBe(6);
    }

    /// <summary>Stops the run, as Ctrl-C would, once it polls the job it submitted.</summary>
    private sealed class InterruptedWhilePolling(HttpMessageHandler server, CancellationTokenSource interrupt) : DelegatingHandler(server)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.StartsWith("/v1/jobs/", StringComparison.Ordinal))
                interrupt.Cancel();
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task Ctrl_c_while_waiting_exits_130_and_says_how_to_resume_or_cancel_the_job()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (input, output) = await NewFiles();
        using var interrupt = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(EnrichArgs(input, output, ws.Key), stdout, stderr,
            new InterruptedWhilePolling(app.Server.CreateHandler(), interrupt), new Dictionary<string, string?> { ["TRIBUTARY_URL"] = "http://localhost" },
            interrupt.Token);
        exit.ShouldBe(130, stderr.ToString());
        var job = JsonDocument.Parse(await File.ReadAllTextAsync(output + ".job")).RootElement.GetProperty("job_id").GetGuid();
        stderr.ToString().ShouldContain($"tributary jobs cancel {job}");
        stderr.ToString().ShouldContain("run the same command again to resume it");
        (await JobCount(ws.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task A_submission_that_never_reached_a_server_leaves_nothing_that_blocks_the_next_run()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (input, output) = await NewFiles();
        var nobody = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var stderr = new StringWriter();
        using var refused = new SocketsHttpHandler();
        var exit = await CliApp.RunAsync(EnrichArgs(input, output, ws.Key), new StringWriter(), stderr, refused,
            new Dictionary<string, string?> { ["TRIBUTARY_URL"] = nobody });
        exit.ShouldBe(1, stderr.ToString());
        File.Exists(output + ".job").ShouldBeFalse(stderr.ToString());

        // Another command for the same output (other channels) is not held up by the submission that never left.
        var (next, _, err) = await Run(["enrich", input, "-o", output, "--channels", "work_email,phone", "--map", "linkedin_url=LinkedIn", "--key", ws.Key]);
        next.ShouldBe(0, err);
    }

    [Fact]
    public async Task A_pending_submission_is_not_sent_again_for_an_input_that_changed_since()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (input, output) = await NewFiles();
        (await Run(new AnswerLostOnSubmission(app.Server.CreateHandler()), EnrichArgs(input, output, ws.Key))).Exit.ShouldBe(1);

        await File.AppendAllTextAsync(input, "Fay,https://www.linkedin.com/in/enrich-0,\n");
        var (exit, stdout, stderr) = await Run(EnrichArgs(input, output, ws.Key));

        exit.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.ShouldContain("interrupted submission");
        stderr.ShouldContain("has changed since");
        File.Exists(output + ".job").ShouldBeTrue();
        (await JobCount(ws.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task A_job_file_pointing_at_a_cancelled_job_is_reported_and_nothing_is_submitted()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (input, output) = await NewFiles();
        using var client = ws.Client();
        string? jobId;
        var vendor = app.Fakes.Specs["vendor"];
        vendor.LatencyMs = 1000; // slow enough that the job is still running when it is cancelled
        try
        {
            var created = await client.PostAsync("/v1/jobs?channels=work_email&map=linkedin_url=LinkedIn",
                new StringContent(Input, Encoding.UTF8, "text/csv"));
            jobId = (await created.ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetString();
            var cancelled = await (await client.PostAsync($"/v1/jobs/{jobId}/cancel", null)).ShouldBeOk();
            cancelled.GetProperty("data").GetProperty("status").GetString().ShouldBe("cancelled");
        }
        finally
        {
            vendor.LatencyMs = 0;
        }

        await WriteJobFileAsync(output, jobId, input);

        var (exit, stdout, stderr) = await Run(EnrichArgs(input, output, ws.Key));

        exit.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.ShouldContain($"error: job {jobId} was cancelled");
        File.Exists(output).ShouldBeFalse();
        (await JobCount(ws.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task A_missing_input_is_a_usage_error()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (_, output) = await NewFiles();
        var missing = Path.Combine(Path.GetDirectoryName(output)!, "absent.csv");

        var (exit, stdout, stderr) = await Run(EnrichArgs(missing, output, ws.Key));

        exit.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.Trim().Split('\n').Length.ShouldBe(1);
        stderr.ShouldStartWith("error: ");
        stderr.ShouldContain("absent.csv");
        (await JobCount(ws.Id)).ShouldBe(0);
    }

    [Theory]
    [InlineData("linkedin_url=Profile", "has no column 'Profile'")]
    [InlineData("linkedin=LinkedIn", "the field 'linkedin', which Tributary does not know")]
    public async Task A_map_naming_a_missing_column_or_an_unknown_field_is_a_usage_error(string map, string message)
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        var (input, output) = await NewFiles();
        var (exit, _, stderr) = await Run(["enrich", input, "-o", output, "--channels", "work_email", "--map", map, "--key", ws.Key]);
        exit.ShouldBe(2, stderr);
        stderr.ShouldContain(message);
        (await JobCount(ws.Id)).ShouldBe(0);
        File.Exists(output + ".job").ShouldBeFalse();
    }

    [Fact]
    public async Task A_key_without_write_enrich_fails_with_the_servers_403()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100, permissions: ["read:enrich", "read:credits"]);
        var (input, output) = await NewFiles();

        var (exit, stdout, stderr) = await Run(EnrichArgs(input, output, ws.Key));

        exit.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.Trim().ShouldStartWith("error: 403 ");
        stderr.Trim().Split('\n').Length.ShouldBe(1);
        stderr.ShouldNotContain("   at ");
        File.Exists(output).ShouldBeFalse();
        File.Exists(output + ".job").ShouldBeFalse();
        (await JobCount(ws.Id)).ShouldBe(0);
    }
}
