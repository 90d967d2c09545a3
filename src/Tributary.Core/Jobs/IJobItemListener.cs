using Tributary.Core.Enrichment;
using Tributary.Core.Storage;

namespace Tributary.Core.Jobs;

/// <summary>
/// Something a surface does when one of its job items commits (e.g. queue a webhook), inside the same transaction as
/// the item's result and charge, so it happens exactly when the item's result lands.
/// </summary>
public interface IJobItemListener
{
    /// <summary>The job kind this listener serves.</summary>
    string Kind { get; }

    Task OnItemDoneAsync(TributaryDb db, Job job, JobItem item, EnrichmentOutcome.Done done, CancellationToken ct);
}
