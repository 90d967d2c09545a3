using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Contacts;
using Tributary.Core.Credits;
using Tributary.Core.Providers;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;

namespace Tributary.Core.Enrichment;

/// <summary>One enrichment of one record, as any surface asks for it.</summary>
public sealed record EnrichmentRequest
{
    public required Guid WorkspaceId { get; init; }
    /// <summary>Free text naming the surface, kept with the trace.</summary>
    public required string Surface { get; init; }
    public required IReadOnlyDictionary<string, JsonElement> Known { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    public bool IsCompany { get; init; }
    public bool Force { get; init; }
    public bool Discover { get; init; }
    public bool Overwrite { get; init; }
    /// <summary>Store results on the workspace's contact or company (DESIGN §4); off for lookups that only answer.</summary>
    public bool WriteBack { get; init; } = true;
    /// <summary>Contact fields the write-back may change (seed 000's whitelist); null = every field.</summary>
    public IReadOnlySet<string>? OnlyFields { get; init; }
    /// <summary>The contact to write to, when the caller already knows it (seed 000's contact_id).</summary>
    public Guid? ContactId { get; init; }
    public JsonElement? Signals { get; init; }
    public TimeSpan? Deadline { get; init; }
    /// <summary>Overrides the price of the run (seed 000 charges per call); gets the run and the write-back.</summary>
    public Func<WaterfallOutcome, WriteBackResult, long>? PriceOverride { get; init; }
    /// <summary>The most the override can charge, reserved up front, before anything runs (seed 000's rule, §6.1).</summary>
    public long? MaxPriceOverride { get; init; }
    /// <summary>The caller shows the balance after the run (seed 000's credits_remaining): read once it settled.</summary>
    public bool ReportBalance { get; init; }
    /// <summary>Set for a job item: its credits come from the job's reservation, and it commits only while its lease holds.</summary>
    public JobItemCommit? JobItem { get; init; }
}

/// <summary>
/// How a job item commits: charged from the job's reservation, fenced by the item's lease, and recorded on the item in
/// the same transaction as its result and its charge.
/// </summary>
public sealed record JobItemCommit(
    Guid? ReservationId,
    Func<TributaryDb, CancellationToken, Task<bool>> Fence,
    Func<TributaryDb, EnrichmentOutcome.Done, CancellationToken, Task> Record);

public abstract record EnrichmentOutcome
{
    public sealed record Done(
        Guid EnrichmentId, WaterfallOutcome Run, long Charged, Contact? Contact, IReadOnlyList<string> UpdatedFields,
        Companies.Company? Company, long BalanceAfter) : EnrichmentOutcome;

    public sealed record InsufficientCredits(long Needed, long Available) : EnrichmentOutcome;

    public sealed record ContactNotFound : EnrichmentOutcome;

    /// <summary>Personal email was asked for without the workspace's consent: nothing ran (Core refuses it whatever a surface does).</summary>
    public sealed record ConsentRequired : EnrichmentOutcome;

