using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Tributary.Core.Contacts;
using Tributary.Core.Jobs;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Erasure;

/// <param name="Keys">Identity keys of the person (<see cref="PersonKeys"/>); the stored contacts that hold any of them add theirs.</param>
/// <param name="ContactIds">Contacts to erase with every key they hold (<c>DELETE /v1/contacts/{id}</c>).</param>
/// <param name="KeyId">The API key that asked, for the erasure log.</param>
public sealed record ErasureRequest(Guid WorkspaceId, IReadOnlyList<string> Keys, IReadOnlyList<Guid> ContactIds, bool Suppress, Guid? KeyId);

public sealed record ErasureResult(Guid ErasureId, IReadOnlyList<Guid> ContactIds, int Keys, bool Suppressed, DateTime ErasedAt);

/// <summary>
/// Erases a person (DESIGN §4) in one transaction: their contacts and identity claims, the cache under every key they are
/// known by, their job items' inputs and results (the rows stay, redacted, as <see cref="JobItemStatus.Erased"/>, and
/// the ones still to run are counted as processed), seed 002's records of them, the traces and webhook messages about
/// them, and the bodies of stored idempotent responses that carry them. It tombstones the hashed keys so that no run in
/// flight stores them again, and with <see cref="ErasureRequest.Suppress"/> lists them for good. Documents that are not
/// indexed by person (job items, traces, webhook payloads) are found by a text search for the person's values, then
/// parsed and checked, so an erasure costs a scan of the workspace's rows of those tables: erasures are rare.
/// </summary>
public sealed class ErasureService(TributaryDbFactory dbs, JobQueue jobs, TimeProvider time, ILogger<ErasureService> log)
{
    public static readonly TimeSpan TombstoneLifetime = TimeSpan.FromHours(24);

    /// <summary>Erases <paramref name="contactId"/> and every key it holds; null when the workspace has no such contact.</summary>
    public async Task<ErasureResult?> EraseContactAsync(Guid workspaceId, Guid contactId, bool suppress, Guid? keyId, CancellationToken ct)
    {
        await using (var db = dbs.Create())
            if (!await ContactStore.InWorkspace(db, workspaceId).AnyAsync(c => c.Id == contactId, ct)) return null;
        return await EraseAsync(new ErasureRequest(workspaceId, [], [contactId], suppress, keyId), ct);
    }

    public async Task<ErasureResult> EraseAsync(ErasureRequest request, CancellationToken ct)
    {
        // A deadlock: a settlement batch that waited on this workspace's lock while holding a row this erasure needs.
        var result = await Deadlocks.RetryAsync(() => EraseOnceAsync(request, ct), ct);
        await TruncateWalAsync(ct);
        return result;
    }

