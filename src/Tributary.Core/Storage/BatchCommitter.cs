using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Tributary.Core.Storage;

/// <summary>
/// A write that many units of one batch add to and that is applied once, just before the batch commits (a job's counters,
/// the charges against one reservation). Lower <see cref="Order"/> flushes first.
/// </summary>
public interface IDeferredWrite
{
    int Order { get; }
    Task FlushAsync(TributaryDb db, CancellationToken ct);
}

/// <summary>The transaction one batch of units shares, with the deferred writes they added to.</summary>
public sealed class CommitBatch(TributaryDb db)
{
    private readonly Dictionary<Type, IDeferredWrite> _deferred = [];

    public TributaryDb Db { get; } = db;

    /// <summary>The batch's one accumulator of this kind, created on first use.</summary>
    public T Deferred<T>() where T : class, IDeferredWrite, new()
    {
        if (!_deferred.TryGetValue(typeof(T), out var write)) _deferred[typeof(T)] = write = new T();
        return (T)write;
    }

    internal async Task FlushAsync(CancellationToken ct)
    {
        foreach (var write in _deferred.Values.OrderBy(w => w.Order)) await write.FlushAsync(Db, ct);
    }
}

/// <summary>
/// Commits settlements (an enrichment's write-back, charge, cache and trace; a job item's fence and record) in batches:
/// whatever is queued while a batch commits goes into the next one, so one transaction carries many units and a job's
/// counters and a reservation's charges are written once per batch instead of once per item. Measured on SQLite, 64 job
/// workers committing alone each took the file's single write lock per item and spent most of their time sleeping on
/// SQLITE_BUSY (58 records/s against a provider bound of 1,280). A batch that fails is retried unit by unit, each alone,
/// so one bad unit fails only itself; every unit must therefore keep its effects inside the database until it commits.
/// </summary>
public sealed class BatchCommitter : IAsyncDisposable
{
    /// <summary>Units per transaction at most: enough to carry a full round of job workers, small enough to keep locks short.</summary>
    public const int MaxBatch = 128;

    private readonly TributaryDbFactory _dbs;
    private readonly ILogger<BatchCommitter> _logger;
    private readonly Channel<Unit> _queue = Channel.CreateUnbounded<Unit>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _lanes;

    public BatchCommitter(TributaryDbFactory dbs, ILogger<BatchCommitter> logger)
    {
        _dbs = dbs;
        _logger = logger;
        // SQLite has one write lock per file: one lane. PostgreSQL commits batches of unrelated rows side by side.
        var lanes = HoldsTheOnlyWriteLock ? 1 : 4;
        _lanes = Enumerable.Range(0, lanes).Select(_ => Task.Run(RunLaneAsync)).ToArray();
    }

    /// <summary>
    /// True where the database has one write lock (SQLite): there, every frequent write goes through the batches, so that
    /// writers queue here, awaiting, instead of sleeping on the lock in SQLite's busy handler (up to 100 ms a try).
    /// </summary>
    public bool HoldsTheOnlyWriteLock => _dbs.Provider == DatabaseProvider.Sqlite;

    /// <summary>
    /// Runs <paramref name="work"/> inside the transaction of the next batch and returns its result once that batch
    /// committed. The caller's cancellation does not withdraw a unit already queued: it may be committing.
    /// </summary>
    public Task<T> CommitAsync<T>(Func<CommitBatch, CancellationToken, Task<T>> work)
    {
        var unit = new Unit<T>(work);
        if (!_queue.Writer.TryWrite(unit)) throw new ObjectDisposedException(nameof(BatchCommitter));
        return unit.Result.Task;
    }

    private async Task RunLaneAsync()
    {
        var batch = new List<Unit>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var unit)) batch.Add(unit);
            if (batch.Count == 0) continue;
            try
            {
                if (!await TryCommitAsync(batch) && batch.Count > 1)
                    foreach (var unit in batch) await TryCommitAsync([unit]);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "A commit batch failed outside its units");
                foreach (var unit in batch) unit.Fail(e);
            }
            batch.Clear();
        }
    }

    /// <summary>Runs the units in one transaction; on success completes them all, on failure completes none (unless alone).</summary>
    private async Task<bool> TryCommitAsync(List<Unit> units)
    {
        var ct = CancellationToken.None;
        await using var db = _dbs.Create();
        // A failed unit fails its whole batch (which is then retried unit by unit), so EF's savepoint around each
        // SaveChanges would only add two round trips per unit.
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var batch = new CommitBatch(db);
            foreach (var unit in units)
            {
                await unit.RunAsync(batch, ct);
                // Each unit reads what it writes through the database, not through entities another unit left tracked.
                db.ChangeTracker.Clear();
            }
            await batch.FlushAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception e)
        {
            if (units.Count == 1) units[0].Fail(e);
            else _logger.LogWarning(e, "A batch of {Count} settlements failed; committing them one by one", units.Count);
            return false;
        }
        foreach (var unit in units) unit.Complete();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_lanes);
    }

    private abstract class Unit
    {
        public abstract Task RunAsync(CommitBatch batch, CancellationToken ct);
        public abstract void Complete();
        public abstract void Fail(Exception e);
    }

    private sealed class Unit<T>(Func<CommitBatch, CancellationToken, Task<T>> work) : Unit
    {
        private T? _value;
        public TaskCompletionSource<T> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync(CommitBatch batch, CancellationToken ct) => _value = await work(batch, ct);
        public override void Complete() => Result.TrySetResult(_value!);
        public override void Fail(Exception e) => Result.TrySetException(e);
    }
}

/// <summary>
/// The rows a batch only adds (ledger entries, enrichment traces), inserted with one multi-row statement per table when
/// the batch flushes instead of one change-tracked save per unit.
/// </summary>
public sealed class BatchInserts : IDeferredWrite
{
    private readonly List<Credits.LedgerEntry> _entries = [];
    private readonly List<Waterfall.EnrichmentRecord> _records = [];

    public int Order => -1;

    public void Add(Credits.LedgerEntry entry) => _entries.Add(entry);
    public void Add(Waterfall.EnrichmentRecord record) => _records.Add(record);

    public async Task FlushAsync(TributaryDb db, CancellationToken ct)
    {
        await Credits.Ledger.InsertAsync(db, _entries, ct);
        await Enrichment.TraceBatch.InsertAsync(db, _records, ct);
    }
}
