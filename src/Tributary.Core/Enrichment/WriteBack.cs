using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Common;
using Tributary.Core.Companies;
using Tributary.Core.Contacts;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Enrichment;

public sealed record WriteBackResult(Contact? Contact, IReadOnlyList<string> UpdatedFields, bool Created);

/// <summary>
/// Stores what a run found on the workspace's contact (DESIGN §4): matched on email, LinkedIn, x/github, then
/// first+last+company_domain; created only when something was found; a value the user entered is never replaced
/// unless the caller says overwrite; an older enriched value may be.
/// </summary>
public sealed class WriteBack(CreationClock clock, CompanyStore companies)
{
    /// <summary>Contact fields a person channel is stored in.</summary>
    public static string? FieldFor(string channel) => channel switch
    {
        Channels.WorkEmail => "email",
        Channels.Signals => null,
        _ when Channels.IsCompany(channel) => null,
        _ => channel,
    };

    public async Task<WriteBackResult> ToContactAsync(TributaryDb db, Guid workspaceId, IReadOnlyDictionary<string, JsonElement> known,
        IReadOnlyDictionary<string, ChannelResult> found, bool overwrite, IReadOnlyList<string> phoneCountries,
        IReadOnlySet<string>? onlyFields, Contact? target, CancellationToken ct)
    {
        var contact = target ?? await MatchAsync(db, workspaceId, known, found, ct);
        var created = false;
        List<string> updated;
        if (contact is null)
        {
            if (found.Count == 0 || !found.Keys.Any(c => FieldFor(c) is not null)) return new WriteBackResult(null, [], false);
            var now = clock.Next();
            var fresh = new Contact { Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, CreatedAt = now, UpdatedAt = now };
            var given = new ContactInput();
            foreach (var field in ContactFields.Scalars)
                if (known.TryGetValue(InputNameOf(field), out var v) && v.ValueKind == JsonValueKind.String) given.Values[field] = v.GetString();
            ContactFields.ApplyUserInput(fresh, given, ContactFields.WriteMode.Replace, phoneCountries);
            updated = Apply(fresh, found, overwrite, onlyFields);
            ContactFields.RefreshKeys(fresh);
            // The person is new only if this run claims every key it knows them by; a writer that got there first owns
            // them, and this run writes to that contact instead (DESIGN §4).
            var keys = CacheKeys.OfContact(fresh);
            var claimed = await IdentityClaims.ClaimAsync(db, workspaceId, keys.Select(k => (fresh.Id, k)), ct);
            if (claimed.Count == keys.Count)
            {
                contact = fresh;
                created = true;
            }
            else
            {
                var winner = (await IdentityClaims.OwnerAsync(db, workspaceId, keys.Where(k => !claimed.Contains(k)).ToList(), ct))!.Value;
                await db.IdentityClaims.Where(c => c.WorkspaceId == workspaceId && c.ContactId == fresh.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(c => c.ContactId, winner), ct);
                contact = await ContactStore.InWorkspace(db, workspaceId).FirstAsync(c => c.Id == winner, ct);
                updated = Apply(contact, found, overwrite, onlyFields);
            }
        }
        else updated = Apply(contact, found, overwrite, onlyFields);

        if (updated.Count > 0 || created)
        {
            var keysBefore = created ? [] : CacheKeys.OfContact(contact);
            ContactFields.RefreshKeys(contact);
            contact.UpdatedAt = clock.Next();
            if (created) await Sql.InsertAsync(db, contact, ct);
            else
            {
                await db.SaveChangesAsync(ct);
                await IdentityClaims.ReleaseAsync(db, workspaceId, contact.Id, keysBefore.Except(CacheKeys.OfContact(contact)).ToList(), ct);
                await IdentityClaims.ClaimAsync(db, contact, ct);
            }
            if (contact.CompanyDomain is { } domain) await companies.EnsureAsync(db, workspaceId, [(domain, contact.CompanyName)], ct);
        }
        return new WriteBackResult(contact, updated, created);
    }

    /// <summary>Writes the found values a contact may take: never over a value its user entered, unless <paramref name="overwrite"/>.</summary>
    private static List<string> Apply(Contact contact, IReadOnlyDictionary<string, ChannelResult> found, bool overwrite, IReadOnlySet<string>? onlyFields)
    {
        var sources = FieldSource.ReadAll(contact.FieldSourcesJson);
        var updated = new List<string>();
        foreach (var (field, value, result) in Changes(contact, sources, found, overwrite, onlyFields))
        {
            ContactFields.Set(contact, field, value);
            sources[field] = new FieldSource(result.Source, result.Confidence, result.EnrichedAt, result.Verified);
            updated.Add(field);
        }
        if (updated.Count > 0) contact.FieldSourcesJson = FieldSource.WriteAll(sources);
        return updated;
    }