    /// <summary>A job item lost its lease (or its job was cancelled) before it could commit: nothing was stored or charged.</summary>
    public sealed record Fenced : EnrichmentOutcome;
}

/// <summary>
/// The one enrichment path (DESIGN §6), in four steps:
/// 1. read the cache for every identity key and channel of the record;
/// 2. join the work already in flight for the same (identity key, channel), waiting for it and reading the cache again,
///    or claim what is still missing;
/// 3. reserve the most that what this request runs itself can cost (nothing when the cache or a joined run answered it);
/// 4. run the providers (the waterfall touches no database), then settle once, in one transaction: write-back, charge
///    and release, the cache, the trace, the end of the claims (and, for a job item, its lease fence and its record).
/// </summary>
public sealed class EnrichmentService(
    TributaryDbFactory dbs,
    WaterfallRunner runner,
    ProviderRegistry providers,
    ResultCache cache,
    InFlightWork inFlight,
    Ledger ledger,
    WriteBack writeBack,
    Pricing pricing,
    CreditOptions credits,
    TenantCache tenants,
    TraceBatch traces,
    TimeProvider time)
{
    public async Task<EnrichmentOutcome> EnrichAsync(EnrichmentRequest request, CancellationToken ct)
    {
        var enrichmentId = Guid.CreateVersion7();
        await using var db = dbs.Create();
        var workspace = await tenants.GetWorkspaceAsync(request.WorkspaceId, ct) ?? throw new InvalidOperationException("unknown workspace");
        if (request.Channels.Contains(Channels.PersonalEmail) && !workspace.PersonalEmailConsent) return new EnrichmentOutcome.ConsentRequired();
        Contact? target = null;
        if (request.ContactId is { } contactId)
        {
            target = await ContactStore.InWorkspace(db, request.WorkspaceId).FirstOrDefaultAsync(c => c.Id == contactId, ct);
            if (target is null) return new EnrichmentOutcome.ContactNotFound();
        }

        using var deadline = new CancellationTokenSource(request.Deadline ?? Timeout.InfiniteTimeSpan, time);
        using var deadlineOrAbort = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        var run = inFlight.Begin(enrichmentId, request.WorkspaceId);
        var reservation = request.JobItem?.ReservationId;
        var ownReservation = false;
        var claimed = false;
        var settled = false;
        using var renewal = new CancellationTokenSource();
        Task? renewing = null;
        try
        {
            // Seed 000 costs a fixed 1 per call that changes something, cached or not: reserved before anything runs.
            if (request.JobItem is null && request.MaxPriceOverride is > 0)
            {
                var fixedPrice = await ReserveAsync(db, request, request.MaxPriceOverride.Value, enrichmentId, ct);
                if (fixedPrice is ReserveOutcome.Insufficient poor) return new EnrichmentOutcome.InsufficientCredits(poor.Needed, poor.Available);
                (reservation, ownReservation) = (((ReserveOutcome.Reserved)fixedPrice).ReservationId, true);
            }

            // 1. The cache.
            var keys = CacheKeys.From(request.Known, request.IsCompany);
            var wanted = request.Channels.Distinct().ToList();
            var answered = request.Force ? CacheRead.Empty() : await ReadCacheAsync(db, request, keys, wanted, workspace.MinConfidence, ct);

            // 2. Join or claim what the cache did not answer (force runs neither join nor are joined).
            var missing = wanted.Where(c => !answered.Found.ContainsKey(c) && !answered.Misses.Contains(c)).ToList();
            var runnable = missing.Where(c => providers.OrderFor(c).Count > 0).ToList();
            var mine = missing;
            if (!request.Force && keys.Count > 0 && runnable.Count > 0)
            {
                (mine, claimed) = await JoinOrClaimAsync(db, run, request, keys, runnable, answered, workspace.MinConfidence, deadlineOrAbort.Token, ct);
                mine.AddRange(missing.Except(runnable)); // channels no provider serves: the run says so in its trace
            }
            var cutWhileWaiting = missing.Any(c => !mine.Contains(c) && !answered.Found.ContainsKey(c) && !answered.Misses.Contains(c));

            // 3. Reserve what this request runs itself.
            if (request.JobItem is null && request.MaxPriceOverride is null)
            {
                var maxPrice = pricing.PriceOf(mine.Where(c => providers.OrderFor(c).Count > 0), request.Discover);
                if (maxPrice > 0)
                {
                    var reserved = await ReserveAsync(db, request, maxPrice, enrichmentId, ct);
                    if (reserved is ReserveOutcome.Insufficient poor) return new EnrichmentOutcome.InsufficientCredits(poor.Needed, poor.Available);
                    (reservation, ownReservation) = (((ReserveOutcome.Reserved)reserved).ReservationId, true);
                }
            }

            // 4. Run, then settle.
            if (claimed) renewing = RenewWhileRunningAsync(run, renewal.Token);
            var outcome = await runner.RunAsync(new WaterfallRequest
            {
                WorkspaceId = request.WorkspaceId, Known = request.Known, MinConfidence = workspace.MinConfidence, Signals = request.Signals,
                IsCompany = request.IsCompany, Cached = answered.Found,
                Channels = wanted.Where(c => mine.Contains(c) || answered.Found.ContainsKey(c)).ToList(),
            }, ct, deadline.Token);
            outcome.Trace.InsertRange(0, answered.Trace);
            outcome.TimedOut |= cutWhileWaiting;
            if (reservation is null && request.JobItem is null && !claimed
                && await AnsweredWithoutWritingAsync(db, request, enrichmentId, outcome, target, ct) is { } cached)
            {
                settled = true;
                return cached;
            }
            var done = await SettleAsync(db, workspace, request, enrichmentId, outcome, target, reservation, ownReservation, claimed ? run : null, ct);
            settled = true;
            return done;
        }
        catch
        {
            if (ownReservation && reservation is { } r)
            {
                await using var cleanup = dbs.Create();
                await ledger.ReleaseAsync(cleanup, r, $"{request.Surface}: failed", CancellationToken.None);
            }
            throw;
        }
        finally
        {
            await renewal.CancelAsync();
            if (renewing is not null) await renewing;
            if (claimed && !settled) await inFlight.AbandonAsync(run);
            inFlight.Finish(run);
        }
    }

    private Task<CacheRead> ReadCacheAsync(TributaryDb db, EnrichmentRequest request, IReadOnlyList<string> keys, IReadOnlyCollection<string> channels,
        double minConfidence, CancellationToken ct) =>
        cache.ReadAsync(db, request.WorkspaceId, keys, channels, c => runner.ConfigHash(c, minConfidence), ct);

    /// <summary>
    /// Step 2. Tries to take every still-missing channel at once (in this process, then in the database, all or none);
    /// where another run holds any of them, waits for that run holding nothing, reads the cache again, and tries again
    /// with what is still missing. Returns the channels this request runs, and whether it holds database claims for them.
    /// </summary>
    private async Task<(List<string> Mine, bool Claimed)> JoinOrClaimAsync(TributaryDb db, InFlightWork.Run run, EnrichmentRequest request,
        IReadOnlyList<string> keys, List<string> runnable, CacheRead answered, double minConfidence, CancellationToken deadline, CancellationToken ct)
    {
        var pending = runnable.ToList();
        while (pending.Count > 0)
        {
            var pairs = pending.Select(c => InFlightWork.PairChannel(c, request.Discover)).ToList();
            Guid? answeredBy;
            if (inFlight.HoldLocally(run, keys, pairs) is { } local)
            {
                // Another request of this process has it: wait for it in memory.
                try
                {
                    await local.Done.WaitAsync(deadline);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return ([], false);
                }
                answeredBy = local.Id;
            }
            else if (await inFlight.TryClaimAllAsync(run, keys, pairs, ct))
            {
                // A run that settled between this request's cache read and its claim has already answered some of it.
                var late = await ReadCacheAsync(db, request, keys, pending, minConfidence, ct);
                Merge(answered, late, null);
                pending.RemoveAll(c => late.Found.ContainsKey(c) || late.Misses.Contains(c));
                return (pending, inFlight.UsesDatabase);
            }
            else
            {
                // Another process has it: this request keeps its hold here (so the others of this process wait for it) and
                // waits for that claim to end or lapse.
                answeredBy = await inFlight.WaitForOthersAsync(run, keys, pairs, deadline);
                if (deadline.IsCancellationRequested)
                {
                    ct.ThrowIfCancellationRequested();
                    return ([], false);
                }
            }
            var again = await ReadCacheAsync(db, request, keys, pending, minConfidence, ct);
            Merge(answered, again, answeredBy);
            pending.RemoveAll(c => again.Found.ContainsKey(c) || again.Misses.Contains(c));
        }
        return (pending, false);
    }

    private static void Merge(CacheRead answered, CacheRead again, Guid? answeredBy)
    {
        foreach (var (channel, result) in again.Found) answered.Found[channel] = result;
        answered.Misses.UnionWith(again.Misses);
        if (again.Found.Count + again.Misses.Count == 0) return;
        answered.Trace.Add(new TraceStep
        {
            Provider = "in_flight", Outcome = "joined", ChannelsAccepted = again.Found.Keys.ToList(),
            Detail = answeredBy is { } by ? $"answered by run {by}" : "answered by a run that settled while this request started",
        });
        answered.Trace.AddRange(again.Trace);
    }

    private async Task RenewWhileRunningAsync(InFlightWork.Run run, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(InFlightWork.RenewEvery, time, stop);
                await inFlight.RenewAsync(run, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // A renewal that failed once is tried again at the next tick; a claim that lapses only lets a waiter run too.
        }
    }

    /// <summary>
    /// A run that asked no provider, charges nothing and finds the contact as it already is changes nothing: it is answered
    /// without a transaction, and its trace joins the next batch (<see cref="TraceBatch"/>). Null when it must settle.
    /// </summary>
    private async Task<EnrichmentOutcome?> AnsweredWithoutWritingAsync(TributaryDb db, EnrichmentRequest request, Guid enrichmentId,
        WaterfallOutcome run, Contact? target, CancellationToken ct)
    {
        if (run.ProviderCalls > 0 || run.CacheAnswers.Count > 0 || run.NewlyFound.Any() || request.PriceOverride is not null || request.IsCompany && request.WriteBack)
            return null;
        Contact? contact = null;
        if (request.WriteBack)
        {
            contact = target ?? await WriteBack.MatchAsync(db, request.WorkspaceId, request.Known, run.Found, ct);
            if (contact is null ? run.Found.Keys.Any(c => WriteBack.FieldFor(c) is not null)
                : WriteBack.WouldChange(contact, run.Found, request.Overwrite, request.OnlyFields))
                return null;
        }
        traces.Enqueue(new EnrichmentRecord
        {
            Id = enrichmentId, WorkspaceId = request.WorkspaceId, Surface = request.Surface, CreatedAt = time.GetUtcNow().UtcDateTime,
            TraceJson = TraceDocument.Serialize(enrichmentId, request, run, 0),
        });
        return new EnrichmentOutcome.Done(enrichmentId, run, 0, contact, [], null, 0);
    }

    /// <summary>A synchronous reservation expires at the request's deadline plus the grace, so a crashed owner never keeps it.</summary>
    private Task<ReserveOutcome> ReserveAsync(TributaryDb db, EnrichmentRequest request, long amount, Guid enrichmentId, CancellationToken ct)
    {
        DateTime? expires = request.Deadline is { } d ? time.GetUtcNow().UtcDateTime + d + credits.Grace : null;
        return ledger.ReserveAsync(db, request.WorkspaceId, amount, $"{request.Surface}: reserved", enrichmentId, ct, expires);
    }

    private async Task<EnrichmentOutcome> SettleAsync(TributaryDb db, Workspace workspace, EnrichmentRequest request, Guid enrichmentId,
        WaterfallOutcome run, Contact? target, Guid? reservation, bool ownReservation, InFlightWork.Run? claims, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var done = await strategy.ExecuteAsync<EnrichmentOutcome>(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (request.JobItem is { } fenced && !await fenced.Fence(db, ct))
            {
                await tx.RollbackAsync(ct);
                return new EnrichmentOutcome.Fenced();
            }
            var contactResult = new WriteBackResult(target, [], false);
            Companies.Company? company = null;
            if (request.WriteBack && request.IsCompany)
            {
                var domain = request.Known.TryGetValue("domain", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (domain is not null && run.Found.Count > 0)
                {
                    (company, var companyUpdated) = await writeBack.ToCompanyAsync(db, request.WorkspaceId, domain, run.Found, request.Overwrite, ct);
                    contactResult = new WriteBackResult(null, companyUpdated, false);
                }
            }
            else if (request.WriteBack)
                contactResult = await writeBack.ToContactAsync(db, request.WorkspaceId, request.Known, run.Found, request.Overwrite,
                    workspace.PhoneCountries, request.OnlyFields, target, ct);

            if (contactResult.Contact is { } stored)
                VerificationRequests.EnqueueForNewEmails(db, workspace, stored,
                    contactResult.UpdatedFields.Where(f => f is "email" or "personal_email").Select(f => (f, ContactFields.Get(stored, f)!)), time);

            var price = request.PriceOverride?.Invoke(run, contactResult) ?? pricing.PriceOf(run.NewlyFound, request.Discover);
            var reason = $"{request.Surface}: {string.Join(", ", run.NewlyFound)}";
            long charged = 0;
            if (reservation is { } r && ownReservation)
                charged = await ledger.SettleAsync(db, r, price, reason, enrichmentId, ct);
            else if (reservation is { } jobReservation && price > 0)
            {
                if (await ledger.ChargeAsync(db, jobReservation, price, reason, enrichmentId, ct) is null)
                    throw new InvalidOperationException($"the run cost {price}, more than was reserved");
                charged = price;
            }
            if (run.CacheKeys.Count > 0 && run.CacheAnswers.Count > 0)
                await cache.StoreAsync(db, request.WorkspaceId, run.CacheKeys, run.CacheAnswers, ct);
            db.EnrichmentRecords.Add(new EnrichmentRecord
            {
                Id = enrichmentId, WorkspaceId = request.WorkspaceId, Surface = request.Surface, CreatedAt = time.GetUtcNow().UtcDateTime,
                TraceJson = TraceDocument.Serialize(enrichmentId, request, run, charged),
            });
            await db.SaveChangesAsync(ct);
            if (claims is not null) await InFlightWork.EndInAsync(db, claims, ct);
            var result = new EnrichmentOutcome.Done(enrichmentId, run, charged, contactResult.Contact, contactResult.UpdatedFields, company, 0);
            if (request.JobItem is { } item) await item.Record(db, result, ct);
            await tx.CommitAsync(ct);
            return result;
        });
        if (done is EnrichmentOutcome.Done d && request.ReportBalance)
            return d with { BalanceAfter = (await ledger.GetBalanceAsync(db, request.WorkspaceId, ct)).Balance };
        return done;
    }
}
