using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Credits;
using Tributary.Core.Enrichment;
using Tributary.Core.Idempotency;
using Tributary.Core.Providers;
using Tributary.Core.Storage;

namespace Tributary.Core.Jobs;

/// <param name="Idempotency">The request's idempotency claim, marked done with the job in the transaction that accepts it.</param>
public sealed record NewJob(Guid WorkspaceId, string Kind, IReadOnlyList<string> Channels, string OptionsJson = "{}",
    Guid? CreatedByKeyId = null, bool Discover = false, string? Name = null, IdempotencyScope? Idempotency = null);

/// <summary>One record of a new job; <paramref name="ContactId"/> names the stored contact to enrich, when there is one.</summary>
public sealed record NewItem(IReadOnlyDictionary<string, JsonElement> Known, string? RawJson = null, Guid? ContactId = null)
{
    /// <summary>The item's id, when the caller needs to know it before the item exists (a record that points to it).</summary>
    public Guid? ItemId { get; init; }
}

public abstract record CreateJobOutcome
{
    public sealed record Created(Job Job) : CreateJobOutcome;
    public sealed record InsufficientCredits(long Needed, long Available) : CreateJobOutcome;
}

/// <summary>
/// Durable jobs (DESIGN §8): items are stored, then credits for all of them reserved at once, before a job is accepted;
/// workers claim items under leases (PostgreSQL: FOR UPDATE SKIP LOCKED), and every commit is fenced by the lease, so
/// a reclaimed item can never be stored or charged twice.
/// </summary>
public sealed class JobQueue(TributaryDbFactory dbs, Ledger ledger, Pricing pricing, ProviderRegistry providers, JobOptions options,
    BatchCommitter committer, TimeProvider time)
{
    public const int InsertBatch = 1000;

    /// <summary>
    /// A batch also goes in once its texts reach this many characters: a thousand records of 4 KB each, held as strings
    /// and then bound as UTF-8, ran a server with an 80 MB heap limit out of memory under CI load (and one with 48 MB in
    /// one run of ten here); with this bound a server with 36 MB takes the same body.
    /// </summary>
    private const long InsertBatchChars = 256 * 1024;
    public const string EveryItemFailed = "No record of this job could be processed; nothing was charged";

    /// <summary>The most one item of these channels can cost (what is reserved per item).</summary>
    public long MaxItemPrice(IReadOnlyList<string> channels, bool discover) =>
        pricing.PriceOf(channels.Where(c => providers.OrderFor(c).Count > 0), discover);

    /// <summary>Streams the items into the database, then reserves their maximum cost all or nothing and queues the job.</summary>
    public async Task<CreateJobOutcome> CreateAsync(NewJob spec, IAsyncEnumerable<NewItem> items, CancellationToken ct)
    {
        if (await AcceptedBeforeAsync(spec, ct) is { } accepted) return accepted;
        var job = new Job
        {
            Id = Guid.CreateVersion7(), WorkspaceId = spec.WorkspaceId, Kind = spec.Kind, ChannelsJson = JsonSerializer.Serialize(spec.Channels),
            OptionsJson = spec.OptionsJson, CreatedByKeyId = spec.CreatedByKeyId, Name = spec.Name, CreatedAt = Now(),
        };
        await using (var db = dbs.Create())
        {
            db.Jobs.Add(job);
            await db.SaveChangesAsync(ct);
        }
        var count = 0;
        try
        {
            var batch = new List<JobItem>(InsertBatch);
            long chars = 0;
            await foreach (var item in items.WithCancellation(ct))
            {
                var stored = ItemOf(job, item, count++);
                batch.Add(stored);
                chars += stored.InputJson.Length + (stored.RawJson?.Length ?? 0);
                if (batch.Count == InsertBatch || chars >= InsertBatchChars)
                {
                    await InsertAsync(batch, ct);
                    chars = 0;
                }
            }
            if (batch.Count > 0) await InsertAsync(batch, ct);
            return await AcceptAsync(job, count, MaxItemPrice(spec.Channels, spec.Discover) * count, spec.Idempotency, ct);
        }
        catch
        {
            await DiscardAsync(job.Id, CancellationToken.None);
            throw;
        }
    }

    public Task<CreateJobOutcome> CreateAsync(NewJob spec, IReadOnlyList<NewItem> items, CancellationToken ct) =>
        CreateAsync(spec, items.ToAsyncEnumerable(), ct);

    public TributaryDb NewDb() => dbs.Create();

    /// <summary>
    /// Creates a small job in one transaction: the job row, then <paramref name="itemsFor"/> (which may claim rows of its own
    /// in the same transaction and decides which items exist), the items, and their credit reservation. Nothing of it
    /// stays when the credits are too few or no item is left; a job with no item is not created.
    /// </summary>
    public async Task<CreateJobOutcome?> CreateAtomicallyAsync(NewJob spec, Func<TributaryDb, Guid, Task<List<NewItem>>> itemsFor,
        CancellationToken ct)
    {
        if (await AcceptedBeforeAsync(spec, ct) is { } accepted) return accepted;
        await using var db = dbs.Create();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var job = new Job
            {
                Id = Guid.CreateVersion7(), WorkspaceId = spec.WorkspaceId, Kind = spec.Kind, ChannelsJson = JsonSerializer.Serialize(spec.Channels),
                OptionsJson = spec.OptionsJson, CreatedByKeyId = spec.CreatedByKeyId, Name = spec.Name, CreatedAt = Now(), Status = JobStatus.Queued,
            };
            db.Jobs.Add(job);
            await db.SaveChangesAsync(ct);
            var items = await itemsFor(db, job.Id);
            if (items.Count == 0)
            {
                await tx.RollbackAsync(ct);
                return null;
            }
            var maxCost = MaxItemPrice(spec.Channels, spec.Discover) * items.Count;
            if (maxCost > 0)
            {
                var reserved = await ledger.ReserveAsync(db, job.WorkspaceId, maxCost, $"job {job.Id}: {items.Count} records", job.Id, ct);
                if (reserved is ReserveOutcome.Insufficient insufficient)
                {
                    await tx.RollbackAsync(ct);
                    return new CreateJobOutcome.InsufficientCredits(insufficient.Needed, insufficient.Available);
                }
                job.ReservationId = ((ReserveOutcome.Reserved)reserved).ReservationId;
            }
            db.JobItems.AddRange(items.Select((item, position) => ItemOf(job, item, position)));
            (job.Total, job.ReservedCredits) = (items.Count, maxCost);
            await db.SaveChangesAsync(ct);
            if (spec.Idempotency is not null) await IdempotencyStore.MarkDoneInAsync(db, spec.Idempotency, job.Id, ct);
            await tx.CommitAsync(ct);
            return (CreateJobOutcome)new CreateJobOutcome.Created(job);
        });
    }

    /// <summary>
    /// Stores a record that was enriched synchronously as a finished one-item job, so that it can be read like an
    /// asynchronous one (seed 003's synchronous host); the run itself was settled by the enrichment. Saved on
    /// <paramref name="db"/>, in whatever transaction the caller holds. Returns the item.
    /// </summary>
    public async Task<(Job Job, JobItem Item)> RecordFinishedAsync(TributaryDb db, NewJob spec, NewItem item, EnrichmentOutcome.Done done,
        CancellationToken ct)
    {
        var now = Now();
        var result = ItemResult.Of(done);
        var job = new Job
        {
            Id = Guid.CreateVersion7(), WorkspaceId = spec.WorkspaceId, Kind = spec.Kind, ChannelsJson = JsonSerializer.Serialize(spec.Channels),
            OptionsJson = spec.OptionsJson, CreatedByKeyId = spec.CreatedByKeyId, Name = spec.Name, CreatedAt = now, StartedAt = now, FinishedAt = now,
            Status = JobStatus.Succeeded, Total = 1, Processed = 1, Succeeded = result.Channels.Count > 0 ? 1 : 0, Charged = done.Charged,
        };
        var stored = ItemOf(job, item, 0);
        (stored.Status, stored.ResultJson, stored.Charged, stored.EnrichmentId, stored.ContactId, stored.FinishedAt) =
            (JobItemStatus.Done, JsonSerializer.Serialize(result), done.Charged, done.EnrichmentId, done.Contact?.Id, now);
        db.Jobs.Add(job);
        db.JobItems.Add(stored);
        await db.SaveChangesAsync(ct);
        return (job, stored);
    }

    private static JobItem ItemOf(Job job, NewItem item, int position) => new()
    {
        Id = item.ItemId ?? Guid.CreateVersion7(), JobId = job.Id, WorkspaceId = job.WorkspaceId, Position = position,
        InputJson = JsonSerializer.Serialize(item.Known), RawJson = item.RawJson, ContactId = item.ContactId,
    };

    /// <summary>A thousand items in one set-based insert: EF's change tracking held each batch twice and cost most of the time.</summary>
    private async Task InsertAsync(List<JobItem> batch, CancellationToken ct)
    {
        await using var db = dbs.Create();
        // One transaction per thousand: without it SQLite would commit each row on its own.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await Sql.InsertManyAsync(db, batch, ct);
        await tx.CommitAsync(ct);
        batch.Clear();
    }

    /// <summary>
    /// A retry that took over the idempotency claim of a request whose process died after accepting its job gets that job,
    /// so a crash never makes a second one.
    /// </summary>
    private async Task<CreateJobOutcome?> AcceptedBeforeAsync(NewJob spec, CancellationToken ct)
    {
        if (spec.Idempotency?.Settled is not { } jobId) return null;
        await using var db = dbs.Create();
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.WorkspaceId == spec.WorkspaceId, ct);
        return job is null ? null : new CreateJobOutcome.Created(job);
    }

    private async Task<CreateJobOutcome> AcceptAsync(Job job, int count, long maxCost, IdempotencyScope? idempotency, CancellationToken ct)
    {
        await using var db = dbs.Create();
        var strategy = db.Database.CreateExecutionStrategy();
        var outcome = await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            Guid? reservation = null;
            if (maxCost > 0)
            {
                var reserved = await ledger.ReserveAsync(db, job.WorkspaceId, maxCost, $"job {job.Id}: {count} records", job.Id, ct);
                if (reserved is ReserveOutcome.Insufficient insufficient)
                    return (CreateJobOutcome)new CreateJobOutcome.InsufficientCredits(insufficient.Needed, insufficient.Available);
                reservation = ((ReserveOutcome.Reserved)reserved).ReservationId;
            }
            var now = Now();
            var status = count == 0 ? JobStatus.Succeeded : JobStatus.Queued;
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, status).SetProperty(j => j.Total, count).SetProperty(j => j.ReservationId, reservation)
                .SetProperty(j => j.ReservedCredits, maxCost).SetProperty(j => j.FinishedAt, count == 0 ? now : null), ct);
            if (idempotency is not null) await IdempotencyStore.MarkDoneInAsync(db, idempotency, job.Id, ct);
            await tx.CommitAsync(ct);
            (job.Status, job.Total, job.ReservationId, job.ReservedCredits) = (status, count, reservation, maxCost);
            return new CreateJobOutcome.Created(job);
        });
        if (outcome is CreateJobOutcome.InsufficientCredits) await DiscardAsync(job.Id, ct);
        return outcome;
    }

    private async Task DiscardAsync(Guid jobId, CancellationToken ct)
    {
        await using var db = dbs.Create();
        await db.JobItems.Where(i => i.JobId == jobId).ExecuteDeleteAsync(ct);
        await db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Preparing).ExecuteDeleteAsync(ct);
    }

    /// <summary>Claims up to <paramref name="max"/> items that are pending or whose lease ran out, for <paramref name="owner"/>.</summary>
    public async Task<List<(JobItem Item, Job Job)>> ClaimAsync(string owner, int max, CancellationToken ct)
    {
        if (max <= 0) return [];
        var token = Guid.NewGuid();
        var now = Now();
        var expires = now.AddSeconds(options.LeaseSeconds);
        await using var db = dbs.Create();
        // A read first, so an idle worker's poll writes nothing (and takes no SQLite write lock).
        if (!await db.JobItems.AnyAsync(i => (i.Status == JobItemStatus.Pending || (i.Status == JobItemStatus.Running && i.LeaseExpiresAt < now))
                                             && db.Jobs.Any(j => j.Id == i.JobId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing)), ct))
            return [];
        return committer.HoldsTheOnlyWriteLock
            ? await committer.CommitAsync((batch, batchCt) => ClaimInAsync(batch.Db, owner, token, now, expires, max, batchCt))
            : await ClaimInAsync(db, owner, token, now, expires, max, ct);
    }

    /// <summary>
    /// The claim itself: one statement that leases the items and returns them whole, then the jobs they belong to. Plain
    /// SQL rather than LINQ: on SQLite every claim is a unit of the commit lane, and measured with perf (64 workers, one
    /// 50 ms provider) the LINQ version's query compilation and its second read of the items were a quarter of that
    /// lane's CPU, which the lane, the one writer, spends for everyone.
    /// </summary>
    private static async Task<List<(JobItem Item, Job Job)>> ClaimInAsync(TributaryDb db, string owner, Guid token, DateTime now, DateTime expires,
        int max, CancellationToken ct)
    {
        var skipLocked = db.Provider == DatabaseProvider.Postgres ? "FOR UPDATE OF i SKIP LOCKED" : "";
        var items = await Sql.ReturningEntitiesAsync<JobItem>(db, $$"""
            UPDATE job_items SET status = 'running', lease_owner = {0}, lease_token = {1}, lease_expires_at = {2}, attempts = attempts + 1
            WHERE seq IN (
                SELECT i.seq FROM job_items i JOIN jobs j ON j.id = i.job_id
                WHERE j.status IN ('queued', 'processing')
                  AND (i.status = 'pending' OR (i.status = 'running' AND i.lease_expires_at < {3}))
                ORDER BY i.seq LIMIT {4}
                {{skipLocked}})
            """, [owner, token, expires, now, max], ct);
        if (items.Count == 0) return [];
        items.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        var jobIds = items.Select(i => i.JobId).Distinct().ToList();
        foreach (var jobId in jobIds)
            await Sql.ExecuteAsync(db, $"UPDATE jobs SET status = {JobStatus.Processing}, started_at = {now} WHERE id = {jobId} AND status = {JobStatus.Queued}", ct);
        var jobs = await db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
        return items.Select(i => (i, jobs[i.JobId])).ToList();
    }

    /// <summary>
    /// At shutdown: gives back the items this owner still holds, so that another process takes them at once instead of
    /// after their lease; the attempt is not counted, as the run was stopped, not failed.
    /// </summary>
    public async Task<int> ReleaseAsync(string owner, CancellationToken ct)
    {
        await using var db = dbs.Create();
        return await Sql.ExecuteAsync(db, $"""
            UPDATE job_items SET status = 'pending', lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
                attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
            WHERE lease_owner = {owner} AND status = 'running'
            """, ct);
    }

    /// <summary>Extends a running item's lease; false when the lease was lost (expired and reclaimed, or the job cancelled).</summary>
    public async Task<bool> RenewAsync(JobItem item, CancellationToken ct)
    {
        var expires = Now().AddSeconds(options.LeaseSeconds);
        await using var db = dbs.Create();
        return await db.JobItems
            .Where(i => i.Seq == item.Seq && i.LeaseOwner == item.LeaseOwner && i.LeaseToken == item.LeaseToken && i.Status == JobItemStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LeaseExpiresAt, expires), ct) == 1;
    }

    /// <summary>
    /// Inside the committing transaction: true while the item is still this worker's and its job still runs. The update
    /// takes the item's row lock (PostgreSQL), so a reclaim cannot slip in between the check and the commit.
    /// </summary>
    public static async Task<bool> HoldsLeaseAsync(TributaryDb db, JobItem item, CancellationToken ct) =>
        await Sql.ExecuteAsync(db, $"""
            UPDATE job_items SET attempts = attempts
            WHERE seq = {item.Seq} AND lease_owner = {item.LeaseOwner} AND lease_token = {item.LeaseToken} AND status = 'running'
              AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = job_items.job_id AND j.status IN ('queued', 'processing'))
            """, ct) == 1;

    /// <summary>Inside the committing transaction: stores the item's end and counts it on its job; ends the job with its last item.</summary>
    private async Task RecordItemAsync(TributaryDb db, JobItem item, string status, string? resultJson, long charged, bool found,
        Guid? enrichmentId, Guid? contactId, string? error, CancellationToken ct)
    {
        await StoreItemEndAsync(db, item, status, resultJson, charged, enrichmentId, contactId, error, ct);
        await CountAsync(db, item.JobId, ItemCounts.One(status, found, charged), ct);
    }

    /// <summary>
    /// Inside a commit batch: stores the item's end now and counts it on its job when the batch flushes, once per job
    /// (<see cref="JobCounts"/>).
    /// </summary>
    public Task RecordItemAsync(CommitBatch batch, JobItem item, string status, string? resultJson, long charged, bool found,
        Guid? enrichmentId, Guid? contactId, string? error, CancellationToken ct)
    {
        batch.Deferred<JobCounts>().Add(this, item.JobId, ItemCounts.One(status, found, charged));
        return StoreItemEndAsync(batch.Db, item, status, resultJson, charged, enrichmentId, contactId, error, ct);
    }

    private Task<int> StoreItemEndAsync(TributaryDb db, JobItem item, string status, string? resultJson, long charged,
        Guid? enrichmentId, Guid? contactId, string? error, CancellationToken ct)
    {
        var now = Now();
        return Sql.ExecuteAsync(db, $"""
            UPDATE job_items SET status = {status}, result_json = {resultJson}, charged = {charged}, enrichment_id = {enrichmentId},
                contact_id = {contactId}, error = {error}, finished_at = {now}, lease_owner = NULL, lease_expires_at = NULL
            WHERE seq = {item.Seq}
            """, ct);
    }

    /// <summary>Adds finished items to their job's counters; the job ends with its last item and gives back what it did not use.</summary>
    internal async Task CountAsync(TributaryDb db, Guid jobId, ItemCounts counts, CancellationToken ct)
    {
        var now = Now();
        await Sql.ExecuteAsync(db, $"""
            UPDATE jobs SET processed = processed + {counts.Processed}, succeeded = succeeded + {counts.Succeeded},
                failed = failed + {counts.Failed}, charged = charged + {counts.Charged}
            WHERE id = {jobId}
            """, ct);
        // A job succeeds once every item is processed, whatever was found; it fails only when no item could be processed.
        var finished = await Sql.ExecuteAsync(db, $"""
            UPDATE jobs SET status = CASE WHEN failed >= total THEN {JobStatus.Failed} ELSE {JobStatus.Succeeded} END,
                error = CASE WHEN failed >= total THEN {EveryItemFailed} ELSE error END, finished_at = {now}
            WHERE id = {jobId} AND status IN ('queued', 'processing') AND processed >= total
            """, ct);
        if (finished == 1) await ReleaseAsync(db, jobId, "job finished", ct);
    }

    /// <summary>Ends an item that cannot be processed (bad input, or given up after repeated attempts), fenced like any commit.</summary>
    public async Task<bool> FailItemAsync(JobItem item, string error, CancellationToken ct)
    {
        await using var db = dbs.Create();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!await HoldsLeaseAsync(db, item, ct)) return false;
            await RecordItemAsync(db, item, JobItemStatus.Failed, null, 0, false, null, null, error, ct);
            await tx.CommitAsync(ct);
            return true;
        });
    }

    /// <summary>Cancels a job of the workspace: pending items are dropped, in-flight ones cannot commit, unused credits return.</summary>
    public async Task<Job?> CancelAsync(Guid workspaceId, Guid jobId, CancellationToken ct)
    {
        // A cancel takes all of a job's open items while a commit batch may hold some of them and wait for others, so
        // PostgreSQL can end either transaction as a deadlock: the batch then commits unit by unit (and the cancelled
        // items fail their fence); the cancel simply runs again.
        return await Deadlocks.RetryAsync(() => CancelOnceAsync(workspaceId, jobId, ct), ct);
    }

    private async Task<Job?> CancelOnceAsync(Guid workspaceId, Guid jobId, CancellationToken ct)
    {
        await using var db = dbs.Create();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = Now();
            var exists = await db.Jobs.AnyAsync(j => j.Id == jobId && j.WorkspaceId == workspaceId
                                                    && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing), ct);
            if (exists)
            {
                // Items first, then the job: a committing worker locks its item, then the job, so taking them in the same
                // order means the two wait for each other instead of deadlocking. An item whose worker commits first
                // simply stays done; one we cancel first fails that worker's fence.
                await db.JobItems.Where(i => i.JobId == jobId && (i.Status == JobItemStatus.Pending || i.Status == JobItemStatus.Running))
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, JobItemStatus.Cancelled).SetProperty(i => i.LeaseOwner, (string?)null), ct);
                // A commit batch moves the reservation and the account before the job's counters (the job's end may
                // release what is left); locking them here in that order too keeps a cancel and a batch from
                // deadlocking on PostgreSQL (seen as a 500 on cancel while the job's items committed).
                if (db.Provider == DatabaseProvider.Postgres
                    && await db.Jobs.Where(j => j.Id == jobId).Select(j => j.ReservationId).FirstAsync(ct) is { } reservation)
                {
                    await Sql.ExecuteAsync(db, $"SELECT 1 FROM credit_reservations WHERE id = {reservation} FOR UPDATE", ct);
                    await Sql.ExecuteAsync(db, $"SELECT 1 FROM credit_accounts WHERE workspace_id = {workspaceId} FOR UPDATE", ct);
                }
                var cancelled = await db.Jobs
                    .Where(j => j.Id == jobId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing))
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Cancelled).SetProperty(j => j.FinishedAt, now), ct);
                if (cancelled == 1) await ReleaseAsync(db, jobId, "job cancelled", ct);
            }
            await tx.CommitAsync(ct);
            return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.WorkspaceId == workspaceId, ct);
        });
    }

    private async Task ReleaseAsync(TributaryDb db, Guid jobId, string reason, CancellationToken ct)
    {
        var reservation = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.ReservationId).FirstAsync(ct);
        if (reservation is { } r) await ledger.ReleaseAsync(db, r, $"job {jobId}: {reason}", ct);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}