    /// <summary>Whether writing these values back would change the contact (a cached answer usually changes nothing).</summary>
    public static bool WouldChange(Contact contact, IReadOnlyDictionary<string, ChannelResult> found, bool overwrite, IReadOnlySet<string>? onlyFields) =>
        Changes(contact, FieldSource.ReadAll(contact.FieldSourcesJson), found, overwrite, onlyFields).Any();

    private static IEnumerable<(string Field, string Value, ChannelResult Result)> Changes(Contact contact, Dictionary<string, FieldSource> sources,
        IReadOnlyDictionary<string, ChannelResult> found, bool overwrite, IReadOnlySet<string>? onlyFields)
    {
        foreach (var (channel, result) in found)
        {
            if (FieldFor(channel) is not { } field || (onlyFields is not null && !onlyFields.Contains(field))) continue;
            if (result.Value.ValueKind != JsonValueKind.String) continue;
            var value = result.Value.GetString()!;
            var current = ContactFields.Get(contact, field);
            var userOwned = sources.TryGetValue(field, out var source) && source.IsUser && !string.IsNullOrEmpty(current);
            if (userOwned && !overwrite) continue;
            if (current == value) continue;
            yield return (field, value, result);
        }
    }

    /// <summary>The workspace contact a record belongs to: the owner of its most specific identity key (DESIGN §4).</summary>
    public static async Task<Contact?> MatchAsync(TributaryDb db, Guid workspaceId, IReadOnlyDictionary<string, JsonElement> known,
        IReadOnlyDictionary<string, ChannelResult> found, CancellationToken ct, bool track = true)
    {
        // What the caller gave wins over what the run found, key by key.
        var identity = new Dictionary<string, JsonElement>(known, StringComparer.Ordinal);
        foreach (var (channel, result) in found) identity.TryAdd(Channels.InputName(channel), result.Value);
        var keys = CacheKeys.From(identity, company: false);
        if (keys.Count == 0) return null;
        // The owner of the most specific key and its contact in one statement (a cached answer's whole write-back check).
        var rank = string.Join(" ", keys.Select((_, i) => $"WHEN {{{i + 1}}} THEN {i}"));
        var sql = $$"""
            FROM identity_claims i JOIN contacts c ON c.id = i.contact_id
            WHERE i.workspace_id = {0} AND c.workspace_id = {0} AND i.identity_key IN ({{Sql.InList(keys.Count, 1)}})
            ORDER BY CASE i.identity_key {{rank}} END
            LIMIT 1
            """;
        var owner = (await Sql.EntitiesAsync<Contact>(db, "c", sql, [workspaceId, .. keys], ct)).FirstOrDefault();
        // The write-back changes it through the context; a read-only check leaves it untracked.
        if (owner is not null && track) db.Contacts.Attach(owner);
        return owner;
    }

    /// <summary>Stores company channels on the company of that domain (one record per domain), creating it if needed.</summary>
    public async Task<(Company? Company, IReadOnlyList<string> Updated)> ToCompanyAsync(TributaryDb db, Guid workspaceId, string domain,
        IReadOnlyDictionary<string, ChannelResult> found, bool overwrite, CancellationToken ct)
    {
        var d = Identity.Domain(domain);
        if (d is null) return (null, []);
        await companies.EnsureAsync(db, workspaceId, [(d, null)], ct);
        var company = await db.Companies.FirstAsync(c => c.WorkspaceId == workspaceId && c.Domain == d, ct);
        var sources = FieldSource.ReadAll(company.FieldSourcesJson);
        var updated = new List<string>();
        foreach (var (channel, result) in found)
        {
            var field = channel == Channels.CompanyName ? "name" : channel;
            if (!CompanyFields.Has(field)) continue;
            var userOwned = sources.TryGetValue(field, out var s) && s.IsUser && CompanyFields.Get(company, field) is not null;
            if (userOwned && !overwrite) continue;
            if (!CompanyFields.Set(company, field, result.Value)) continue;
            sources[field] = new FieldSource(result.Source, result.Confidence, result.EnrichedAt, result.Verified);
            updated.Add(field);
        }
        if (updated.Count > 0)
        {
            company.FieldSourcesJson = FieldSource.WriteAll(sources);
            company.UpdatedAt = clock.Next();
            await db.SaveChangesAsync(ct);
        }
        return (company, updated);
    }

    private static string InputNameOf(string field) => field == "email" ? "email" : field;
}
