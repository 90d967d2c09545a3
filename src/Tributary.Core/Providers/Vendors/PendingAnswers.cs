using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Providers.Vendors;

/// <summary>
/// A vendor answer that comes later than the call that asked for it (Apollo's phones, POSTed to a webhook minutes
/// after the match): one row per run that waits for it, and one per answer that came before anyone waited.
/// </summary>
public sealed class PendingVendorAnswer
{
    public Guid Id { get; set; }
    /// <summary>The configured provider name, lower case.</summary>
    public required string Provider { get; set; }
    /// <summary>What the vendor's answer names (Apollo: the person id).</summary>
    public required string VendorKey { get; set; }
    public required string State { get; set; }
    /// <summary>The run that waits: its workspace, its job item and its inputs; null on an answer nobody waited for yet.</summary>
    public Guid? WorkspaceId { get; set; }
    public Guid? JobItemId { get; set; }
    public Guid? ContactId { get; set; }
    public string? KnownJson { get; set; }
    /// <summary>The channels the run waits for (JSON array).</summary>
    public string? ChannelsJson { get; set; }
    /// <summary>The vendor's answer for this key, as it sent it (JSON); null until it came.</summary>
    public string? AnswerJson { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>When the waiting run's deadline passes; after it (and a grace) the answer is stored as a late one.</summary>
    public DateTime WaitUntil { get; set; }
    public DateTime? AnsweredAt { get; set; }
}

/// <summary>The states of a <see cref="PendingVendorAnswer"/>; each change is one conditional update, so one process wins it.</summary>
public static class PendingStates
{
    /// <summary>A run waits for it.</summary>
    public const string Waiting = "waiting";
    /// <summary>The run's deadline passed first: the answer, when it comes, is stored without the run (<c>LateAnswers</c>).</summary>
    public const string Late = "late";
    /// <summary>The waiting run took the answer: its own settlement stores and charges it.</summary>
    public const string Used = "used";
    /// <summary>A late answer was stored on the cache and the contact.</summary>
    public const string Stored = "stored";
    /// <summary>An answer that came before any run waited for its key: a run that starts waiting reads it.</summary>
    public const string Early = "early";
}

/// <summary>
/// Vendor answers awaited through the database, so that a webhook received by any server process reaches the run that
/// waits for it in another: the hook writes the answer on every row waiting for its key, then signals the waiters of its
/// own process at once; a waiter elsewhere reads its row every <see cref="PollInterval"/>. Also the per-provider secrets
/// of the hook URLs.
/// </summary>
public sealed class PendingAnswers(TributaryDbFactory dbs, ServerSecrets? secrets, TimeProvider time)
{
    /// <summary>How often a waiter reads the database for an answer that another process received.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after a run's deadline a row still waiting is taken for abandoned (its process died).</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Provider, string Key), TaskCompletionSource> _signals = new();
    private readonly ServerSecrets _secrets = secrets ?? new ServerSecrets(dbs, time);

    /// <summary>The secret of <paramref name="provider"/>'s hook URL: made once per installation, the same in every process.</summary>
    public async Task<string> SecretAsync(string provider, CancellationToken ct) =>
        Base64Url(await _secrets.GetAsync("vendor_hook:" + provider.ToLowerInvariant(), ct));

    /// <summary>Whether <paramref name="given"/> is <paramref name="provider"/>'s secret, compared in constant time.</summary>
    public async Task<bool> IsSecretAsync(string provider, string given, CancellationToken ct)
    {
        var expected = Encoding.UTF8.GetBytes(await SecretAsync(provider, ct));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(given));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Deletes what no run will read again: answers taken or stored (or never waited for) a day ago, and any row older
    /// than the 30 days vendors keep their results. Returns how many rows went.
    /// </summary>
    public async Task<int> ForgetAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (done, old) = (now.AddDays(-1), now.AddDays(-30));
        await using var db = dbs.Create();
        return await db.PendingVendorAnswers
            .Where(p => (p.CreatedAt < done && (p.State == PendingStates.Used || p.State == PendingStates.Stored || p.State == PendingStates.Early))
                        || p.CreatedAt < old)
            .ExecuteDeleteAsync(ct);
    }

    /// <summary>Stores late rows once they have an answer (set by <c>LateAnswers</c>, which cannot be built before this).</summary>
    public Func<string, Task>? OnLate { get; set; }

