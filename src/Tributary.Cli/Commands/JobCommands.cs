using System.CommandLine;
using Tributary.Cli.Output;

namespace Tributary.Cli.Commands;

/// <summary><c>tributary jobs list|status|cancel</c> (DESIGN §13), with the workspace's API key.</summary>
internal static class JobCommands
{
    private static readonly string[] Statuses = ["queued", "processing", "succeeded", "failed", "cancelled"];

    public static Command Create(CommandRunner runner) =>
        new("jobs", "List enrichment jobs, show one, or cancel one")
        {
            ListJobs(runner),
            JobStatus(runner),
            CancelJob(runner),
        };

    private static Argument<Guid> JobId() => new("jobId")
    {
        Description = "Id of the job",
        CustomParser = result => ValueParsers.ParseId(result, "job id"),
    };

    private static Command ListJobs(CommandRunner runner)
    {
        var status = new Option<string?>("--status") { Description = $"Only jobs in this status: {string.Join(", ", Statuses)}", HelpName = "status" };
        status.AcceptOnlyFromAmong(Statuses);
        var page = new Option<int>("--page") { Description = "Page of 100 jobs, from 1 (newest first)", HelpName = "n", DefaultValueFactory = _ => 1 };
        page.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--page must be at least 1");
        });
        var command = new Command("list", "List the workspace's jobs of every kind, newest first") { status, page };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunWithApiKeyAsync(parseResult, async client =>
            {
                var result = await client.ListJobsAsync(parseResult.GetValue(status), parseResult.GetValue(page), cancellationToken);
                if (!result.Succeeded) return runner.Context.Fail(result.Failure);
                runner.Context.Out.WriteTable(
                    ["id", "kind", "name", "status", "total", "processed", "credits_reserved", "credits_charged", "created_at", "finished_at"],
                    result.Value.GetProperty("jobs").EnumerateArray());
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command JobStatus(CommandRunner runner)
    {
        var jobId = JobId();
        var command = new Command("status", "Show a job: status, counts per channel, credits, rate and ETA") { jobId };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunWithApiKeyAsync(parseResult, async client =>
            {
                var result = await client.GetJobAsync(parseResult.GetRequiredValue(jobId), cancellationToken);
                if (!result.Succeeded) return runner.Context.Fail(result.Failure);
                runner.Context.Out.WriteFields(result.Value);
                return ExitCodes.Success;
            }));
        return command;
    }

    private static Command CancelJob(CommandRunner runner)
    {
        var jobId = JobId();
        var command = new Command("cancel", "Cancel a job: items not started are not run, unused credits are released") { jobId };
        command.SetAction((parseResult, cancellationToken) =>
            runner.RunWithApiKeyAsync(parseResult, async client =>
            {
                var result = await client.CancelJobAsync(parseResult.GetRequiredValue(jobId), cancellationToken);
                if (!result.Succeeded) return runner.Context.Fail(result.Failure);
                runner.Context.Out.WriteFields(result.Value);
                return ExitCodes.Success;
            }));
        return command;
    }
}
