using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Providers.Vendors;
using Tributary.Core.Storage;

namespace Tributary.Core.Providers.Usage;

/// <summary>One provider's calls, matches, failures and vendor cost on one UTC day, summed over every server process.</summary>
public sealed class ProviderUsageDay
{
    public required string Provider { get; set; }
    public DateTime Day { get; set; }
    public long Calls { get; set; }
    public long Found { get; set; }
    public long Failures { get; set; }
    /// <summary>The vendor's own credits, in millionths, so that every process's additions sum exactly on both databases.</summary>
    public long CostMicros { get; set; }
    /// <summary>The cost in the operator's currency (<c>CreditPrice</c> at the time of the call), in millionths.</summary>
    public long SpendMicros { get; set; }
}

/// <summary>What a provider did over a span of days.</summary>
public sealed record UsageFigures(long Calls, long Found, long Failures, decimal Cost, decimal? Spend)
{
    public static readonly UsageFigures None = new(0, 0, 0, 0, null);
}

/// <summary>
/// The operator's record of what each provider was asked and what it cost (DESIGN §5.4), in the vendor's own credits
/// and, with <c>CreditPrice</c>, in money. Counted in memory as calls happen and added to the shared table at most a
/// second later by one upsert per provider and day: a provider call already costs milliseconds, but a database write
/// per call would put every lookup on the write lock, and an idle server writes nothing. A crash loses at most that
/// second of counts, never a credit of a workspace.
/// </summary>
public sealed class ProviderUsage : IDelayedWrites
{
    public TimeSpan MaxDelay { get; } = TimeSpan.FromSeconds(1);
    string IDelayedWrites.What => "the provider usage counts (they are kept for the next write)";
    private const decimal Micros = 1_000_000m;