    /// <summary>
    /// Values a vendor answered for a lookup that no longer waits (its run's deadline passed while the vendor worked, as
    /// with a Dropcontact request): kept as an answered late row, then stored.
    /// </summary>
    public async Task KeepLateAsync(string provider, ProviderQuery query, IReadOnlyDictionary<string, ProviderValue> values)
    {
        if (values.Count == 0 || query.Later is not { } later) return;
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            await using (var db = dbs.Create())
            {
                db.PendingVendorAnswers.Add(new PendingVendorAnswer
                {
                    Id = Guid.CreateVersion7(), Provider = provider.ToLowerInvariant(), VendorKey = "late:" + Guid.NewGuid().ToString("N"),
                    State = PendingStates.Late, WorkspaceId = query.WorkspaceId, JobItemId = later.JobItemId, ContactId = later.ContactId,
                    KnownJson = System.Text.Json.JsonSerializer.Serialize(query.Known),
                    ChannelsJson = System.Text.Json.JsonSerializer.Serialize(values.Keys), AnswerJson = System.Text.Json.JsonSerializer.Serialize(values),
                    CreatedAt = now, WaitUntil = later.Deadline, AnsweredAt = now,
                });
                await db.SaveChangesAsync();
            }
            if (OnLate is { } store) await store(provider);
        }
        catch (Exception)
        {
            // Nothing waits for this: a late answer that cannot be kept is lost as it would have been without this.
        }
    }

    /// <summary>A run starts waiting for <paramref name="key"/>: its row, before it reads whether the answer is there.</summary>
    public async Task<PendingVendorAnswer> BeginAsync(string provider, string key, ProviderQuery query, IReadOnlyList<string> channels,
        DateTime waitUntil, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var row = new PendingVendorAnswer
        {
            Id = Guid.CreateVersion7(), Provider = provider.ToLowerInvariant(), VendorKey = key, State = PendingStates.Waiting,
            WorkspaceId = query.WorkspaceId, JobItemId = query.Later?.JobItemId, ContactId = query.Later?.ContactId,
            KnownJson = System.Text.Json.JsonSerializer.Serialize(query.Known), ChannelsJson = System.Text.Json.JsonSerializer.Serialize(channels),
            CreatedAt = now, WaitUntil = waitUntil,
        };
        await using var db = dbs.Create();
        db.PendingVendorAnswers.Add(row);
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>
    /// Waits for the answer to <paramref name="row"/> until <paramref name="ct"/> fires. Returns it once this run took it
    /// (state used); null when the deadline came first: then the row is left late, and whoever receives the answer
    /// stores it. An answer that lands exactly as the deadline fires is still taken here (the last conditional update
    /// decides), so it is stored by exactly one side.
    /// </summary>
    public async Task<string?> AwaitAsync(PendingVendorAnswer row, CancellationToken ct)
    {
        var signal = _signals.GetOrAdd((row.Provider, row.VendorKey), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return await WaitAsync(row, signal, ct);
        }
        finally
        {
            // The signal goes with its last waiter (another waiter of the key that still holds it falls back to reading).
            _signals.TryRemove(KeyValuePair.Create((row.Provider, row.VendorKey), _signals.GetValueOrDefault((row.Provider, row.VendorKey))!));
        }
    }

    private async Task<string?> WaitAsync(PendingVendorAnswer row, TaskCompletionSource signal, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await TakeAsync(row, CancellationToken.None) is { } answer) return answer;
            try
            {
                await signal.Task.WaitAsync(PollInterval, time, ct);
                // Signalled: a fresh signal for the next answer of this key (another run may wait for it too).
                _signals.TryUpdate((row.Provider, row.VendorKey),
                    new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), signal);
                signal = _signals.GetOrAdd((row.Provider, row.VendorKey), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }
        // The deadline: late, unless the answer is already there (then this run still takes it).
        await using var db = dbs.Create();
        var gaveUp = await db.PendingVendorAnswers
            .Where(p => p.Id == row.Id && p.State == PendingStates.Waiting && p.AnswerJson == null)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, PendingStates.Late), CancellationToken.None);
        return gaveUp == 1 ? null : await TakeAsync(row, CancellationToken.None);
    }

    /// <summary>The answer of the row's key, if one came (on this row, or before anyone waited), taken by this run.</summary>
    private async Task<string?> TakeAsync(PendingVendorAnswer row, CancellationToken ct)
    {
        await using var db = dbs.Create();
        var answer = await db.PendingVendorAnswers.AsNoTracking()
            .Where(p => p.Provider == row.Provider && p.VendorKey == row.VendorKey && p.AnswerJson != null
                        && (p.Id == row.Id || p.State == PendingStates.Early))
            .OrderByDescending(p => p.Id == row.Id).Select(p => p.AnswerJson).FirstOrDefaultAsync(ct);
        if (answer is null) return null;
        var took = await db.PendingVendorAnswers.Where(p => p.Id == row.Id && p.State == PendingStates.Waiting)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, PendingStates.Used).SetProperty(p => p.AnswerJson, answer), ct);
        return took == 1 ? answer : null;
    }

    /// <summary>
    /// Records the vendor's answer for <paramref name="key"/> on every row still without one; a repeated delivery finds
    /// none and changes nothing. An answer nobody waits for yet is kept for the run that will. Returns the number of
    /// rows it answered.
    /// </summary>
    public async Task<int> AnswerAsync(string provider, string key, string answerJson, CancellationToken ct)
    {
        provider = provider.ToLowerInvariant();
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = dbs.Create();
        var answered = await db.PendingVendorAnswers.Where(p => p.Provider == provider && p.VendorKey == key && p.AnswerJson == null)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.AnswerJson, answerJson).SetProperty(p => p.AnsweredAt, now), ct);
        // Kept for a run that starts waiting unless an earlier delivery is already there. Not "unless any row": a run that
        // began waiting between the update above and this check would then never see the answer (its row has none).
        if (answered == 0 && !await db.PendingVendorAnswers.AnyAsync(p => p.Provider == provider && p.VendorKey == key && p.AnswerJson != null, ct))
        {
            db.PendingVendorAnswers.Add(new PendingVendorAnswer
            {
                Id = Guid.CreateVersion7(), Provider = provider, VendorKey = key, State = PendingStates.Early, AnswerJson = answerJson,
                CreatedAt = now, WaitUntil = now, AnsweredAt = now,
            });
            await db.SaveChangesAsync(ct);
        }
        if (_signals.TryGetValue((provider, key), out var signal)) signal.TrySetResult();
        return answered;
    }
}
