using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Core.Enrichment;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Jobs;

/// <summary>What a job reads back for each item: the found channels with their provenance.</summary>
public sealed record ItemResult(
    [property: JsonPropertyName("channels")] IReadOnlyDictionary<string, ItemChannel> Channels,
    [property: JsonPropertyName("contact_id")] Guid? ContactId,
    [property: JsonPropertyName("enrichment_id")] Guid EnrichmentId,
    [property: JsonPropertyName("timed_out")] bool TimedOut = false)
{
    public static ItemResult Of(EnrichmentOutcome.Done done) => new(
        done.Run.Found.ToDictionary(f => f.Key, f => new ItemChannel(f.Value.Value, f.Value.Source, f.Value.Confidence,
            f.Value.EnrichedAt, f.Value.Verified, f.Value.EmailStatus)),
        done.Contact?.Id, done.EnrichmentId, done.Run.TimedOut);

    /// <summary>What a processed item stored; null while it has no result.</summary>
    public static ItemResult? Of(JobItem item) => item.ResultJson is null ? null : JsonSerializer.Deserialize<ItemResult>(item.ResultJson);

    /// <summary>The run was cut by the item deadline before <paramref name="channel"/> was found.</summary>
    public bool TimedOutBefore(string channel) => TimedOut && !Channels.ContainsKey(channel);
}

public sealed record ItemChannel(
    [property: JsonPropertyName("value")] JsonElement Value,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("enriched_at")] DateTime EnrichedAt,
    [property: JsonPropertyName("verified")] bool? Verified,
    [property: JsonPropertyName("email_status")] string? EmailStatus);

/// <summary>Job options as stored on the job (JSON).</summary>
public sealed record JobRunOptions
{
    [JsonPropertyName("force")] public bool Force { get; init; }
    [JsonPropertyName("discover")] public bool Discover { get; init; }
    [JsonPropertyName("signals")] public JsonElement? Signals { get; init; }
    [JsonPropertyName("write_back")] public bool WriteBack { get; init; } = true;
}

/// <summary>Runs one claimed item: the waterfall under a renewed lease, then a fenced commit of result and charge in a batch.</summary>
public sealed class JobProcessor(JobQueue queue, EnrichmentService enrichment, BatchCommitter committer, JobOptions options, TimeProvider time,
    IEnumerable<IJobItemListener> listeners, LateAnswers lateAnswers, ILogger<JobProcessor> logger)
{
    public async Task ProcessAsync(JobItem item, Job job, CancellationToken stopping)
    {
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var renewal = RenewWhileRunningAsync(item, lease);
        try
        {
            if (item.Attempts > options.MaxAttempts)
            {
                await queue.FailItemAsync(item, $"gave up after {options.MaxAttempts} attempts", stopping);
                return;
            }
            var known = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(item.InputJson) ?? [];
            // A bad value fails its own row, never the job (DESIGN §9); it is not looked up, stored or charged.
            if (EnrichmentRules.BadValue(known) is { } bad)
            {
                await queue.FailItemAsync(item, $"record {item.Position + 1}: {bad}", stopping);
                return;
            }
            var channels = JsonSerializer.Deserialize<List<string>>(job.ChannelsJson) ?? [];
            var run = JsonSerializer.Deserialize<JobRunOptions>(job.OptionsJson) ?? new JobRunOptions();
            await using var pending = await enrichment.RunAsync(new EnrichmentRequest
            {
                WorkspaceId = job.WorkspaceId, Surface = $"job {job.Kind}", Known = known, Channels = channels,
                Force = run.Force, Discover = run.Discover, Signals = run.Signals, WriteBack = run.WriteBack, ContactId = item.ContactId,
                Deadline = options.ItemDeadline, Job = new JobCharge(job.ReservationId) { ItemId = item.Id },
            }, lease.Token);
            // An erased or suppressed person is answered before anything runs, and still ends the item (found nothing).
            var outcome = pending.Answered is null or EnrichmentOutcome.Done { Dropped: true }
                ? await committer.CommitAsync((batch, ct) => CommitAsync(batch, item, job, pending, ct))
                : pending.Answered;
            if (outcome is EnrichmentOutcome.Done) pending.Committed();
            else if (outcome is EnrichmentOutcome.ContactNotFound)
                await queue.FailItemAsync(item, "the contact no longer exists", stopping);
            else if (outcome is EnrichmentOutcome.ConsentRequired)
                await queue.FailItemAsync(item, "personal email needs the workspace's consent", stopping);
            else if (outcome is EnrichmentOutcome.Fenced)
                logger.LogInformation("Job item {Item} lost its lease before committing; another worker will take it", item.Id);
        }
        catch (Exception e) when (lease.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping (the commit batches may already be closed), or the lease was lost: the item stays claimable and its
            // lease runs out.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job item {Item} of job {Job} failed", item.Id, job.Id);
            await queue.FailItemAsync(item, "the record could not be processed", CancellationToken.None);
        }
        finally
        {
            await lease.CancelAsync();
            await renewal;
        }
    }

    /// <summary>
    /// One item's commit, inside its batch's transaction: the lease fence (a reclaimed item or a cancelled job commits
    /// nothing), the settlement of its run, the item's record (its job's counters follow once per batch), its listeners.
    /// </summary>
    private async Task<EnrichmentOutcome> CommitAsync(CommitBatch batch, JobItem item, Job job, EnrichmentService.PendingEnrichment pending,
        CancellationToken ct)
    {
        if (!await JobQueue.HoldsLeaseAsync(batch.Db, item, ct)) return new EnrichmentOutcome.Fenced();
        if (pending is { Answered: null, AwaitsLater: true })
            // A vendor answer that came after the run's deadline but before this commit finishes the item (DESIGN §5.4).
            pending.AddLate(await lateAnswers.TakeForItemInAsync(batch.Db, item.Id, pending.MinConfidence, ct));
        var settled = pending.Answered ?? await pending.SettleInAsync(batch, ct);
        if (settled is not EnrichmentOutcome.Done done) return new EnrichmentOutcome.ContactNotFound();
        await queue.RecordItemAsync(batch, item, JobItemStatus.Done, JsonSerializer.Serialize(ItemResult.Of(done)),
            done.Charged, done.Run.Found.Count > 0, done.EnrichmentId, done.Contact?.Id, null, ct);
        foreach (var listener in listeners.Where(l => l.Kind == job.Kind))
            await listener.OnItemDoneAsync(batch.Db, job, item, done, ct);
        return done;
    }

    private async Task RenewWhileRunningAsync(JobItem item, CancellationTokenSource lease)
    {
        var every = TimeSpan.FromSeconds(options.LeaseSeconds / 3.0);
        try
        {
            while (!lease.IsCancellationRequested)
            {
                await Task.Delay(every, time, lease.Token);
                if (!await queue.RenewAsync(item, lease.Token))
                {
                    await lease.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Renewing the lease of job item {Item} failed", item.Id);
        }
    }
}