internal readonly record struct ItemCounts(int Processed, int Succeeded, int Failed, long Charged)
{
    /// <summary>What one item that ended with <paramref name="status"/> adds to its job.</summary>
    public static ItemCounts One(string status, bool found, long charged) =>
        new(1, found ? 1 : 0, status == JobItemStatus.Failed ? 1 : 0, charged);

    public ItemCounts Plus(ItemCounts other) =>
        new(Processed + other.Processed, Succeeded + other.Succeeded, Failed + other.Failed, Charged + other.Charged);
}

/// <summary>The items of one commit batch counted per job, applied once per job after the charges (which the job's end may release).</summary>
public sealed class JobCounts : IDeferredWrite
{
    private readonly SortedDictionary<Guid, ItemCounts> _byJob = [];
    private JobQueue? _queue;

    public int Order => 1;

    internal void Add(JobQueue queue, Guid jobId, ItemCounts counts)
    {
        _queue = queue;
        _byJob[jobId] = _byJob.TryGetValue(jobId, out var sum) ? sum.Plus(counts) : counts;
    }

    public async Task FlushAsync(TributaryDb db, CancellationToken ct)
    {
        foreach (var (jobId, counts) in _byJob) await _queue!.CountAsync(db, jobId, counts, ct);
    }
}