    private readonly TributaryDbFactory _dbs;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (ProviderCost Cost, decimal? Price)> _pricing = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private Dictionary<(string Provider, DateTime Day), ProviderUsageDay> _pending = [];
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
    });
    private readonly SemaphoreSlim _flushing = new(1, 1);

    public ProviderUsage(EnrichmentConfiguration configuration, TributaryDbFactory dbs, TimeProvider time)
    {
        _dbs = dbs;
        _time = time;
        foreach (var (name, definition) in configuration.Providers)
            _pricing[name] = (definition.Cost ?? VendorCatalog.Find(definition.Type)?.DefaultCost ?? ProviderCost.Free, definition.CreditPrice);
    }

    public decimal? CreditPrice(string provider) => _pricing.GetValueOrDefault(provider).Price;

    /// <summary>
    /// Counts one lookup and returns what it cost in vendor credits; null for a provider skipped on its spent daily limit,
    /// which made no call and is not counted.
    /// </summary>
    public decimal? Looked(string provider, ProviderResult result)
    {
        if (result is ProviderResult.Failed { Kind: FailureKind.DailyLimit }) return null;
        var cost = CostOf(provider).OfLookup(result);
        Add(provider, found: result is ProviderResult.Found, failed: result is ProviderResult.Failed, cost);
        return cost;
    }

    /// <summary>
    /// Channels a vendor sent after the lookup that asked for them was counted (a late answer, DESIGN §5.4): what they
    /// cost per found channel, with no call of their own.
    /// </summary>
    public decimal AnsweredLater(string provider, IEnumerable<string> channels)
    {
        var perFound = CostOf(provider).PerFound;
        var cost = channels.Sum(c => perFound.GetValueOrDefault(c));
        Add(provider, found: false, failed: false, cost, calls: 0);
        return cost;
    }

    /// <summary>
    /// Counts one verification (answered with a verdict, or failed) and returns what it cost in vendor credits:
    /// <paramref name="billed"/> when the vendor charges for that answer (Hunter does not for unknown).
    /// </summary>
    public decimal Verified(string provider, bool answered, bool billed)
    {
        var cost = CostOf(provider).OfVerification(billed);
        Add(provider, found: false, failed: !answered, cost);
        return cost;
    }

    /// <summary>Waits until something is counted and not yet written (or <paramref name="ct"/> fires).</summary>
    public ValueTask<bool> WaitAsync(CancellationToken ct) => _signal.Reader.WaitToReadAsync(ct);

    /// <summary>Adds what this process counted to the shared table: one upsert per provider and day.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _flushing.WaitAsync(ct);
        try
        {
            _signal.Reader.TryRead(out _);
            Dictionary<(string, DateTime), ProviderUsageDay> batch;
            lock (_lock)
            {
                if (_pending.Count == 0) return;
                (batch, _pending) = (_pending, []);
            }
            try
            {
                await using var db = _dbs.Create();
                // All rows or none: the batch is counted again when this fails, so no row may have been added by then.
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                foreach (var row in batch.Values)
                    await Sql.ExecuteAsync(db, $"""
                        INSERT INTO provider_usage (provider, day, calls, found, failures, cost_micros, spend_micros)
                        VALUES ({row.Provider}, {row.Day}, {row.Calls}, {row.Found}, {row.Failures}, {row.CostMicros}, {row.SpendMicros})
                        ON CONFLICT (provider, day) DO UPDATE SET calls = provider_usage.calls + excluded.calls,
                            found = provider_usage.found + excluded.found, failures = provider_usage.failures + excluded.failures,
                            cost_micros = provider_usage.cost_micros + excluded.cost_micros,
                            spend_micros = provider_usage.spend_micros + excluded.spend_micros
                        """, ct);
                await tx.CommitAsync(ct);
            }
            catch
            {
                // Not written: counted again with what comes next, so a database that was away loses nothing.
                lock (_lock)
                    foreach (var (key, row) in batch)
                        Merge(key, row.Calls, row.Found, row.Failures, row.CostMicros, row.SpendMicros);
                _signal.Writer.TryWrite(true);
                throw;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Each provider's figures for today (UTC) and for the last 30 days (today included), this process's unwritten counts too.</summary>
    public async Task<IReadOnlyDictionary<string, (UsageFigures Today, UsageFigures Last30Days)>> ReadAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        var today = Today();
        await using var db = _dbs.Create();
        var rows = await db.ProviderUsage.AsNoTracking().Where(u => u.Day > today.AddDays(-30)).ToListAsync(ct);
        return rows.GroupBy(r => r.Provider, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key,
            g => (Sum(g.Where(r => r.Day == today), g.Key), Sum(g, g.Key)), StringComparer.OrdinalIgnoreCase);
    }

    private UsageFigures Sum(IEnumerable<ProviderUsageDay> rows, string provider)
    {
        long calls = 0, found = 0, failures = 0, cost = 0, spend = 0;
        foreach (var r in rows) (calls, found, failures, cost, spend) = (calls + r.Calls, found + r.Found, failures + r.Failures, cost + r.CostMicros, spend + r.SpendMicros);
        return new(calls, found, failures, cost / Micros, CreditPrice(provider) is null && spend == 0 ? null : spend / Micros);
    }

    /// <summary>What the provider's vendor bills: its configured <c>Cost</c>, or the vendor's documented billing.</summary>
    public ProviderCost CostOf(string provider) => _pricing.GetValueOrDefault(provider).Cost ?? ProviderCost.Free;

    private void Add(string provider, bool found, bool failed, decimal cost, long calls = 1)
    {
        var costMicros = (long)Math.Round(cost * Micros);
        var spendMicros = CreditPrice(provider) is { } price ? (long)Math.Round(cost * price * Micros) : 0;
        lock (_lock) Merge((provider, Today()), calls, found ? 1 : 0, failed ? 1 : 0, costMicros, spendMicros);
        _signal.Writer.TryWrite(true);
    }

    private void Merge((string Provider, DateTime Day) key, long calls, long found, long failures, long cost, long spend)
    {
        if (!_pending.TryGetValue(key, out var row)) _pending[key] = row = new ProviderUsageDay { Provider = key.Provider, Day = key.Day };
        row.Calls += calls;
        row.Found += found;
        row.Failures += failures;
        row.CostMicros += cost;
        row.SpendMicros += spend;
    }

    private DateTime Today() => DateTime.SpecifyKind(_time.GetUtcNow().UtcDateTime.Date, DateTimeKind.Utc);
}