    private async Task<ErasureResult> EraseOnceAsync(ErasureRequest request, CancellationToken ct)
    {
        var ws = request.WorkspaceId;
        await using var db = dbs.Create();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await ErasureGuard.ExcludeSettlementsAsync(db, ws, ct);
        var now = time.GetUtcNow().UtcDateTime;

        // Who the person is: their keys and contacts, widened by what their job items carry (a LinkedIn URL sent in a
        // record whose run found the email being erased), until nothing new turns up.
        var (keys, contactIds) = (new HashSet<string>(request.Keys, StringComparer.Ordinal), new HashSet<Guid>(request.ContactIds));
        List<JobItemRow> items = [];
        for (var round = 0; round < 4; round++)
        {
            (keys, contactIds) = await WhoAsync(db, ws, keys, contactIds, ct);
            items = await FindJobItemsAsync(db, ws, keys, contactIds, ct);
            var (keysBefore, contactsBefore) = (keys.Count, contactIds.Count);
            foreach (var item in items)
            {
                keys.UnionWith(PersonKeys.In(item.Input));
                keys.UnionWith(PersonKeys.In(item.Raw));
                keys.UnionWith(PersonKeys.In(item.Result));
                if (item.Result is not null && ItemContact(item.Result) is { } c) contactIds.Add(c);
            }
            if (keys.Count == keysBefore && contactIds.Count == contactsBefore) break;
        }
        var keyList = keys.Order(StringComparer.Ordinal).ToList();
        var idList = contactIds.ToList();

        await TombstoneAsync(db, ws, keyList, request.Suppress, request.KeyId, now, ct);

        // Stored responses first: their enrichment ids name traces to delete.
        var traceIds = new HashSet<Guid>(await EraseStoredResponsesAsync(db, ws, keyList, idList, now, ct));
        traceIds.UnionWith(await RedactJobItemsAsync(db, items, now, ct));
        await EraseTracesAsync(db, ws, keyList, traceIds, ct);
        await EraseWebhooksAsync(db, ws, keys, contactIds, items.Select(i => i.Id).ToHashSet(), ct);

        await db.LeadRecords.Where(r => r.WorkspaceId == ws && idList.Contains(r.ContactId)).ExecuteDeleteAsync(ct);
        await db.IdentityClaims.Where(c => c.WorkspaceId == ws && (idList.Contains(c.ContactId) || keyList.Contains(c.IdentityKey))).ExecuteDeleteAsync(ct);
        await db.Contacts.Where(c => c.WorkspaceId == ws && idList.Contains(c.Id)).ExecuteDeleteAsync(ct);
        await db.CacheEntries.Where(e => e.WorkspaceId == ws && keyList.Contains(e.IdentityKey)).ExecuteDeleteAsync(ct);
        // A run holding one of these keys settles into the tombstones; those waiting for it need not wait.
        await db.InFlightClaims.Where(c => c.WorkspaceId == ws && keyList.Contains(c.IdentityKey)).ExecuteDeleteAsync(ct);

        var erasureId = Guid.CreateVersion7();
        db.ErasureLog.AddRange((idList.Count == 0 ? [(Guid?)null] : idList.Select(id => (Guid?)id)).Select(id => new ErasureLogEntry
        {
            Id = Guid.CreateVersion7(), WorkspaceId = ws, ErasureId = erasureId, ContactId = id, KeyId = request.KeyId,
            Suppressed = request.Suppress, ErasedAt = now,
        }));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Erasure {Erasure}: {Contacts} contacts, {Keys} identity keys, suppress {Suppress}", erasureId, idList.Count, keyList.Count,
            request.Suppress);
        return new ErasureResult(erasureId, idList, keyList.Count, request.Suppress, now);
    }

    /// <summary>
    /// The person's keys and contacts: the contacts holding any key (or named), then their keys, and the keys the cache
    /// holds as found values under those keys (an email found for a LinkedIn URL), until nothing new turns up.
    /// </summary>
    private static async Task<(HashSet<string> Keys, HashSet<Guid> Contacts)> WhoAsync(TributaryDb db, Guid ws, IEnumerable<string> seedKeys,
        IEnumerable<Guid> seedContacts, CancellationToken ct)
    {
        var keys = new HashSet<string>(seedKeys, StringComparer.Ordinal);
        var contacts = new HashSet<Guid>(seedContacts);
        for (var round = 0; round < 5; round++)
        {
            var (keysBefore, contactsBefore) = (keys.Count, contacts.Count);
            var ids = contacts.ToList();
            List<string> Of(string kind) => keys.Where(k => PersonKeys.KindOf(k) == kind).Select(k => k[(kind.Length + 1)..]).ToList();
            var (emails, linkedins, xs, githubs, names) = (Of("email"), Of("linkedin"), Of("x"), Of("github"), Of("name"));
            var found = await ContactStore.InWorkspace(db, ws).AsNoTracking()
                .Where(c => ids.Contains(c.Id) || emails.Contains(c.EmailKey!) || linkedins.Contains(c.LinkedinKey!) || xs.Contains(c.XKey!)
                            || githubs.Contains(c.GithubKey!) || names.Contains(c.NameKey!))
                .ToListAsync(ct);
            foreach (var contact in found)
            {
                contacts.Add(contact.Id);
                keys.UnionWith(CacheKeys.OfContact(contact));
                if (Identity.EmailKey(contact.PersonalEmail) is { } personal) keys.Add("email:" + personal);
            }
            var keyList = keys.ToList();
            var cached = await db.CacheEntries.AsNoTracking()
                .Where(e => e.WorkspaceId == ws && keyList.Contains(e.IdentityKey) && e.Found && e.ValueJson != null)
                .Select(e => new { e.Channel, e.ValueJson }).ToListAsync(ct);
            foreach (var entry in cached)
            {
                using var value = JsonDocument.Parse(entry.ValueJson!);
                if (PersonKeys.OfValue(entry.Channel, value.RootElement) is { } key) keys.Add(key);
            }
            // And the other way: keys under which the cache holds one of the person's values (the LinkedIn URL whose run
            // found the email being erased).
            var (filter, args) = TextFilter(db, ["value_json"], keys, first: 1);
            var holders = await Sql.QueryAsync(db,
                $"SELECT identity_key, channel, value_json FROM enrichment_cache WHERE workspace_id = {{0}} AND value_json IS NOT NULL AND ({filter})",
                [ws, .. args], r => (Key: r.GetString(0), Channel: r.GetString(1), Value: r.GetString(2)), ct);
            foreach (var holder in holders)
            {
                using var value = JsonDocument.Parse(holder.Value);
                if (PersonKeys.OfValue(holder.Channel, value.RootElement) is { } key && keys.Contains(key) && !holder.Key.StartsWith("domain:", StringComparison.Ordinal))
                    keys.Add(holder.Key);
            }
            if (keys.Count == keysBefore && contacts.Count == contactsBefore) break;
        }
        return (keys, contacts);
    }

    private static async Task TombstoneAsync(TributaryDb db, Guid ws, List<string> keys, bool suppress, Guid? keyId, DateTime now, CancellationToken ct)
    {
        if (keys.Count == 0) return;
        // A key already listed for good stays so; a second erasure of a 24-hour one starts its day again.
        await ErasureGuard.TombstoneAsync(db, ws, keys, suppress ? null : now + TombstoneLifetime, ct);
        if (suppress) await SuppressionList.ListAsync(db, ws, keys, keyId, now, ct);
    }

    /// <summary>Stored idempotent responses that carry the person lose their body; a replay answers 410. Returns their enrichment ids.</summary>
    private static async Task<List<Guid>> EraseStoredResponsesAsync(TributaryDb db, Guid ws, List<string> keys, List<Guid> contacts, DateTime now,
        CancellationToken ct)
    {
        var tokens = keys.Select(k => ResponseSubjects.KeyToken(ws, k)).Concat(contacts.Select(ResponseSubjects.ContactToken)).ToList();
        if (tokens.Count == 0) return [];
        var where = string.Join(" OR ", tokens.Select((_, i) => $"subjects LIKE {{{i + 1}}}"));
        object?[] args = [ws, .. tokens.Select(t => (object?)$"% {t} %")];
        var resultIds = await Sql.QueryAsync(db, $"SELECT result_id FROM idempotency_records WHERE workspace_id = {{0}} AND result_id IS NOT NULL AND ({where})",
            args, r => r.GetGuid(0), ct);
        await Sql.ExecuteAsync(db, $$"""
            UPDATE idempotency_records SET body = NULL, headers_json = NULL, subjects = NULL, erased_at = {{{args.Length}}}
            WHERE workspace_id = {0} AND ({{where}})
            """, [.. args, now], ct);
        return resultIds;
    }

    private sealed record JobItemRow(long Seq, Guid Id, Guid JobId, string Status, string Input, string? Raw, string? Result, Guid? Contact, Guid? Enrichment);

    /// <summary>The job items about the person: found by text, then parsed and checked.</summary>
    private static async Task<List<JobItemRow>> FindJobItemsAsync(TributaryDb db, Guid ws, HashSet<string> keys, HashSet<Guid> contacts,
        CancellationToken ct)
    {
        var (filter, args) = TextFilter(db, ["input_json", "raw_json", "result_json"], keys, first: 2);
        var contactList = contacts.ToList();
        var byContact = contactList.Count == 0 ? "" : $"contact_id IN ({Sql.InList(contactList.Count, args.Count + 2)}) OR ";
        var candidates = await Sql.QueryAsync(db,
            $"SELECT seq, id, job_id, status, input_json, raw_json, result_json, contact_id, enrichment_id FROM job_items WHERE workspace_id = {{0}} AND status <> {{1}} AND ({byContact}{filter})",
            [ws, JobItemStatus.Erased, .. args, .. contactList.Select(c => (object?)c)],
            r => new JobItemRow(r.GetInt64(0), r.GetGuid(1), r.GetGuid(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetGuid(7), r.IsDBNull(8) ? null : r.GetGuid(8)), ct);
        return candidates.Where(i =>
                (i.Contact is { } c && contacts.Contains(c))
                || Carries(i.Input, keys) || Carries(i.Raw, keys) || Carries(i.Result, keys)
                || (i.Result is not null && ItemContact(i.Result) is { } rc && contacts.Contains(rc)))
            .ToList();
    }

    /// <summary>Redacts the person's job items; the ones not yet run are counted as processed. Returns their enrichment ids.</summary>
    private async Task<List<Guid>> RedactJobItemsAsync(TributaryDb db, List<JobItemRow> erased, DateTime now, CancellationToken ct)
    {
        if (erased.Count == 0) return [];
        foreach (var chunk in erased.Chunk(500))
            await Sql.ExecuteAsync(db, $$"""
                UPDATE job_items SET status = {1}, input_json = {2}, raw_json = NULL, result_json = NULL, error = NULL, contact_id = NULL,
                    enrichment_id = NULL, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, finished_at = COALESCE(finished_at, {0})
                WHERE seq IN ({{Sql.InList(chunk.Length, 3)}})
                """, [now, JobItemStatus.Erased, "{}", .. chunk.Select(i => (object?)i.Seq)], ct);
        // Items that had not run yet end here: counted as processed, so their job still ends and releases what it reserved.
        foreach (var job in erased.Where(i => i.Status is JobItemStatus.Pending or JobItemStatus.Running).GroupBy(i => i.JobId))
            await jobs.CountAsync(db, job.Key, new ItemCounts(job.Count(), 0, 0, 0), ct);
        return erased.Where(i => i.Enrichment is not null).Select(i => i.Enrichment!.Value).ToList();
    }

    private static async Task EraseTracesAsync(TributaryDb db, Guid ws, List<string> keys, HashSet<Guid> ids, CancellationToken ct)
    {
        foreach (var chunk in ids.Chunk(500))
        {
            var list = chunk.ToList();
            await db.EnrichmentRecords.Where(e => e.WorkspaceId == ws && list.Contains(e.Id)).ExecuteDeleteAsync(ct);
        }
        // A trace names no person, but a rejected value or a provider's detail may quote one.
        var (filter, args) = TextFilter(db, ["trace_json"], keys.ToHashSet(), first: 1);
        if (args.Count > 0) await Sql.ExecuteAsync(db, $"DELETE FROM enrichments WHERE workspace_id = {{0}} AND ({filter})", [ws, .. args], ct);
    }

    /// <summary>Messages about the person: by contact, by a value of theirs, or naming one of their job items (seed 003 posts its id).</summary>
    private static async Task EraseWebhooksAsync(TributaryDb db, Guid ws, HashSet<string> keys, HashSet<Guid> contacts, HashSet<Guid> items,
        CancellationToken ct)
    {
        var (filter, args) = TextFilter(db, ["payload_json"], keys, first: 1);
        foreach (var item in items)
        {
            filter += $" OR payload_json LIKE {{{args.Count + 1}}}";
            args.Add("%" + item.ToString("D") + "%");
        }
        var contactList = contacts.ToList();
        var byContact = contactList.Count == 0 ? "" : $"contact_id IN ({Sql.InList(contactList.Count, args.Count + 1)}) OR ";
        var candidates = await Sql.QueryAsync(db,
            $"SELECT id, payload_json, contact_id FROM webhook_messages WHERE workspace_id = {{0}} AND ({byContact}{filter})",
            [ws, .. args, .. contactList.Select(c => (object?)c)],
            r => (Id: r.GetGuid(0), Payload: r.GetString(1), Contact: r.IsDBNull(2) ? (Guid?)null : r.GetGuid(2)), ct);
        var ids = candidates.Where(m => (m.Contact is { } c && contacts.Contains(c)) || Carries(m.Payload, keys)
                                        || items.Any(i => m.Payload.Contains(i.ToString("D"), StringComparison.OrdinalIgnoreCase)))
            .Select(m => m.Id).ToList();
        foreach (var chunk in ids.Chunk(500))
        {
            var list = chunk.ToList();
            await db.WebhookAttempts.Where(a => list.Contains(a.MessageId)).ExecuteDeleteAsync(ct);
            await db.WebhookMessages.Where(m => list.Contains(m.Id)).ExecuteDeleteAsync(ct);
        }
    }

    /// <summary>"col LIKE {n} OR …" over every column and every needle of every key (case-insensitive on both databases).</summary>
    private static (string Filter, List<object?> Args) TextFilter(TributaryDb db, string[] columns, HashSet<string> keys, int first)
    {
        var like = db.Provider == DatabaseProvider.Postgres ? "ILIKE" : "LIKE";
        var needles = keys.SelectMany(PersonKeys.Needles).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(n => "%" + n.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%").ToList();
        var args = new List<object?>();
        var parts = new List<string>();
        foreach (var needle in needles)
        {
            var index = first + args.Count;
            args.Add(needle);
            parts.AddRange(columns.Select(c => $"{c} {like} {{{index}}} ESCAPE '\\'"));
        }
        return (parts.Count == 0 ? "1 = 0" : string.Join(" OR ", parts), args);
    }

    private static bool Carries(string? json, HashSet<string> keys) => json is not null && PersonKeys.In(json).Overlaps(keys);

    private static Guid? ItemContact(string resultJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(resultJson);
            return doc.RootElement.TryGetProperty("contact_id", out var c) && c.ValueKind == JsonValueKind.String && c.TryGetGuid(out var id) ? id : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// SQLite: with <c>secure_delete</c> the deleted rows are zeroed in the pages, but the WAL still holds the pages as
    /// they were before; a checkpoint that truncates it leaves no copy in the files. Retried while a reader holds an older
    /// snapshot (the checkpoint then answers busy).
    /// </summary>
    private async Task TruncateWalAsync(CancellationToken ct)
    {
        if (dbs.Provider != DatabaseProvider.Sqlite) return;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var db = dbs.Create();
            var busy = await Sql.QueryAsync(db, "PRAGMA wal_checkpoint(TRUNCATE)", [], r => r.GetInt32(0), ct);
            if (busy is [0]) return;
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, ct);
        }
        log.LogWarning("The SQLite WAL could not be truncated after an erasure (readers kept it busy); it is at the next checkpoint");
    }
}
