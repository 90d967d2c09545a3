using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Jobs;

/// <summary>
/// Reads of jobs and their items, for the surfaces that show them in their own shapes. Every write goes through
/// <see cref="JobQueue"/>.
/// </summary>
public static class JobReads
{
    /// <summary>A job of the workspace, made by the given surface (<see cref="Job.Kind"/>); null when there is none.</summary>
    public static Task<Job?> FindAsync(TributaryDb db, Guid workspaceId, Guid jobId, string kind, CancellationToken ct) =>
        db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.WorkspaceId == workspaceId && j.Kind == kind, ct);

    /// <summary>A job known to exist (found through one of its items, or just created).</summary>
    public static Task<Job> GetAsync(TributaryDb db, Guid jobId, CancellationToken ct) =>
        db.Jobs.AsNoTracking().FirstAsync(j => j.Id == jobId, ct);

    /// <summary>Jobs known to exist, by id.</summary>
    public static Task<Dictionary<Guid, Job>> GetManyAsync(TributaryDb db, IReadOnlyCollection<Guid> jobIds, CancellationToken ct) =>
        db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);

    /// <summary>The job's items in input order.</summary>
    public static Task<List<JobItem>> ItemsAsync(TributaryDb db, Guid jobId, CancellationToken ct) =>
        PageAsync(db, jobId, afterPosition: -1, take: int.MaxValue, ct);

    /// <summary>The job's items in input order, from after <paramref name="afterPosition"/>, at most <paramref name="take"/>.</summary>
    public static Task<List<JobItem>> PageAsync(TributaryDb db, Guid jobId, int afterPosition, int take, CancellationToken ct) =>
        db.JobItems.AsNoTracking().Where(i => i.JobId == jobId && i.Position > afterPosition).OrderBy(i => i.Position).Take(take).ToListAsync(ct);

    /// <summary>One item of the workspace with its job, by the item's id; null when there is none.</summary>
    public static async Task<(JobItem Item, Job Job)?> FindItemAsync(TributaryDb db, Guid workspaceId, Guid itemId, CancellationToken ct)
    {
        var item = await db.JobItems.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId && i.WorkspaceId == workspaceId
                                                                            && db.Jobs.Any(j => j.Id == i.JobId && j.Status != JobStatus.Preparing), ct);
        return item is null ? null : (item, await GetAsync(db, item.JobId, ct));
    }

    /// <summary>How many of the job's items found <paramref name="channel"/>.</summary>
    public static Task<long> CountFoundAsync(TributaryDb db, Guid jobId, string channel, CancellationToken ct)
    {
        // Results are stored as JSON with one object per found channel, its value first: {"channels":{"work_email":{"value":…},…}}.
        var marker = $"\"{channel}\":{{\"value\":";
        return db.JobItems.LongCountAsync(i => i.JobId == jobId && i.ResultJson != null && i.ResultJson.Contains(marker), ct);
    }
}
