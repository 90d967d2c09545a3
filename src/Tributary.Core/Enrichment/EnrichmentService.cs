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
    /// <summary>The most the override can charge, reserved up front.</summary>
    public long? MaxPriceOverride { get; init; }
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

    /// <summary>A job item lost its lease (or its job was cancelled) before it could commit: nothing was stored or charged.</summary>
    public sealed record Fenced : EnrichmentOutcome;
}

/// <summary>
/// Runs one enrichment end to end: reserves the most it can cost before any provider is called, runs the waterfall,
/// then in one transaction stores the results, charges what was found and releases the rest, and keeps the trace.
/// </summary>
public sealed class EnrichmentService(
    TributaryDbFactory dbs,
    WaterfallRunner runner,
    ProviderRegistry providers,
    Ledger ledger,
    WriteBack writeBack,
    Pricing pricing,
    TimeProvider time)
{
    public async Task<EnrichmentOutcome> EnrichAsync(EnrichmentRequest request, CancellationToken ct)
    {
        var enrichmentId = Guid.CreateVersion7();
        await using var db = dbs.Create();
        var workspace = await db.Workspaces.FindAsync([request.WorkspaceId], ct)
                        ?? throw new InvalidOperationException("unknown workspace");
        Contact? target = null;
        if (request.ContactId is { } contactId)
        {
            target = await ContactStore.InWorkspace(db, request.WorkspaceId).FirstOrDefaultAsync(c => c.Id == contactId, ct);
            if (target is null) return new EnrichmentOutcome.ContactNotFound();
        }

        var priced = request.Channels.Where(c => providers.OrderFor(c).Count > 0).ToList();
        var maxPrice = request.MaxPriceOverride ?? pricing.PriceOf(priced, request.Discover);
        Guid? reservation = request.JobItem?.ReservationId;
        if (request.JobItem is null && maxPrice > 0)
        {
            var reserved = await ledger.ReserveAsync(db, request.WorkspaceId, maxPrice, $"{request.Surface}: reserved", enrichmentId, ct);
            if (reserved is ReserveOutcome.Insufficient insufficient) return new EnrichmentOutcome.InsufficientCredits(insufficient.Needed, insufficient.Available);
            reservation = ((ReserveOutcome.Reserved)reserved).ReservationId;
        }

        try
        {
            using var deadline = new CancellationTokenSource(request.Deadline ?? Timeout.InfiniteTimeSpan, time);
            var run = await runner.RunAsync(new WaterfallRequest
            {
                WorkspaceId = request.WorkspaceId, Known = request.Known, Channels = request.Channels,
                MinConfidence = workspace.MinConfidence, Signals = request.Signals, Force = request.Force, IsCompany = request.IsCompany,
            }, ct, deadline.Token);
            return await SettleAsync(db, workspace, request, enrichmentId, run, target, reservation, ct);
        }
        catch
        {
            if (request.JobItem is null && reservation is { } r)
            {
                await using var cleanup = dbs.Create();
                await ledger.ReleaseAsync(cleanup, r, $"{request.Surface}: failed", CancellationToken.None);
            }
            throw;
        }
    }

    private async Task<EnrichmentOutcome> SettleAsync(TributaryDb db, Workspace workspace, EnrichmentRequest request, Guid enrichmentId,
        WaterfallOutcome run, Contact? target, Guid? reservation, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync<EnrichmentOutcome>(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (request.JobItem is { } fenced && !await fenced.Fence(db, ct))
            {
                await tx.RollbackAsync(ct);
                return (EnrichmentOutcome)new EnrichmentOutcome.Fenced();
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
            if (reservation is { } r)
            {
                if (price > 0 && await ledger.ChargeAsync(db, r, price, $"{request.Surface}: {string.Join(", ", run.NewlyFound)}", enrichmentId, ct) is null)
                    throw new InvalidOperationException($"the run cost {price}, more than was reserved");
                if (request.JobItem is null) await ledger.ReleaseAsync(db, r, $"{request.Surface}: unused", ct);
            }
            await runner.StoreInCacheAsync(db, request.WorkspaceId, run, ct);
            db.EnrichmentRecords.Add(new EnrichmentRecord
            {
                Id = enrichmentId, WorkspaceId = request.WorkspaceId, Surface = request.Surface, CreatedAt = time.GetUtcNow().UtcDateTime,
                TraceJson = TraceDocument.Serialize(enrichmentId, request, run, price),
            });
            await db.SaveChangesAsync(ct);
            var done = new EnrichmentOutcome.Done(enrichmentId, run, reservation is null ? 0 : price, contactResult.Contact,
                contactResult.UpdatedFields, company, 0);
            if (request.JobItem is { } item) await item.Record(db, done, ct);
            await tx.CommitAsync(ct);
            var balance = await ledger.GetBalanceAsync(db, request.WorkspaceId, ct);
            return done with { BalanceAfter = balance.Balance };
        });
    }
}
