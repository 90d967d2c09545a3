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
        // Hashing every key of a batch took an eighth of an import's CPU (perf); a workspace without suppressions needs none of it.
        if (!await Erasure.ErasureGuard.AnySuppressedAsync(db, workspaceId, ct)) return [];
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
    /// contact's empty fields; otherwise a new contact is created. Runs in one transaction. A new contact claims its
    /// identity keys before it is stored: a concurrent writer that matched before this one committed (and so found
    /// nobody either) loses the claim, and its records fill the winner's empty fields instead of making a second
    /// contact of the person (DESIGN §4).
    /// </summary>
    public Task<List<UpsertOutcome>> UpsertManyAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<ContactInput> inputs,
        IReadOnlyList<string> phoneCountries, CancellationToken ct = default)
    {
        var keys = inputs.Select(MatchKeys.Of).ToList();
        // Two writers claiming each other's keys can still deadlock on PostgreSQL; the one ended runs again from its
        // match, which then finds what the other one committed.
        return Deadlocks.RetryAsync(() =>
        {
            db.ChangeTracker.Clear();
            return db.Database.CreateExecutionStrategy().ExecuteAsync(() => UpsertManyOnceAsync(db, workspaceId, inputs, keys, phoneCountries, ct));
        }, ct);
    }

    private async Task<List<UpsertOutcome>> UpsertManyOnceAsync(TributaryDb db, Guid workspaceId, IReadOnlyList<ContactInput> inputs,
        List<MatchKeys> keys, IReadOnlyList<string> phoneCountries, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var matcher = await ContactMatcher.LoadAsync(db, workspaceId, keys, ct);
        var outcomes = new List<UpsertOutcome>(inputs.Count);
        var created = new List<Contact>();
        var inputsOf = new Dictionary<Guid, List<int>>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var existing = matcher.Find(keys[i]);
            if (existing is null)
            {
                var contact = NewContact(workspaceId);
                var fields = ContactFields.ApplyUserInput(contact, inputs[i], ContactFields.WriteMode.Replace, phoneCountries);
                created.Add(contact);
                inputsOf[contact.Id] = [i];
                matcher.Remember(contact);
                outcomes.Add(new UpsertOutcome(contact, true, fields));
            }
            else
            {
                // Stored contacts are read untracked and tracked from their first match on, so that only the ones
                // this call changes are saved; contacts created by this call are inserted after the loop.
                if (inputsOf.TryGetValue(existing.Id, out var merged)) merged.Add(i);
                else if (db.Entry(existing).State == EntityState.Detached) db.Contacts.Attach(existing);
                var fields = ContactFields.ApplyUserInput(existing, inputs[i], ContactFields.WriteMode.FillEmpty, phoneCountries);
                if (fields.Count > 0)
                {
                    existing.UpdatedAt = clock.Next();
                    matcher.Remember(existing);
                }
                outcomes.Add(new UpsertOutcome(existing, false, fields));
            }
        }
        var claimed = await IdentityClaims.ClaimAsync(db, workspaceId, created.SelectMany(c => CacheKeys.OfContact(c).Select(k => (c.Id, k))), ct);
        var lost = await LostToConcurrentWritersAsync(db, workspaceId, created, claimed, ct);
        foreach (var (loser, winner) in lost)
        {
            await db.IdentityClaims.Where(c => c.WorkspaceId == workspaceId && c.ContactId == loser.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.ContactId, winner.Id), ct);
            foreach (var i in inputsOf[loser.Id])
            {
                var fields = ContactFields.ApplyUserInput(winner, inputs[i], ContactFields.WriteMode.FillEmpty, phoneCountries);
                if (fields.Count > 0) winner.UpdatedAt = clock.Next();
                outcomes[i] = new UpsertOutcome(winner, false, fields);
            }
        }
        created.RemoveAll(lost.ContainsKey);
        var claimedFirst = created.Select(c => c.Id).ToHashSet();
        var touched = outcomes.Where(o => o.Created || o.ChangedFields.Count > 0).Select(o => o.Contact).Distinct().ToList();
        // The keys the changed contacts gained, claimed before any contact row is written: a row lock taken between two
        // claim statements is what two racing imports deadlocked on.
        await IdentityClaims.ClaimAsync(db, workspaceId,
            touched.Where(c => !claimedFirst.Contains(c.Id)).SelectMany(c => CacheKeys.OfContact(c).Select(k => (c.Id, k))), ct);
        await Sql.InsertManyAsync(db, created, ct);
        await db.SaveChangesAsync(ct);
        await EnsureCompaniesAsync(db, workspaceId, touched, ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return outcomes;
    }

    /// <summary>
    /// The new contacts of this call that a concurrent writer's contact already owns a key of (a claim this call did not
    /// get, held by a contact outside it), each with that owner (tracked): the owner of its most specific such key.
    /// </summary>
    private static async Task<Dictionary<Contact, Contact>> LostToConcurrentWritersAsync(TributaryDb db, Guid workspaceId,
        List<Contact> created, HashSet<string> claimed, CancellationToken ct)
    {
        var lost = new Dictionary<Contact, Contact>();
        var unclaimed = created.SelectMany(CacheKeys.OfContact).Where(k => !claimed.Contains(k)).Distinct(StringComparer.Ordinal).ToList();
        if (unclaimed.Count == 0) return lost;
        var ours = created.Select(c => c.Id).ToHashSet();
        var owners = (await Sql.QueryAsync(db,
                $"SELECT identity_key, contact_id FROM identity_claims WHERE workspace_id = {{0}} AND {Sql.InValues(db, "identity_key", 1)}",
                [workspaceId, Sql.ListArgument(db, unclaimed)], r => (Key: r.GetString(0), Contact: r.GetGuid(1)), ct))
            .Where(o => !ours.Contains(o.Contact)).ToDictionary(o => o.Key, o => o.Contact);
        if (owners.Count == 0) return lost;
        var winnerIds = owners.Values.Distinct().ToList();
        var winners = await InWorkspace(db, workspaceId).Where(c => winnerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        foreach (var contact in created)
            foreach (var key in CacheKeys.OfContact(contact)) // most specific first
                if (owners.TryGetValue(key, out var owner) && winners.TryGetValue(owner, out var winner))
                {
                    lost[contact] = winner;
                    break;
                }
        return lost;
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
