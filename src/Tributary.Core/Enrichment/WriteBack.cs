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
        if (contact is null)
        {
            if (found.Count == 0 || !found.Keys.Any(c => FieldFor(c) is not null)) return new WriteBackResult(null, [], false);
            var now = clock.Next();
            contact = new Contact { Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, CreatedAt = now, UpdatedAt = now };
            var given = new ContactInput();
            foreach (var field in ContactFields.Scalars)
                if (known.TryGetValue(InputNameOf(field), out var v) && v.ValueKind == JsonValueKind.String) given.Values[field] = v.GetString();
            ContactFields.ApplyUserInput(contact, given, ContactFields.WriteMode.Replace, phoneCountries);
            db.Contacts.Add(contact);
            created = true;
        }

        var sources = FieldSource.ReadAll(contact.FieldSourcesJson);
        var updated = new List<string>();
        foreach (var (channel, result) in found)
        {
            if (FieldFor(channel) is not { } field || (onlyFields is not null && !onlyFields.Contains(field))) continue;
            if (result.Value.ValueKind != JsonValueKind.String) continue;
            var value = result.Value.GetString()!;
            var current = ContactFields.Get(contact, field);
            var userOwned = sources.TryGetValue(field, out var source) && source.IsUser && !string.IsNullOrEmpty(current);
            if (userOwned && !overwrite) continue;
            if (current == value) continue;
            ContactFields.Set(contact, field, value);
            sources[field] = new FieldSource(result.Source, result.Confidence, result.EnrichedAt, result.Verified);
            updated.Add(field);
        }
        if (updated.Count > 0 || created)
        {
            contact.FieldSourcesJson = FieldSource.WriteAll(sources);
            ContactFields.RefreshKeys(contact);
            contact.UpdatedAt = clock.Next();
            await db.SaveChangesAsync(ct);
            if (contact.CompanyDomain is { } domain) await companies.EnsureAsync(db, workspaceId, [(domain, contact.CompanyName)], ct);
        }
        return new WriteBackResult(contact, updated, created);
    }

    public static async Task<Contact?> MatchAsync(TributaryDb db, Guid workspaceId, IReadOnlyDictionary<string, JsonElement> known,
        IReadOnlyDictionary<string, ChannelResult> found, CancellationToken ct)
    {
        string? Text(string input, string channel) =>
            known.TryGetValue(input, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()
            : found.TryGetValue(channel, out var r) && r.Value.ValueKind == JsonValueKind.String ? r.Value.GetString() : null;
        var keys = new MatchKeys(
            Identity.EmailKey(Text("email", Channels.WorkEmail)), Identity.LinkedinKey(Text("linkedin_url", Channels.LinkedinUrl)),
            Identity.XKey(Text("x_handle", Channels.XHandle)), Identity.GithubKey(Text("github_username", Channels.GithubUsername)),
            Identity.NameKey(Text("first_name", "first_name"), Text("last_name", "last_name"), Text("company_domain", Channels.CompanyDomain)));
        if (keys.IsEmpty) return null;
        var matcher = await ContactMatcher.LoadAsync(ContactStore.InWorkspace(db, workspaceId), [keys], ct);
        return matcher.Find(keys);
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
