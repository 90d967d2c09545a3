using Microsoft.EntityFrameworkCore;
using Tributary.Core.Common;
using Tributary.Core.Companies;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Webhooks;

namespace Tributary.Core.Contacts;

public sealed record UpsertOutcome(Contact Contact, bool Created, IReadOnlyList<string> ChangedFields);

public abstract record CreateOutcome
{
    public sealed record Created(Contact Contact) : CreateOutcome;
    /// <summary>One of the contact's identity keys is on the workspace's suppression list (DESIGN §4): nothing was stored.</summary>
    public sealed record Suppressed : CreateOutcome;
}

public abstract record UpdateOutcome
{
    public sealed record Updated(Contact Contact) : UpdateOutcome;
    public sealed record NotFound : UpdateOutcome;
    /// <summary>The change gives the contact an identity key on the suppression list (DESIGN §4): nothing was changed.</summary>
    public sealed record Suppressed : UpdateOutcome;
}

/// <summary>Contacts of one workspace: create, read, update, delete, search and upsert (bulk and import).</summary>
public sealed class ContactStore(CompanyStore companies, CreationClock clock)
{
    public static IQueryable<Contact> InWorkspace(TributaryDb db, Guid workspaceId) =>
        db.Contacts.Where(c => c.WorkspaceId == workspaceId);

    public async Task<CreateOutcome> CreateAsync(TributaryDb db, Guid workspaceId, ContactInput input, IReadOnlyList<string> phoneCountries,
        CancellationToken ct = default)
    {
        var contact = NewContact(workspaceId);
        ContactFields.ApplyUserInput(contact, input, ContactFields.WriteMode.Replace, phoneCountries);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if ((await Erasure.ErasureGuard.SuppressedAsync(db, workspaceId, SuppressibleKeys(contact), ct)).Count > 0)
            return new CreateOutcome.Suppressed();
        db.Contacts.Add(contact);
        await db.SaveChangesAsync(ct);
        await IdentityClaims.ClaimAsync(db, contact, ct); // keys another contact owns stay with it
        await EnsureCompaniesAsync(db, workspaceId, [contact], ct);
        await tx.CommitAsync(ct);
        return new CreateOutcome.Created(contact);
    }

