using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Waterfall;

public sealed class CacheOptions : IValidatedOptions
{
    public static string Section => "Tributary:Cache";

    public int TtlDays { get; set; } = 30;

    /// <summary>How long a clean "no provider had it" is remembered (DESIGN §6.2).</summary>
    public int MissTtlDays { get; set; } = 7;

    public IEnumerable<string> Validate()
    {
        if (TtlDays is < 1 or > 3650) yield return $"{Section}:TtlDays must be from 1 to 3650";
        if (MissTtlDays is < 1 or > 3650) yield return $"{Section}:MissTtlDays must be from 1 to 3650";
    }
}

/// <summary>What the cache answered for one record: found values, channels known to be misses, and the trace of both.</summary>
public sealed record CacheRead(Dictionary<string, ChannelResult> Found, HashSet<string> Misses, List<TraceStep> Trace)
{
    public static CacheRead Empty() => new(new(StringComparer.Ordinal), new(StringComparer.Ordinal), []);
}

/// <summary>
/// The result cache of DESIGN §6.2, in the database so that every server process and every surface shares it: one read
/// for every identity key and channel of a record, one statement to store a run's answers under every key it knows.
/// </summary>
public sealed class ResultCache(TimeProvider time, CacheOptions options)
{
    /// <param name="keys">The record's identity keys, most specific first (a hit under an earlier key wins).</param>
    /// <param name="missHashes">Per channel, the configuration a cached miss must match to count.</param>
    public async Task<CacheRead> ReadAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<string> keys, IReadOnlyCollection<string> channels,
        Func<string, string> missHashes, CancellationToken ct)
    {
        var read = CacheRead.Empty();
        if (keys.Count == 0 || channels.Count == 0) return read;
        var now = time.GetUtcNow().UtcDateTime;
        var channelList = channels.ToList();
        var entries = await Sql.QueryAsync(db, $$"""
            SELECT identity_key, channel, found, value_json, source, confidence, enriched_at, verified, email_status, config_hash
            FROM enrichment_cache
            WHERE workspace_id = {0} AND expires_at > {1} AND identity_key IN ({{Sql.InList(keys.Count, 2)}})
              AND channel IN ({{Sql.InList(channelList.Count, 2 + keys.Count)}})
            """, [workspaceId, now, .. keys, .. channelList], r => new CacheEntry
            {
                WorkspaceId = workspaceId, IdentityKey = r.GetString(0), Channel = r.GetString(1), Found = r.GetBoolean(2),
                ValueJson = r.IsDBNull(3) ? null : r.GetString(3), Source = r.IsDBNull(4) ? null : r.GetString(4), Confidence = r.GetDouble(5),
                EnrichedAt = DateTime.SpecifyKind(r.GetDateTime(6), DateTimeKind.Utc), Verified = r.IsDBNull(7) ? null : r.GetBoolean(7),
                EmailStatus = r.IsDBNull(8) ? null : r.GetString(8), ConfigHash = r.GetString(9),
            }, ct);
        foreach (var channel in channels)
        {
            var forChannel = entries.Where(e => e.Channel == channel).OrderBy(e => IndexOf(keys, e.IdentityKey)).ToList();
            if (forChannel.FirstOrDefault(e => e.Found) is { } hit)
            {
                read.Found[channel] = ToResult(hit);
                read.Trace.Add(new TraceStep { Provider = "cache", Outcome = "cache_hit", ChannelsAccepted = [channel], Detail = $"{KindOf(hit.IdentityKey)} key (from {hit.Source})" });
            }
            else if (forChannel.FirstOrDefault(e => !e.Found && e.ConfigHash == missHashes(channel)) is { } miss)
            {
                read.Misses.Add(channel);
                read.Trace.Add(new TraceStep { Provider = "cache", Outcome = "cache_miss", ChannelsAsked = [channel], Detail = $"{miss.IdentityKey}: no provider had it" });
            }
        }
        return read;
    }

    private static int IndexOf(IReadOnlyList<string> keys, string key)
    {
        for (var i = 0; i < keys.Count; i++) if (keys[i] == key) return i;
        return keys.Count;
    }

    /// <summary>
    /// Stores each channel's answer (a value, kept <c>TtlDays</c>; or null for a clean miss, kept <c>MissTtlDays</c>) under
    /// every identity key, in one statement. Callers do it in the transaction that stores and charges the run, so a run
    /// that never committed leaves nothing cached that was not paid for.
    /// </summary>
    public async Task StoreAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<string> keys,
        IEnumerable<(string Channel, ChannelResult? Result, string ConfigHash)> answers, CancellationToken ct,
        IReadOnlySet<string>? shortLived = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var found = now.AddDays(options.TtlDays);
        var missed = now.AddDays(options.MissTtlDays);
        const int columns = 12;
        var parameters = new List<object?>();
        foreach (var (channel, result, hash) in answers)
        foreach (var key in keys)
            parameters.AddRange([
                workspaceId, key, channel, result is not null, result?.Value.GetRawText(), result?.Source, result?.Confidence ?? 0,
                result?.EnrichedAt ?? now, result?.Verified, result?.EmailStatus, hash,
                result is null || shortLived?.Contains(channel) == true ? missed : found,
            ]);
        await Sql.InsertRowsAsync<int>(db, """
            INSERT INTO enrichment_cache (workspace_id, identity_key, channel, found, value_json, source, confidence,
                                          enriched_at, verified, email_status, config_hash, expires_at)
            """, """
            ON CONFLICT (workspace_id, identity_key, channel) DO UPDATE SET
                found = excluded.found, value_json = excluded.value_json, source = excluded.source,
                confidence = excluded.confidence, enriched_at = excluded.enriched_at, verified = excluded.verified,
                email_status = excluded.email_status, config_hash = excluded.config_hash, expires_at = excluded.expires_at
            """, columns, parameters, null, ct);
    }

    public static ChannelResult ToResult(CacheEntry e) => new(
        e.Channel, JsonDocument.Parse(e.ValueJson ?? "null").RootElement.Clone(), e.Source ?? "cache", e.Confidence,
        e.EnrichedAt, e.Verified, e.EmailStatus, FromCache: true);

    // Traces outlive the cache (and an erasure may race a trace written in the background): they name the kind of key, not its value.
    private static string KindOf(string identityKey) => identityKey[..Math.Max(0, identityKey.IndexOf(':'))];
}
