using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Jobs;

/// <summary>
/// Seed 002's enrichment record (DESIGN §7.3): one row per (workspace, lead, field), unique in the database, pointing to
/// the job item that ran (or runs) it. Its id is the record's id for life; asking again for one that ended badly or went
/// stale points the same row at a new item.
/// </summary>
public sealed class LeadRecord
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid ContactId { get; set; }
    public required string Field { get; set; }
    public Guid ItemId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed record LeadRecordView(LeadRecord Record, JobItem Item);

public abstract record LeadRecordsOutcome
{
    /// <summary>Every lead's record, new and existing, in the order asked.</summary>
    public sealed record Records(IReadOnlyList<LeadRecordView> Views) : LeadRecordsOutcome;
    public sealed record InsufficientCredits(long Needed, long Available) : LeadRecordsOutcome;
}

/// <summary>
/// Creates and reads seed 002's records. Concurrent requests for one lead and field make one record: the unique row
/// decides, inside the transaction that also stores the job, its items and its credit reservation, so a request either
/// gets its records created and paid for together, or reuses the ones another request made.
/// </summary>
public sealed class LeadRecords(JobQueue queue, TimeProvider time)
{
    public const string Kind = "lead_bulk";

    /// <param name="reusable">Whether an existing record's item is returned as is (pending, or finished and fresh) rather than run again.</param>
    /// <param name="inputOf">The known values of a lead, for the ones that run.</param>
    public async Task<LeadRecordsOutcome> EnsureAsync(Guid workspaceId, Guid? keyId, string field, string channel, IReadOnlyList<Guid> leads,
        Func<JobItem, bool> reusable, Func<Guid, NewItem> inputOf, CancellationToken ct)
    {
        leads = leads.Distinct().ToList();
        var existing = await ReadAsync(workspaceId, field, leads, ct);
        if (leads.All(l => existing.TryGetValue(l, out var v) && reusable(v.Item))) return Ordered(leads, existing);

        var created = await queue.CreateAtomicallyAsync(new NewJob(workspaceId, Kind, [channel], JsonSerializer.Serialize(new JobRunOptions()), keyId),
            async (db, jobId) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                var won = new List<(Guid Lead, Guid Item)>();
                foreach (var lead in leads)
                {
                    var item = Guid.CreateVersion7();
                    var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
                        INSERT INTO lead_records (id, workspace_id, contact_id, field, item_id, created_at, updated_at)
                        VALUES ({Guid.CreateVersion7()}, {workspaceId}, {lead}, {field}, {item}, {now}, {now})
                        ON CONFLICT (workspace_id, contact_id, field) DO NOTHING
                        """, ct);
                    if (inserted == 1)
                    {
                        won.Add((lead, item));
                        continue;
                    }
                    var current = await db.LeadRecords.AsNoTracking()
                        .Where(r => r.WorkspaceId == workspaceId && r.ContactId == lead && r.Field == field)
                        .Join(db.JobItems, r => r.ItemId, i => i.Id, (r, i) => new { r.Id, Item = i }).FirstOrDefaultAsync(ct);
                    if (current is not null && reusable(current.Item)) continue;
                    // Stale, failed, timed out or cancelled: the same record runs again, if no one else reset it first.
                    var oldItem = current?.Item.Id;
                    var reset = await db.LeadRecords
                        .Where(r => r.WorkspaceId == workspaceId && r.ContactId == lead && r.Field == field && r.ItemId == oldItem)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.ItemId, item).SetProperty(r => r.UpdatedAt, now), ct);
                    if (reset == 1) won.Add((lead, item));
                }
                return won.Select(w => inputOf(w.Lead) with { ItemId = w.Item }).ToList();
            }, ct);
        if (created is CreateJobOutcome.InsufficientCredits poor) return new LeadRecordsOutcome.InsufficientCredits(poor.Needed, poor.Available);
        return Ordered(leads, await ReadAsync(workspaceId, field, leads, ct));
    }

    /// <summary>The records of these leads for one field, with their current items; leads without one are absent.</summary>
    public async Task<Dictionary<Guid, LeadRecordView>> ReadAsync(Guid workspaceId, string field, IReadOnlyCollection<Guid> leads, CancellationToken ct)
    {
        await using var db = queue.NewDb();
        return await ReadAsync(db, workspaceId, [.. leads.Select(l => (l, field))], ct);
    }

    public static async Task<Dictionary<Guid, LeadRecordView>> ReadAsync(TributaryDb db, Guid workspaceId,
        IReadOnlyCollection<(Guid Lead, string Field)> keys, CancellationToken ct)
    {
        var leads = keys.Select(k => k.Lead).Distinct().ToList();
        var fields = keys.Select(k => k.Field).Distinct().ToList();
        var rows = await db.LeadRecords.AsNoTracking()
            .Where(r => r.WorkspaceId == workspaceId && leads.Contains(r.ContactId) && fields.Contains(r.Field))
            .Join(db.JobItems, r => r.ItemId, i => i.Id, (r, i) => new { Record = r, Item = i }).ToListAsync(ct);
        return rows.Where(r => keys.Contains((r.Record.ContactId, r.Record.Field)))
            .ToDictionary(r => r.Record.ContactId, r => new LeadRecordView(r.Record, r.Item));
    }

    private static LeadRecordsOutcome Ordered(IReadOnlyList<Guid> leads, Dictionary<Guid, LeadRecordView> views) =>
        new LeadRecordsOutcome.Records(leads.Where(views.ContainsKey).Select(l => views[l]).ToList());
}