    /// <summary>The positions of the inputs that name a suppressed identity (bulk and import refuse them).</summary>
    public static async Task<List<int>> SuppressedAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<ContactInput> inputs, CancellationToken ct)
    {
        var keys = inputs.Select(i => KeysOf(i).ToList()).ToList();
        var listed = await Erasure.ErasureGuard.SuppressedAsync(db, workspaceId, keys.SelectMany(k => k), ct);
        return listed.Count == 0 ? [] : Enumerable.Range(0, inputs.Count).Where(i => keys[i].Any(listed.Contains)).ToList();
    }

    private static IEnumerable<string> KeysOf(ContactInput input)
    {
        foreach (var key in MatchKeys.Of(input).IdentityKeys) yield return key;
        if (Identity.EmailKey(input["personal_email"]) is { } personal) yield return "email:" + personal;
    }

    private static IEnumerable<string> SuppressibleKeys(Contact contact)
    {
        foreach (var key in CacheKeys.OfContact(contact)) yield return key;
        if (Identity.EmailKey(contact.PersonalEmail) is { } personal) yield return "email:" + personal;
    }

    public Task<Contact?> GetAsync(TributaryDb db, Guid workspaceId, Guid id, CancellationToken ct = default) =>
        InWorkspace(db, workspaceId).FirstOrDefaultAsync(c => c.Id == id, ct);

    public async Task<UpdateOutcome> UpdateAsync(TributaryDb db, Guid workspaceId, Guid id, ContactInput input,
        IReadOnlyList<string> phoneCountries, CancellationToken ct = default)
    {
        var contact = await GetAsync(db, workspaceId, id, ct);
        if (contact is null) return new UpdateOutcome.NotFound();
        var keysBefore = CacheKeys.OfContact(contact);
        var suppressibleBefore = SuppressibleKeys(contact).ToList();
        var changed = ContactFields.ApplyUserInput(contact, input, ContactFields.WriteMode.Replace, phoneCountries);
        if (changed.Count == 0) return new UpdateOutcome.Updated(contact);
        contact.UpdatedAt = clock.Next();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var added = SuppressibleKeys(contact).Except(suppressibleBefore).ToList();
        if (added.Count > 0 && (await Erasure.ErasureGuard.SuppressedAsync(db, workspaceId, added, ct)).Count > 0)
        {
            db.ChangeTracker.Clear();
            return new UpdateOutcome.Suppressed();
        }
        await db.SaveChangesAsync(ct);
        var keysAfter = CacheKeys.OfContact(contact);
        await IdentityClaims.ReleaseAsync(db, workspaceId, contact.Id, keysBefore.Except(keysAfter).ToList(), ct);
        await IdentityClaims.ClaimAsync(db, contact, ct);
        if (changed.Contains("company_domain") || changed.Contains("company_name"))
            await EnsureCompaniesAsync(db, workspaceId, [contact], ct);
        await tx.CommitAsync(ct);
        return new UpdateOutcome.Updated(contact);
    }

    public Task<Page<Contact>> SearchAsync(TributaryDb db, Guid workspaceId, ContactFilter filter, PageRequest page,
        CancellationToken ct = default) =>
        Paging.RunAsync(filter.Apply(InWorkspace(db, workspaceId).AsNoTracking()), page, c => c.CreatedAt, c => c.Seq, ct);

    /// <summary>
    /// Upserts records in order: a record matching a stored contact (or one earlier in the same call) fills that
    /// contact's empty fields; otherwise a new contact is created. Runs in one transaction.
    /// </summary>
    public async Task<List<UpsertOutcome>> UpsertManyAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<ContactInput> inputs,
        IReadOnlyList<string> phoneCountries, CancellationToken ct = default)
    {
        var keys = inputs.Select(MatchKeys.Of).ToList();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var matcher = await ContactMatcher.LoadAsync(db, workspaceId, keys, ct);
            var outcomes = new List<UpsertOutcome>(inputs.Count);
            var created = new List<Contact>();
            for (var i = 0; i < inputs.Count; i++)
            {
                var existing = matcher.Find(keys[i]);
                if (existing is null)
                {
                    var contact = NewContact(workspaceId);
                    var fields = ContactFields.ApplyUserInput(contact, inputs[i], ContactFields.WriteMode.Replace, phoneCountries);
                    created.Add(contact);
                    matcher.Remember(contact);
                    outcomes.Add(new UpsertOutcome(contact, true, fields));
                }
                else
                {
                    // Stored contacts are read untracked and tracked from their first match on, so that only the ones
                    // this call changes are saved; contacts created by this call are inserted after the loop.
                    if (db.Entry(existing).State == EntityState.Detached && !created.Contains(existing)) db.Contacts.Attach(existing);
                    var fields = ContactFields.ApplyUserInput(existing, inputs[i], ContactFields.WriteMode.FillEmpty, phoneCountries);
                    if (fields.Count > 0)
                    {
                        existing.UpdatedAt = clock.Next();
                        matcher.Remember(existing);
                    }
                    outcomes.Add(new UpsertOutcome(existing, false, fields));
                }
            }
            await Sql.InsertManyAsync(db, created, ct);
            await db.SaveChangesAsync(ct);
            var touched = outcomes.Where(o => o.Created || o.ChangedFields.Count > 0).Select(o => o.Contact).ToList();
            await IdentityClaims.ClaimAsync(db, workspaceId, touched.SelectMany(c => CacheKeys.OfContact(c).Select(k => (c.Id, k))), ct);
            await EnsureCompaniesAsync(db, workspaceId, touched, ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
            return outcomes;
        });
    }

    private Task EnsureCompaniesAsync(TributaryDb db, Guid workspaceId, IEnumerable<Contact> contacts, CancellationToken ct) =>
        companies.EnsureAsync(db, workspaceId,
            contacts.Where(c => c.CompanyDomain is not null).Select(c => (c.CompanyDomain!, c.CompanyName)), ct);

    private Contact NewContact(Guid workspaceId)
    {
        var now = clock.Next();
        return new Contact { Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, CreatedAt = now, UpdatedAt = now };
    }
}
