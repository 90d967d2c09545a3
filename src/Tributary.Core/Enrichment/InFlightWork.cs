using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Enrichment;

/// <summary>
/// One (workspace, identity key, channel) pair that a run is working on (DESIGN §6): the row is the claim, its lease is
/// renewed while the run lasts, and it is deleted in the transaction that settles the run.
/// </summary>
public sealed class InFlightClaim
{
    public Guid WorkspaceId { get; set; }
    public required string IdentityKey { get; set; }
    public required string Channel { get; set; }
    public Guid Owner { get; set; }
    public DateTime LeaseExpiresAt { get; set; }
}

/// <summary>
/// Concurrent identical work runs once. A run claims its (identity key, channel) pairs in the database, so processes
/// sharing one database see each other's work; within a process, requests for pairs another request of the same process
/// is already handling wait for it in memory and never touch the database, so a thousand identical requests cost one
/// claim, one run and a thousand cache reads.
/// </summary>
public sealed class InFlightWork(TributaryDbFactory dbs, TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<(Guid Workspace, string Key, string Channel), Run> _local = new();

    /// <summary>One request's part in the in-flight registry of this process.</summary>
    public sealed class Run(Guid id, Guid workspaceId)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        internal readonly List<(Guid, string, string)> Held = [];

        public Guid Id { get; } = id;
        public Guid WorkspaceId { get; } = workspaceId;
        /// <summary>Completes when the request that holds these pairs has settled (or given up).</summary>
        public Task Done => _done.Task;
        internal void Finish() => _done.TrySetResult();
    }

    /// <summary>The pair name of a channel: discover runs join only discover runs.</summary>
    public static string PairChannel(string channel, bool discover) => discover ? "discover:" + channel : channel;

    /// <summary>
    /// Claims go to the database only where several processes share it (PostgreSQL). A SQLite file has one server process
    /// (DESIGN §8), for which the in-memory registry is the whole truth, and a claim row would cost a write transaction on
    /// the file's single write lock for every run.
    /// </summary>
    public bool UsesDatabase { get; } = dbs.Provider == DatabaseProvider.Postgres;

    public Run Begin(Guid runId, Guid workspaceId) => new(runId, workspaceId);

    /// <summary>
    /// Takes every pair of these channels for <paramref name="run"/> inside this process, all or none, or names the run of
    /// this process that already holds one of them (which the caller waits for, holding nothing itself). A run holding
    /// pairs here waits only on claims of other processes, and a run holding database claims waits on nothing, so no
    /// two runs can ever wait on each other.
    /// </summary>
    public Run? HoldLocally(Run run, IReadOnlyList<string> keys, IReadOnlyList<string> channels)
    {
        var taken = new List<(Guid, string, string)>();
        foreach (var channel in channels)
        foreach (var key in keys)
        {
            var pair = (run.WorkspaceId, key, channel);
            var holder = _local.GetOrAdd(pair, run);
            if (holder == run)
            {
                if (!run.Held.Contains(pair)) { taken.Add(pair); run.Held.Add(pair); }
                continue;
            }
            foreach (var t in taken)
            {
                _local.TryRemove(new KeyValuePair<(Guid, string, string), Run>(t, run));
                run.Held.Remove(t);
            }
            return holder;
        }
        return null;
    }

    /// <summary>
    /// Claims every pair of these channels in the database in one statement, all or none; a claim whose lease lapsed (its
    /// owner died) is taken over. False when another live run holds one of them (what this run got is given back).
    /// </summary>
    public async Task<bool> TryClaimAllAsync(Run run, IReadOnlyList<string> keys, IReadOnlyList<string> channels, CancellationToken ct)
    {
        if (channels.Count == 0 || keys.Count == 0 || !UsesDatabase) return true;
        var now = Now();
        var expires = now + Lease;
        var parameters = new List<object?> { now };
        // Pairs in one fixed order, so two claimants of overlapping sets take them in the same order.
        foreach (var channel in channels.Order(StringComparer.Ordinal))
        foreach (var key in keys.Order(StringComparer.Ordinal))
            parameters.AddRange([run.WorkspaceId, key, channel, run.Id, expires]);
        var pairs = (parameters.Count - 1) / 5;
        var sql = $$"""
            INSERT INTO inflight_claims (workspace_id, identity_key, channel, owner, lease_expires_at)
            VALUES {{Sql.ValuesList(pairs, 5, first: 1)}}
            ON CONFLICT (workspace_id, identity_key, channel) DO UPDATE SET owner = excluded.owner, lease_expires_at = excluded.lease_expires_at
            WHERE inflight_claims.lease_expires_at < {0}
            RETURNING channel
            """;
        await using var db = dbs.Create();
        var claimed = await Sql.QueryAsync(db, sql, parameters, r => r.GetString(0), ct);
        if (claimed.Count == pairs) return true;
        if (claimed.Count > 0) await EndInAsync(db, run, CancellationToken.None);
        return false;
    }

    /// <summary>
    /// Waits until no live claim of another run holds a pair of these channels, or <paramref name="until"/> fires. Returns
    /// the run that held them, for the trace.
    /// </summary>
    public async Task<Guid?> WaitForOthersAsync(Run run, IReadOnlyList<string> keys, IReadOnlyList<string> channels, CancellationToken until)
    {
        Guid? owner = null;
        while (!until.IsCancellationRequested && UsesDatabase)
        {
            var now = Now();
            await using (var db = dbs.Create())
            {
                var holder = await db.InFlightClaims.AsNoTracking()
                    .Where(c => c.WorkspaceId == run.WorkspaceId && keys.Contains(c.IdentityKey) && channels.Contains(c.Channel)
                                && c.Owner != run.Id && c.LeaseExpiresAt >= now)
                    .Select(c => (Guid?)c.Owner).FirstOrDefaultAsync(until).ConfigureAwait(false);
                if (holder is null) return owner;
                owner = holder;
            }
            try
            {
                await Task.Delay(PollEvery, time, until);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return owner;
    }

    /// <summary>
    /// Extends the leases of a run's claims; called every <see cref="RenewEvery"/> while it runs. A claim locked by another
    /// transaction is being ended by the run's own settlement (or taken over): it is skipped, not waited for. Measured at
    /// 200 synchronous requests/s on a busy server, renewals queued behind the settlement batches deleting their rows held
    /// 97 of the pool's 100 connections.
    /// </summary>
    public async Task RenewAsync(Run run, CancellationToken ct)
    {
        var expires = Now() + Lease;
        await using var db = dbs.Create();
        await Sql.ExecuteAsync(db, $"""
            UPDATE inflight_claims SET lease_expires_at = {expires}
            WHERE (workspace_id, identity_key, channel) IN (
                SELECT workspace_id, identity_key, channel FROM inflight_claims WHERE owner = {run.Id} FOR UPDATE SKIP LOCKED)
            """, ct);
    }

    /// <summary>Inside the settling transaction: the run's claims end with its result.</summary>
    public static Task<int> EndInAsync(TributaryDb db, Run run, CancellationToken ct) =>
        Sql.ExecuteAsync(db, $"DELETE FROM inflight_claims WHERE owner = {run.Id}", ct);

    /// <summary>Ends a run that never settled (an error, insufficient credits): its claims are dropped.</summary>
    public async Task AbandonAsync(Run run)
    {
        await using var db = dbs.Create();
        await EndInAsync(db, run, CancellationToken.None);
    }

    /// <summary>Lets the waiters of this process go, once the run's result is committed (or it gave up).</summary>
    public void Finish(Run run)
    {
        foreach (var pair in run.Held) _local.TryRemove(new KeyValuePair<(Guid, string, string), Run>(pair, run));
        run.Held.Clear();
        run.Finish();
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
