using System.Threading.Channels;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Enrichment;

/// <summary>
/// Traces of fully cached answers, written in one batch at most a second later (DESIGN §11): such an answer changes
/// nothing else, so it needs no transaction of its own, and a thousand of them cost one insert instead of a thousand
/// commits on the database's write lock. A trace lost to a crash within that second loses no result and no credit.
/// </summary>
public sealed class TraceBatch(TributaryDbFactory dbs) : IDelayedWrites
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);
    private const int MaxBatch = 1000;
    private readonly Channel<EnrichmentRecord> _pending = Channel.CreateUnbounded<EnrichmentRecord>(new UnboundedChannelOptions { SingleReader = true });

    string IDelayedWrites.What => "the traces of cached answers";
    TimeSpan IDelayedWrites.MaxDelay => MaxDelay;
    Task IDelayedWrites.FlushAsync(CancellationToken ct) => FlushAsync(ct);

    public void Enqueue(EnrichmentRecord record) => _pending.Writer.TryWrite(record);

    /// <summary>Waits until a trace is queued (or <paramref name="ct"/> fires).</summary>
    public ValueTask<bool> WaitAsync(CancellationToken ct) => _pending.Reader.WaitToReadAsync(ct);

    /// <summary>Writes what is queued, in batches; returns how many were written.</summary>
    public async Task<int> FlushAsync(CancellationToken ct)
    {
        var written = 0;
        var batch = new List<EnrichmentRecord>(MaxBatch);
        while (true)
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var record)) batch.Add(record);
            if (batch.Count == 0) return written;
            await using var db = dbs.Create();
            await InsertAsync(db, batch, ct);
            written += batch.Count;
            batch.Clear();
        }
    }

    /// <summary>Inserts traces in one run of <see cref="Sql.InsertRowsAsync"/> (no change tracking: they are only added).</summary>
    public static Task InsertAsync(TributaryDb db, IReadOnlyList<EnrichmentRecord> records, CancellationToken ct) =>
        Sql.InsertRowsAsync<int>(db, "INSERT INTO enrichments (id, workspace_id, surface, created_at, trace_json)", "", 5,
            records.SelectMany(r => new object?[] { r.Id, r.WorkspaceId, r.Surface, r.CreatedAt, r.TraceJson }).ToList(), null, ct);
}
