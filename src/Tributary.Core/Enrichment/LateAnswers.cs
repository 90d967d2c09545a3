using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Tributary.Core.Contacts;
using Tributary.Core.Erasure;
using Tributary.Core.Jobs;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Usage;
using Tributary.Core.Providers.Vendors;
using Tributary.Core.Providers.Vendors.Apollo;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Workspaces;

namespace Tributary.Core.Enrichment;

/// <summary>
/// Vendor answers that came after their run's deadline (DESIGN §5.4): the vendor charged for them, so they are still
/// kept. Each is taken once, by a conditional update of its <see cref="PendingVendorAnswer"/> in the transaction that
/// stores it, whichever process received it and however often the vendor repeated it:
/// 1. a job item still open (its run gave up waiting but has not committed yet) takes the answer in its own commit
///    (<see cref="TakeForItemInAsync"/>): found, priced and charged there, once, like any found value;
/// 2. otherwise the answer is cached under the run's identity keys and written to its contact (never over a value the
///    contact has), free for the workspace whose item already ended (<see cref="StoreAsync"/>); the vendor's cost is
///    counted in provider usage.
/// </summary>
public sealed class LateAnswers(TributaryDbFactory dbs, BatchCommitter committer, ResultCache cache, WriteBack writeBack, TenantCache tenants,
    WaterfallRunner runner, ProviderRegistry providers, ProviderUsage usage, TimeProvider time, ILogger<LateAnswers> logger)
{
    /// <summary>Late answers kept by a finder (a Dropcontact request answered after its items' deadline) are stored as they come.</summary>
    public void Start() => providers.Answers.OnLate ??= provider => StoreAsync(provider, CancellationToken.None);

    /// <summary>
    /// The value a late answer carries for <paramref name="channel"/>: an Apollo hook's person read as Apollo's finder
    /// reads it, or the found values a finder kept itself (<see cref="PendingAnswers.KeepLateAsync"/>).
    /// </summary>
    private ProviderValue? ValueOf(string provider, string channel, string answerJson)
    {
        if (providers.TypeOf(provider) == "apollo") return channel == Channels.Phone ? ApolloFinder.PhoneOf(answerJson) : null;
        var values = JsonSerializer.Deserialize<Dictionary<string, ProviderValue>>(answerJson);
        return values?.GetValueOrDefault(channel);
    }

    /// <summary>As the waterfall accepts a value: phones in E.164, emails lower case with the vendor's verdict; an invalid email is none.</summary>
    private static ChannelResult? Result(string channel, string provider, ProviderValue value, DateTime now, IReadOnlyList<string>? countries)
    {
        var v = WaterfallRunner.PhoneInE164(channel, value.Value, countries);
        if (!Channels.Emails.Contains(channel)) return new ChannelResult(channel, v, provider, value.Confidence, now, null, null, false);
        if (v.ValueKind != JsonValueKind.String || value.Status is Providers.Verification.EmailStatus.Invalid) return null;
        var status = value.Status ?? Providers.Verification.EmailStatus.Unknown;
        return new ChannelResult(channel, JsonSerializer.SerializeToElement(v.GetString()!.Trim().ToLowerInvariant()), provider, value.Confidence, now,
            status == Providers.Verification.EmailStatus.Valid ? true : null, Providers.Verification.EmailStatuses.Name(status), false);
    }

    /// <summary>
    /// Inside a job item's commit: the late answers of its own run that came between its deadline and now, taken (state
    /// used) so that nothing else stores them. Rolled back with the batch if it fails.
    /// </summary>
    public async Task<IReadOnlyList<ChannelResult>> TakeForItemInAsync(TributaryDb db, Guid itemId, double minConfidence, CancellationToken ct)
    {
        var rows = await db.PendingVendorAnswers.AsNoTracking()
            .Where(p => p.JobItemId == itemId && p.State == PendingStates.Late && p.AnswerJson != null).ToListAsync(ct);
        var taken = new List<ChannelResult>();
        foreach (var row in rows)
        {
            if (await db.PendingVendorAnswers.Where(p => p.Id == row.Id && p.State == PendingStates.Late)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, PendingStates.Used), ct) != 1) continue;
            foreach (var channel in JsonSerializer.Deserialize<List<string>>(row.ChannelsJson ?? "[]") ?? [])
                if (ValueOf(row.Provider, channel, row.AnswerJson!) is { } value && value.Confidence >= minConfidence
                    && Result(channel, row.Provider, value, time.GetUtcNow().UtcDateTime, null) is { } result)
                    taken.Add(result);
        }
        return taken;
    }

    /// <summary>
    /// Stores the answered late rows of <paramref name="provider"/> (and answered rows whose waiting run is long gone),
    /// each in its own commit. Returns how many it stored.
    /// </summary>
    public async Task<int> StoreAsync(string provider, CancellationToken ct)
    {
        provider = provider.ToLowerInvariant();
        var abandoned = time.GetUtcNow().UtcDateTime - PendingAnswers.AbandonedAfter;
        List<Guid> ids;
        await using (var db = dbs.Create())
            ids = await db.PendingVendorAnswers.AsNoTracking()
                .Where(p => p.Provider == provider && p.AnswerJson != null
                            && (p.State == PendingStates.Late || (p.State == PendingStates.Waiting && p.WaitUntil < abandoned)))
                .Select(p => p.Id).ToListAsync(ct);
        await ForgetNowAndThenAsync(ct);
        var stored = 0;
        foreach (var id in ids)
        {
            try
            {
                var cost = await committer.CommitAsync((batch, batchCt) => StoreOneInAsync(batch, id, abandoned, batchCt));
                if (cost is { } c) { stored++; usage.AnsweredLater(c.Provider, c.Channels); }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "A late answer of {Provider} could not be stored", provider);
            }
        }
        return stored;
    }

    private long _forgotAt = long.MinValue;

    /// <summary>At most once an hour per process, on the way of a late answer: the pending rows table stays small.</summary>
    private async Task ForgetNowAndThenAsync(CancellationToken ct)
    {
        var last = Interlocked.Read(ref _forgotAt);
        if (last != long.MinValue && time.GetElapsedTime(last) < TimeSpan.FromHours(1)) return;
        if (Interlocked.CompareExchange(ref _forgotAt, time.GetTimestamp(), last) != last) return;
        try
        {
            await providers.Answers.ForgetAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Old pending vendor answers could not be deleted; trying again within the hour");
        }
    }

    private async Task<(string Provider, IReadOnlyList<string> Channels)?> StoreOneInAsync(CommitBatch batch, Guid id, DateTime abandoned, CancellationToken ct)
    {
        var db = batch.Db;
        if (await db.PendingVendorAnswers
                .Where(p => p.Id == id && (p.State == PendingStates.Late || (p.State == PendingStates.Waiting && p.WaitUntil < abandoned)))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, PendingStates.Stored), ct) != 1)
            return null;
        var row = await db.PendingVendorAnswers.AsNoTracking().FirstAsync(p => p.Id == id, ct);
        if (row.WorkspaceId is not { } workspaceId || await tenants.GetWorkspaceAsync(workspaceId, ct) is not { } workspace) return null;
        var known = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.KnownJson ?? "{}") ?? [];
        var now = time.GetUtcNow().UtcDateTime;
        var found = new Dictionary<string, ChannelResult>(StringComparer.Ordinal);
        foreach (var channel in JsonSerializer.Deserialize<List<string>>(row.ChannelsJson ?? "[]") ?? [])
            if (ValueOf(row.Provider, channel, row.AnswerJson!) is { } value && value.Confidence >= workspace.MinConfidence
                && Result(channel, row.Provider, value, now, workspace.PhoneCountries) is { } result)
                found[channel] = result;
        if (found.Count == 0) return null;

        Contact? target = null;
        var contactId = row.ContactId;
        if (contactId is null && row.JobItemId is { } itemId)
            contactId = await db.JobItems.AsNoTracking().Where(i => i.Id == itemId).Select(i => i.ContactId).FirstOrDefaultAsync(ct);
        if (contactId is { } cid) target = await ContactStore.InWorkspace(db, workspaceId).FirstOrDefaultAsync(c => c.Id == cid, ct);

        // A person erased while the vendor worked is not brought back by its answer.
        var cacheKeys = CacheKeys.From(known, false);
        var keys = target is null ? cacheKeys : cacheKeys.Union(CacheKeys.OfContact(target)).ToList();
        await batch.Deferred<ErasureHolds>().HoldAsync(db, workspaceId, ct);
        if (await ErasureGuard.BlocksAnyAsync(db, workspaceId, keys.Concat(PersonKeys.OfFound(found)), now, ct)) return null;

        if (cacheKeys.Count > 0)
            await cache.StoreAsync(db, workspaceId, cacheKeys,
                found.Values.Select(r => (r.Channel, (ChannelResult?)r, runner.ConfigHash(r.Channel, workspace.MinConfidence))).ToList(), ct);
        if (target is not null || contactId is null)
            await writeBack.ToContactAsync(db, workspaceId, known, found, overwrite: false, workspace.PhoneCountries, null, target, ct);
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
        return (row.Provider, found.Keys.ToList());
    }
}
