using Tributary.Cli.Api;
using Tributary.Cli.Output;

namespace Tributary.Cli.Commands;

/// <summary>
/// One <c>tributary enrich</c>: submit the job (or resume the one recorded in <c>&lt;output&gt;.job</c>), watch it until
/// it ends, stream its results into <c>&lt;output&gt;.partial</c>, rename that to the output, then forget the job.
/// Interrupting it never cancels the server's job: a re-run of the same command picks it up and pays nothing twice.
/// </summary>
internal sealed class EnrichRun(CliContext context, TributaryApiClient client, EnrichRequest request)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(15);

    // The server keeps a submission's key 24 hours; an hour's margin for clocks and slow uploads.
    private static readonly TimeSpan SubmissionKeyLifetime = TimeSpan.FromHours(23);

    // With delays of 1, 2, 4, 8 and 15 seconds, a server that is away for about half a minute is waited for.
    private const int MaxConsecutivePollFailures = 6;

    private readonly string jobFilePath = EnrichJobFile.PathFor(request.Output);
    private readonly FileInfo partialOutput = new(request.Output.FullName + ".partial");
    private bool jobFileWritten;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = await ResumeOrSubmitAsync(cancellationToken);
        if (!started.Succeeded)
        {
            return context.Fail(started.Failure);
        }

        var jobId = started.Value.Id;
        try
        {
            return await FinishAsync(started.Value, cancellationToken);
        }
        // Ctrl-C cancels whatever was in flight, which may surface as a broken request rather than a cancellation.
        catch (Exception exception) when (cancellationToken.IsCancellationRequested
                                          && exception is OperationCanceledException or IOException or HttpRequestException)
        {
            return context.Interrupted(jobFileWritten
                ? $"job {jobId} goes on on the server; run the same command again to resume it, or stop it with: tributary jobs cancel {jobId}"
                : $"job {jobId} goes on on the server; stop it with: tributary jobs cancel {jobId}");
        }
    }

    private async Task<int> FinishAsync(EnrichmentJob started, CancellationToken cancellationToken)
    {
        var finished = await WaitUntilFinalAsync(started, cancellationToken);
        // A request cut short by Ctrl-C fails like any other; the interruption is what to report.
        cancellationToken.ThrowIfCancellationRequested();
        if (!finished.Succeeded)
        {
            return context.Fail(finished.Failure);
        }

        var job = finished.Value;
        if (job.Status != EnrichmentJobStatus.Succeeded)
        {
            var outcome = job.Status == EnrichmentJobStatus.Cancelled ? "was cancelled"
                : job.Error is { Length: > 0 } error ? $"ended as {job.Status} ({error.TrimEnd('.')})" : $"ended as {job.Status}";
            return context.Fail(jobFileWritten
                ? $"job {job.Id} {outcome}; delete {jobFilePath} to submit a new job"
                : $"job {job.Id} {outcome}");
        }

        var written = await WriteOutputAsync(job.Id, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (!written.Succeeded)
        {
            return context.Fail(written.Failure);
        }

        File.Delete(jobFilePath);
        WriteSummary(job);
        return ExitCodes.Success;
    }

    private async Task<ApiResult<EnrichmentJob>> ResumeOrSubmitAsync(CancellationToken cancellationToken)
    {
        var recorded = await ReadJobFileAsync(cancellationToken);
        if (!recorded.Succeeded)
        {
            return ApiResult<EnrichmentJob>.Failed(recorded.Failure);
        }

        if (recorded.Value is not { } previous)
        {
            return await SubmitAsync(NewSubmissionKey(), cancellationToken);
        }

        var mismatch = previous.DescribeMismatch(client.Server, request.Input, request.Channels, request.Map, request.Force);
        var whose = previous.IsPendingSubmission ? "an interrupted submission" : $"job {previous.JobId}";
        if (mismatch is not null)
        {
            return ApiResult<EnrichmentJob>.Failed(
                $"{jobFilePath} belongs to {whose}, but {mismatch}; "
                + "re-run the command that started it, or delete the file to submit a new job");
        }

        if (previous.IsPendingSubmission)
        {
            if (DateTimeOffset.UtcNow - previous.SubmittedAt > SubmissionKeyLifetime)
            {
                return ApiResult<EnrichmentJob>.Failed(
                    $"{jobFilePath} records a submission from {previous.SubmittedAt:u} whose answer never arrived, older than the server "
                    + "remembers submissions; look for a job from then in GET /v1/jobs before deleting the file to submit a new job");
            }

            context.Error.WriteLine($"sending again the submission recorded in {jobFilePath}; the server answers with its job if it made one");
            return await SubmitAsync(previous.SubmissionKey!, cancellationToken, previous.SubmittedAt);
        }

        var existing = await client.GetEnrichmentJobAsync(previous.JobId, cancellationToken);
        if (existing.Succeeded)
        {
            jobFileWritten = true;
            context.Error.WriteLine($"resuming job {previous.JobId} recorded in {jobFilePath}");
            return existing;
        }

        if (existing.StatusCode != 404)
        {
            return existing;
        }

        context.Error.WriteLine($"job {previous.JobId} recorded in {jobFilePath} is not on the server; submitting a new job");
        return await SubmitAsync(NewSubmissionKey(), cancellationToken);
    }

    private static string NewSubmissionKey() => $"tributary-enrich-{Guid.NewGuid():N}";

    private async Task<ApiResult<EnrichJobFile?>> ReadJobFileAsync(CancellationToken cancellationToken)
    {
        try
        {
            return ApiResult<EnrichJobFile?>.Success(await EnrichJobFile.ReadAsync(jobFilePath, cancellationToken));
        }
        catch (InvalidDataException exception)
        {
            return ApiResult<EnrichJobFile?>.Failed(
                $"{jobFilePath} is not a job file ({exception.Message.TrimEnd('.')}); delete it to submit a new job");
        }
    }

    /// <summary>
    /// Records the submission under its key before sending it, so that a run stopped before the answer arrives can send
    /// the same submission again; the server then answers with the job it made, and nothing is paid twice.
    /// </summary>
    private async Task<ApiResult<EnrichmentJob>> SubmitAsync(
        string submissionKey, CancellationToken cancellationToken, DateTimeOffset? firstSent = null)
    {
        var sentAt = firstSent ?? DateTimeOffset.UtcNow;
        var pending = await RecordAsync(Guid.Empty, submissionKey, sentAt);
        var submitted = await client.SubmitEnrichmentJobAsync(
            request.Input, request.Channels, request.Map, request.Force, submissionKey, cancellationToken);
        if (!submitted.Succeeded)
        {
            // A first sending refused outright, or that never reached the server, made nothing; a resend refused for its key
            // may have made a job the first time.
            if (pending && (firstSent is null ? submitted.NeverSent || !IsTransient(submitted) : IsTheSubmissionsOwnAnswer(submitted)))
            {
                File.Delete(jobFilePath);
            }

            return submitted;
        }

        var job = submitted.Value;
        if (await RecordAsync(job.Id, submissionKey, sentAt))
        {
            jobFileWritten = true;
            context.Error.WriteLine(
                $"submitted job {job.Id}: {job.Total} records, {job.CreditsReserved} credits reserved; "
                + $"{jobFilePath} lets a re-run resume it");
        }

        return submitted;
    }

    /// <summary>
    /// A final answer to this very submission, so the key is done with. Not so: no answer, a busy server, or a refused key
    /// (401/403 come before the server looks the submission up, so a job it made earlier may still exist).
    /// </summary>
    private static bool IsTheSubmissionsOwnAnswer(ApiResult<EnrichmentJob> result) =>
        !IsTransient(result) && result.StatusCode is not (401 or 403);

    // Written whatever happens to the caller's cancellation: the job may exist now and be paid for.
    private async Task<bool> RecordAsync(Guid jobId, string submissionKey, DateTimeOffset submittedAt)
    {
        var record = new EnrichJobFile(
            jobId,
            client.Server.AbsoluteUri,
            request.Input.FullName,
            request.Channels,
            request.Map,
            request.Force,
            submittedAt,
            submissionKey,
            InputFingerprint.Of(request.Input));
        try
        {
            await record.WriteAsync(jobFilePath, CancellationToken.None);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine(
                $"warning: {jobFilePath} could not be written ({exception.Message.TrimEnd('.')}); an interrupted run cannot resume this job");
            return false;
        }
    }

    private Task<ApiResult<EnrichmentJob>> WaitUntilFinalAsync(EnrichmentJob started, CancellationToken cancellationToken) =>
        JobProgressDisplay.RunAsync(context, report => PollUntilFinalAsync(started, report, cancellationToken));

    private async Task<ApiResult<EnrichmentJob>> PollUntilFinalAsync(
        EnrichmentJob started, Action<EnrichmentJob> report, CancellationToken cancellationToken)
    {
        var job = started;
        report(job);
        var failures = 0;
        while (!EnrichmentJobStatus.IsFinal(job.Status))
        {
            await Task.Delay(failures == 0 ? PollInterval : RetryDelay(failures), cancellationToken);
            var polled = await client.GetEnrichmentJobAsync(job.Id, cancellationToken);
            if (polled.Succeeded)
            {
                job = polled.Value;
                failures = 0;
                report(job);
            }
            else if (!IsTransient(polled) || ++failures >= MaxConsecutivePollFailures)
            {
                return polled;
            }
        }

        return ApiResult<EnrichmentJob>.Success(job);
    }

    private static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures - 1), LongestRetryDelay.TotalSeconds));

    // No answer at all, the server busy or restarting: worth asking again. Any other answer will not change.
    private static bool IsTransient<T>(ApiResult<T> result) =>
        result.StatusCode is null or 409 or 429 or >= 500;

    private async Task<ApiResult<long>> WriteOutputAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var renamed = false;
        try
        {
            var downloaded = await client.DownloadEnrichmentResultsAsync(jobId, partialOutput, cancellationToken);
            if (downloaded.Succeeded)
            {
                File.Move(partialOutput.FullName, request.Output.FullName, overwrite: true);
                renamed = true;
            }

            return downloaded;
        }
        finally
        {
            if (!renamed)
            {
                DeletePartialOutput();
            }
        }
    }

    private void DeletePartialOutput()
    {
        try
        {
            File.Delete(partialOutput.FullName);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next run truncates it anyway.
        }
    }

    private void WriteSummary(EnrichmentJob job)
    {
        var output = context.Out;
        output.WriteField("job", job.Id.ToString());
        output.WriteField("status", job.Status);
        output.WriteField("records", job.Total);
        output.WriteField("found", job.Found);
        output.WriteField("credits", job.CreditsCharged);
        output.WriteField("output", request.Output.FullName);
    }
}
