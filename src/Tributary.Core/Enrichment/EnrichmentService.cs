using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Contacts;
using Tributary.Core.Credits;
using Tributary.Core.Erasure;
using Tributary.Core.Idempotency;
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
    /// <summary>Set for a job item: its credits come from the job's reservation, and the job processor commits it.</summary>
    public JobCharge? Job { get; init; }
    /// <summary>The idempotency claim of the request, marked done when this run settles (DESIGN §7).</summary>
    public IdempotencyScope? Idempotency { get; init; }

    /// <summary>
    /// A retry that took over the claim of a request that died after its settlement: it is answered from the cache that
    /// settlement filled (even when forced) and reserves and charges nothing, as the settled run paid for its values.
    /// </summary>
    internal bool Replays => Idempotency?.Settled is not null;
}

/// <summary>A job item's run is charged from the job's reservation (made when the job was accepted).</summary>
public sealed record JobCharge(Guid? ReservationId)
{
    /// <summary>The job item run: where a vendor answer that comes after the run belongs (DESIGN §5.4).</summary>
    public Guid? ItemId { get; init; }
}

public abstract record EnrichmentOutcome
{
    /// <param name="Unbilled">What the run would have cost had its reservation not expired (and been released) while it ran.</param>
    /// <param name="Dropped">
    /// The person is erased or suppressed (DESIGN §4): nothing ran, or what ran was not stored, cached or charged; the run
    /// reads as one that found nothing.
    /// </param>
    public sealed record Done(
        Guid EnrichmentId, WaterfallOutcome Run, long Charged, Contact? Contact, IReadOnlyList<string> UpdatedFields,
        Companies.Company? Company, long BalanceAfter, long Unbilled = 0, bool Dropped = false) : EnrichmentOutcome
    {
        internal static Done DroppedRun(Guid enrichmentId) => new(enrichmentId, new WaterfallOutcome(), 0, null, [], null, 0, Dropped: true);
    }

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
/// 4. run the providers (the waterfall touches no database), then settle once, in the transaction of a commit batch
///    (<see cref="BatchCommitter"/>): write-back, charge and release, the cache, the trace, the end of the claims. A job
///    item's commit (its lease fence, this settlement, its record) is the job processor's, in the same kind of batch.
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
    BatchCommitter committer,
    WaterfallMetrics metrics,
    TimeProvider time)
{
    // Fields rather than captured parameters, so that PendingEnrichment (nested) can use them.
    private readonly TributaryDbFactory dbs = dbs;
    private readonly WaterfallRunner runner = runner;
    private readonly ProviderRegistry providers = providers;
    private readonly InFlightWork inFlight = inFlight;
    private readonly Ledger ledger = ledger;
    private readonly Pricing pricing = pricing;
    private readonly CreditOptions credits = credits;
    private readonly TenantCache tenants = tenants;
    private readonly TimeProvider time = time;
    private readonly BatchCommitter committer = committer;

    /// <summary>Runs and settles one enrichment (every surface but the job processor, which commits its items itself).</summary>
    public async Task<EnrichmentOutcome> EnrichAsync(EnrichmentRequest request, CancellationToken ct)
    {
        if (request.Replays) request = request with { Force = false };
        await using var pending = await RunAsync(request, ct);
        if (pending.Answered is { } answered) return answered;
        var outcome = await committer.CommitAsync((batch, batchCt) => pending.SettleInAsync(batch, batchCt));
        if (outcome is not EnrichmentOutcome.Done done) return outcome;
        pending.Committed();
        if (done.Unbilled > 0) metrics.ExpiredUnbilled(done.Unbilled);
        if (!request.ReportBalance) return done;
        await using var db = dbs.Create();
        return done with { BalanceAfter = (await ledger.GetBalanceAsync(db, request.WorkspaceId, ct)).Balance };
    }

    /// <summary>
    /// Steps 1 to 3 and the run of step 4. The result is settled by <see cref="PendingEnrichment.SettleInAsync"/> inside a
    /// commit batch, unless it is already <see cref="PendingEnrichment.Answered"/> (refused, or answered without a write).
    /// Disposing it gives back whatever an unsettled run held.
    /// </summary>
    public async Task<PendingEnrichment> RunAsync(EnrichmentRequest request, CancellationToken ct)
    {
        var pending = new PendingEnrichment(this, request, Guid.CreateVersion7());
        try
        {
            await pending.RunAsync(ct);
            return pending;
        }
        catch
        {
            await pending.DisposeAsync();
            throw;
        }
    }

    /// <summary>One enrichment between its run and its settlement.</summary>
    public sealed class PendingEnrichment(EnrichmentService service, EnrichmentRequest request, Guid enrichmentId) : IAsyncDisposable
    {
        private readonly InFlightWork.Run _run = service.inFlight.Begin(enrichmentId, request.WorkspaceId);
        private readonly CancellationTokenSource _renewal = new();
        private Task? _renewing;
        private Workspace _workspace = null!;
        private WaterfallOutcome _outcome = null!;
        private Guid? _reservation = request.Job?.ReservationId;
        private bool _ownReservation;
        private bool _claimed;
        private bool _committed;

        public Guid EnrichmentId => enrichmentId;

        /// <summary>Set when nothing is left to settle: a refusal, or a cached answer that changes nothing.</summary>
        public EnrichmentOutcome? Answered { get; private set; }

        internal async Task RunAsync(CancellationToken ct)
        {
            await using var db = service.dbs.Create();
            // SQLite: one open for the reads up to the cache's answer (and, when it answers everything, for the write-back
            // check too) instead of a pooled open and close around each statement, which cost about a fifth of the CPU of a
            // server answering cached enrichments; closed before anything that may wait. Not on PostgreSQL, whose pool is
            // bounded: a thousand concurrent requests each holding a connection while they start ran it dry.
            var openOnce = service.dbs.Provider == DatabaseProvider.Sqlite;
            if (openOnce) await db.Database.OpenConnectionAsync(ct);
            _workspace = await service.tenants.GetWorkspaceAsync(request.WorkspaceId, ct) ?? throw new InvalidOperationException("unknown workspace");
            if (request.Channels.Contains(Channels.PersonalEmail) && !_workspace.PersonalEmailConsent)
            {
                Answered = new EnrichmentOutcome.ConsentRequired();
                return;
            }
            Contact? target = null;
            if (request.ContactId is { } contactId)
            {
                target = await ContactStore.InWorkspace(db, request.WorkspaceId).AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct);
                if (target is null)
                {
                    Answered = new EnrichmentOutcome.ContactNotFound();
                    return;
                }
            }
            using var deadline = new CancellationTokenSource(request.Deadline ?? Timeout.InfiniteTimeSpan, service.time);
            using var deadlineOrAbort = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);

            // Seed 000 costs a fixed 1 per call that changes something, cached or not: reserved before anything runs.
            if (request.Job is null && request.MaxPriceOverride is > 0 && !request.Replays && !await ReserveAsync(db, request.MaxPriceOverride.Value, ct))
                return;

            // 1. The cache.
            var keys = CacheKeys.From(request.Known, request.IsCompany);
            var wanted = request.Channels.Distinct().ToList();
            var answered = request.Force ? CacheRead.Empty() : await service.ReadCacheAsync(db, request, keys, wanted, _workspace.MinConfidence, ct);

            // 2. Join or claim what the cache did not answer (force runs neither join nor are joined).
            var missing = wanted.Where(c => !answered.Found.ContainsKey(c) && !answered.Misses.Contains(c)).ToList();
            // An erased or suppressed person is answered as no match before any provider is asked (DESIGN §4). The cache
            // holds nothing of them (the erasure emptied it and settlements store nothing new), so only a run is checked.
            if (missing.Count > 0 && !request.IsCompany
                && await ErasureGuard.BlocksAnyAsync(db, request.WorkspaceId, target is null ? keys : keys.Concat(CacheKeys.OfContact(target)),
                    service.time.GetUtcNow().UtcDateTime, ct))
            {
                Answered = EnrichmentOutcome.Done.DroppedRun(enrichmentId);
                return;
            }
            if (openOnce && missing.Count > 0) await db.Database.CloseConnectionAsync();
            var runnable = missing.Where(c => service.providers.OrderFor(c).Count > 0).ToList();
            var mine = missing;
            if (!request.Force && keys.Count > 0 && runnable.Count > 0)
            {
                (mine, _claimed) = await service.JoinOrClaimAsync(db, _run, request, keys, runnable, answered, _workspace.MinConfidence,
                    deadlineOrAbort.Token, ct);
                mine.AddRange(missing.Except(runnable)); // channels no provider serves: the run says so in its trace
            }
            var cutWhileWaiting = missing.Any(c => !mine.Contains(c) && !answered.Found.ContainsKey(c) && !answered.Misses.Contains(c));

            // 3. Reserve what this request runs itself.
            if (request.Job is null && request.MaxPriceOverride is null && !request.Replays)
            {
                var maxPrice = service.pricing.PriceOf(mine.Where(c => service.providers.OrderFor(c).Count > 0), request.Discover);
                if (maxPrice > 0 && !await ReserveAsync(db, maxPrice, ct)) return;
            }

            // 4. Run (the settlement follows in a commit batch).
            if (_claimed) _renewing = service.RenewWhileRunningAsync(_run, _renewal.Token);
            _outcome = await service.runner.RunAsync(new WaterfallRequest
            {
                WorkspaceId = request.WorkspaceId, Known = request.Known, MinConfidence = _workspace.MinConfidence, Signals = request.Signals,
                IsCompany = request.IsCompany, Cached = answered.Found, Synchronous = request.Job is null,
                Later = request.Job is { } job
                    ? new Providers.LaterAnswer(job.ItemId, target?.Id, service.time.GetUtcNow().UtcDateTime + (request.Deadline ?? TimeSpan.FromMinutes(15)))
                    : null,
                Channels = wanted.Where(c => mine.Contains(c) || answered.Found.ContainsKey(c)).ToList(),
            }, ct, deadline.Token);
            _outcome.Trace.InsertRange(0, answered.Trace);
            _outcome.TimedOut |= cutWhileWaiting;
            if (_reservation is null && request.Job is null && !_claimed)
                Answered = await service.AnsweredWithoutWritingAsync(db, request, enrichmentId, _outcome, target, ct);
        }

        /// <summary>A synchronous reservation expires at the request's deadline plus the grace, so a crashed owner never keeps it.</summary>
        private async Task<bool> ReserveAsync(TributaryDb db, long amount, CancellationToken ct)
        {
            DateTime? expires = request.Deadline is { } d ? service.time.GetUtcNow().UtcDateTime + d + service.credits.Grace : null;
            var reason = $"{request.Surface}: reserved";
            var reserved = service.committer.HoldsTheOnlyWriteLock
                ? await service.committer.CommitAsync((batch, batchCt) => service.ledger.ReserveAsync(batch.Db, request.WorkspaceId, amount, reason, enrichmentId, batchCt, expires))
                : await service.ledger.ReserveAsync(db, request.WorkspaceId, amount, reason, enrichmentId, ct, expires);
            if (reserved is ReserveOutcome.Insufficient poor)
            {
                Answered = new EnrichmentOutcome.InsufficientCredits(poor.Needed, poor.Available);
                return false;
            }
            (_reservation, _ownReservation) = (((ReserveOutcome.Reserved)reserved).ReservationId, true);
            return true;
        }

        /// <summary>
        /// Step 4's settlement, inside the batch's transaction: write-back, charge (and release), the cache, the trace, the
        /// end of the claims. <see cref="EnrichmentOutcome.ContactNotFound"/> when the contact it was asked to enrich was
        /// deleted while it ran (nothing is written: a deleted person is not brought back).
        /// </summary>
        public Task<EnrichmentOutcome> SettleInAsync(CommitBatch batch, CancellationToken ct) =>
            service.SettleInAsync(batch, _workspace, request, enrichmentId, _outcome, _reservation, _ownReservation, _claimed ? _run : null, ct);

        /// <summary>A vendor of the run answers some channel after its deadline (DESIGN §5.4).</summary>
        public bool AwaitsLater => _outcome is { Later.Count: > 0 };

        /// <summary>The workspace's <c>min_confidence</c>, once the run started.</summary>
        public double MinConfidence => _workspace.MinConfidence;

        /// <summary>
        /// Values a vendor of this run sent after its deadline but before its settlement (<see cref="LateAnswers"/>): found by
        /// this run, cached, stored and priced with the rest. Called again with the same values when a batch is retried.
        /// </summary>
        public void AddLate(IReadOnlyList<ChannelResult> late)
        {
            foreach (var result in late)
            {
                if (!_outcome.Later.Contains(result.Channel)) continue;
                _outcome.Found[result.Channel] = result;
                _outcome.CacheAnswers = _outcome.CacheAnswers.Where(a => a.Channel != result.Channel)
                    .Append((result.Channel, result, service.runner.ConfigHash(result.Channel, _workspace.MinConfidence))).ToList();
                _outcome.Trace.Add(new TraceStep
                {
                    Provider = result.Source, Outcome = "found", ChannelsAccepted = [result.Channel],
                    Detail = "answered by the vendor after the run's deadline, before the item was committed",
                });
            }
        }

        /// <summary>The batch that held <see cref="SettleInAsync"/> committed: the claims ended with it and the reservation is settled.</summary>
        public void Committed() => _committed = true;

        public async ValueTask DisposeAsync()
        {
            await _renewal.CancelAsync();
            if (_renewing is not null) await _renewing;
            _renewal.Dispose();
            if (!_committed)
            {
                if (_claimed) await service.inFlight.AbandonAsync(_run);
                if (_ownReservation && _reservation is { } r)
                {
                    await using var cleanup = service.dbs.Create();
                    await service.ledger.ReleaseAsync(cleanup, r, $"{request.Surface}: not settled", CancellationToken.None);
                }
            }
            service.inFlight.Finish(_run);
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
            contact = target ?? await WriteBack.MatchAsync(db, request.WorkspaceId, request.Known, run.Found, ct, track: false);
            if (contact is null ? run.Found.Keys.Any(c => WriteBack.FieldFor(c) is not null)
                : WriteBack.WouldChange(contact, run.Found, request.Overwrite, request.OnlyFields))
                return null;
        }
        traces.Enqueue(TraceOf(enrichmentId, request, run, charged: 0));
        return new EnrichmentOutcome.Done(enrichmentId, run, 0, contact, [], null, 0);
    }

    private EnrichmentRecord TraceOf(Guid enrichmentId, EnrichmentRequest request, WaterfallOutcome run, long charged) => new()
    {
        Id = enrichmentId, WorkspaceId = request.WorkspaceId, Surface = request.Surface, CreatedAt = time.GetUtcNow().UtcDateTime,
        TraceJson = TraceDocument.Serialize(enrichmentId, request, run, charged),
    };

    /// <summary>
    /// Whether any key this settlement would store, an input or a found value, is tombstoned: the person was erased (or
    /// suppressed) while the run was in flight. One lookup on the tombstones' key; on PostgreSQL after the lock that
    /// orders it against an erasure of the workspace.
    /// </summary>
    private async Task<bool> ErasedWhileRunningAsync(CommitBatch batch, EnrichmentRequest request, WaterfallOutcome run, Contact? target,
        CancellationToken ct)
    {
        var keys = new HashSet<string>(CacheKeys.From(request.Known, false), StringComparer.Ordinal);
        keys.UnionWith(run.CacheKeys);
        keys.UnionWith(PersonKeys.OfFound(run.Found));
        if (target is not null) keys.UnionWith(CacheKeys.OfContact(target));
        if (keys.Count == 0) return false;
        await batch.Deferred<ErasureHolds>().HoldAsync(batch.Db, request.WorkspaceId, ct);
        return await ErasureGuard.BlocksAnyAsync(batch.Db, request.WorkspaceId, keys, time.GetUtcNow().UtcDateTime, ct);
    }

    /// <summary>Drops a run whose person was erased: no write-back, cache, trace or charge; the reservation and the claims end.</summary>
    private async Task<EnrichmentOutcome> DropInAsync(CommitBatch batch, EnrichmentRequest request, Guid enrichmentId, Guid? reservation,
        bool ownReservation, InFlightWork.Run? claims, CancellationToken ct)
    {
        if (reservation is { } r && ownReservation)
            await ledger.SettleInBatchAsync(batch, r, 0, $"{request.Surface}: erased person", enrichmentId, ct);
        if (claims is not null) await InFlightWork.EndInAsync(batch.Db, claims, ct);
        if (request.Idempotency is { Settled: null } scope) await IdempotencyStore.MarkDoneInAsync(batch.Db, scope, enrichmentId, ct);
        return EnrichmentOutcome.Done.DroppedRun(enrichmentId);
    }

    private async Task<EnrichmentOutcome> SettleInAsync(CommitBatch batch, Workspace workspace, EnrichmentRequest request, Guid enrichmentId,
        WaterfallOutcome run, Guid? reservation, bool ownReservation, InFlightWork.Run? claims, CancellationToken ct)
    {
        var db = batch.Db;
        Contact? target = null;
        if (request.ContactId is { } contactId)
        {
            target = await ContactStore.InWorkspace(db, request.WorkspaceId).FirstOrDefaultAsync(c => c.Id == contactId, ct);
            if (target is null) return new EnrichmentOutcome.ContactNotFound();
        }
        if (!request.IsCompany && await ErasedWhileRunningAsync(batch, request, run, target, ct))
            return await DropInAsync(batch, request, enrichmentId, reservation, ownReservation, claims, ct);
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

        var price = request.Replays ? 0 : request.PriceOverride?.Invoke(run, contactResult) ?? pricing.PriceOf(run.NewlyFound, request.Discover);
        var reason = $"{request.Surface}: {string.Join(", ", run.NewlyFound)}";
        long charged = 0, unbilled = 0;
        if (reservation is { } r && ownReservation)
        {
            charged = await ledger.SettleInBatchAsync(batch, r, price, reason, enrichmentId, ct);
            unbilled = price - charged;
        }
        else if (reservation is { } jobReservation && price > 0)
        {
            ledger.ChargeInBatch(batch, request.WorkspaceId, jobReservation, price, reason, enrichmentId);
            charged = price;
        }
        if (run.CacheKeys.Count > 0 && run.CacheAnswers.Count > 0)
            await cache.StoreAsync(db, request.WorkspaceId, run.CacheKeys, run.CacheAnswers, ct, run.ShortLived);
        batch.Deferred<BatchInserts>().Add(TraceOf(enrichmentId, request, run, charged));
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
        if (claims is not null) await InFlightWork.EndInAsync(db, claims, ct);
        if (request.Idempotency is { Settled: null } scope) await IdempotencyStore.MarkDoneInAsync(db, scope, enrichmentId, ct);
        return new EnrichmentOutcome.Done(enrichmentId, run, charged, contactResult.Contact, contactResult.UpdatedFields, company, 0, unbilled);
    }
}
