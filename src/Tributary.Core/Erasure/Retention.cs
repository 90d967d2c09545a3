using Microsoft.Extensions.Logging;
using Tributary.Core.Jobs;
using Tributary.Core.Storage;

namespace Tributary.Core.Erasure;

/// <summary>How long personal data is kept (DESIGN §4, §12): unset keeps it.</summary>
public sealed class RetentionOptions : IValidatedOptions
{
    public static string Section => "Tributary:Retention";

    /// <summary>Days after a job ends that its items' inputs and results, and the webhook messages of its time, are kept.</summary>
    public int? JobResultsDays { get; set; }
    /// <summary>Days an enrichment trace is kept.</summary>
    public int? TraceDays { get; set; }

    public IEnumerable<string> Validate()
    {
        if (JobResultsDays is < 1 or > 36_500) yield return "Tributary:Retention:JobResultsDays must be from 1 to 36500 (or unset to keep)";
        if (TraceDays is < 1 or > 36_500) yield return "Tributary:Retention:TraceDays must be from 1 to 36500 (or unset to keep)";
    }
}

/// <summary>
/// Deletes personal data older than <see cref="RetentionOptions"/> allow: job items of jobs that ended before the cut
/// are redacted as <see cref="JobItemStatus.Erased"/> (the rows stay, so the jobs' counts hold), webhook messages created
/// before it are deleted with their attempts, and traces older than their cut are deleted. In batches of
/// <see cref="Batch"/> rows, one transaction each, so a sweep never holds SQLite's write lock for long.
/// </summary>
public sealed class RetentionSweep(TributaryDbFactory dbs, RetentionOptions options, ILogger<RetentionSweep> log)
{
    public const int Batch = 1000;

    public bool Enabled => options.JobResultsDays is not null || options.TraceDays is not null;

    /// <summary>One sweep as of <paramref name="now"/>; returns the rows redacted or deleted.</summary>
    public async Task<long> SweepAsync(DateTime now, CancellationToken ct)
    {
        long total = 0;
        if (options.JobResultsDays is { } jobDays)
        {
            var cut = now.AddDays(-jobDays);
            total += await RepeatAsync(db => Sql.ExecuteAsync(db, $$"""
                UPDATE job_items SET status = {0}, input_json = {1}, raw_json = NULL, result_json = NULL, error = NULL, contact_id = NULL
                WHERE seq IN (
                    SELECT i.seq FROM job_items i JOIN jobs j ON j.id = i.job_id
                    WHERE j.finished_at < {2} AND i.status <> {0}
                    LIMIT {{Batch}})
                """, [JobItemStatus.Erased, "{}", cut], ct), ct);
            total += await RepeatAsync(async db =>
            {
                var ids = await Sql.QueryAsync(db, $"SELECT id FROM webhook_messages WHERE created_at < {{0}} AND status <> {{1}} LIMIT {Batch}",
                    [cut, Webhooks.WebhookStatus.Pending], r => r.GetGuid(0), ct);
                if (ids.Count == 0) return 0;
                await Sql.ExecuteAsync(db, $"DELETE FROM webhook_attempts WHERE message_id IN ({Sql.InList(ids.Count)})", [.. ids.Select(i => (object?)i)], ct);
                return await Sql.ExecuteAsync(db, $"DELETE FROM webhook_messages WHERE id IN ({Sql.InList(ids.Count)})", [.. ids.Select(i => (object?)i)], ct);
            }, ct);
        }
        if (options.TraceDays is { } traceDays)
        {
            var cut = now.AddDays(-traceDays);
            total += await RepeatAsync(db => Sql.ExecuteAsync(db,
                $"DELETE FROM enrichments WHERE id IN (SELECT id FROM enrichments WHERE created_at < {{0}} LIMIT {Batch})", [cut], ct), ct);
        }
        if (total > 0) log.LogInformation("Retention: {Rows} rows of old personal data redacted or deleted", total);
        return total;
    }

    private async Task<long> RepeatAsync(Func<TributaryDb, Task<int>> batch, CancellationToken ct)
    {
        long total = 0;
        while (true)
        {
            await using var db = dbs.Create();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var rows = await batch(db);
            await tx.CommitAsync(ct);
            total += rows;
            if (rows < Batch) return total;
        }
    }
}
