using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;

namespace Tributary.Core.Waterfall;

public sealed class CacheOptions
{
    public const string Section = "Tributary:Cache";

    [Range(1, 3650)]
    public int TtlDays { get; set; } = 30;
}

/// <summary>
/// The result cache of DESIGN §6.2, in the database so that every server process and every surface shares it.
/// </summary>
public sealed class ResultCache(TimeProvider time, CacheOptions options)
{
    public async Task<List<CacheEntry>> LookupAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<string> keys,
        IReadOnlyCollection<string> channels, CancellationToken ct)
    {
        if (keys.Count == 0 || channels.Count == 0) return [];
        var now = time.GetUtcNow().UtcDateTime;
        return await db.CacheEntries.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && keys.Contains(e.IdentityKey) && channels.Contains(e.Channel) && e.ExpiresAt > now)
            .ToListAsync(ct);
    }

    /// <summary>Stores each channel's answer (a value, or null for a miss) under every identity key.</summary>
    public async Task StoreAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<string> keys,
        IEnumerable<(string Channel, ChannelResult? Result, string ConfigHash)> answers, CancellationToken ct)
    {
        var expires = time.GetUtcNow().UtcDateTime.AddDays(options.TtlDays);
        foreach (var (channel, result, hash) in answers)
        foreach (var key in keys)
        {
            var found = result is not null;
            var value = result is null ? null : result.Value.GetRawText();
            var source = result?.Source;
            var confidence = result?.Confidence ?? 0;
            var enrichedAt = result?.EnrichedAt ?? time.GetUtcNow().UtcDateTime;
            var verified = result?.Verified;
            var status = result?.EmailStatus;
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                 INSERT INTO enrichment_cache (workspace_id, identity_key, channel, found, value_json, source, confidence,
                                               enriched_at, verified, email_status, config_hash, expires_at)
                 VALUES ({workspaceId}, {key}, {channel}, {found}, {value}, {source}, {confidence}, {enrichedAt}, {verified},
                         {status}, {hash}, {expires})
                 ON CONFLICT (workspace_id, identity_key, channel) DO UPDATE SET
                     found = excluded.found, value_json = excluded.value_json, source = excluded.source,
                     confidence = excluded.confidence, enriched_at = excluded.enriched_at, verified = excluded.verified,
                     email_status = excluded.email_status, config_hash = excluded.config_hash, expires_at = excluded.expires_at
                 """, ct);
        }
    }

    public static ChannelResult ToResult(CacheEntry e) => new(
        e.Channel, JsonDocument.Parse(e.ValueJson ?? "null").RootElement.Clone(), e.Source ?? "cache", e.Confidence,
        e.EnrichedAt, e.Verified, e.EmailStatus, FromCache: true);
}
