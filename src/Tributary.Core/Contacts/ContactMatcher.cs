using Microsoft.EntityFrameworkCore;

namespace Tributary.Core.Contacts;

/// <summary>The identity keys of one record, in matching precedence (DESIGN §4: email, LinkedIn, x/github, name+domain).</summary>
public sealed record MatchKeys(string? Email, string? Linkedin, string? X, string? Github, string? Name)
{
    public static MatchKeys Of(Contact c) => new(c.EmailKey, c.LinkedinKey, c.XKey, c.GithubKey, c.NameKey);

    public static MatchKeys Of(ContactInput i) => new(
        Identity.EmailKey(i["email"]), Identity.LinkedinKey(i["linkedin_url"]), Identity.XKey(i["x_handle"]),
        Identity.GithubKey(i["github_username"]), Identity.NameKey(i["first_name"], i["last_name"], i["company_domain"]));

    public bool IsEmpty => Email is null && Linkedin is null && X is null && Github is null && Name is null;
}

/// <summary>
/// Finds existing contacts for many records with one query per key kind, then answers matches in precedence order.
/// Contacts added with <see cref="Remember"/> (created earlier in the same batch) match like stored ones.
/// </summary>
public sealed class ContactMatcher
{
    private readonly Dictionary<string, Contact> _email = new(), _linkedin = new(), _x = new(), _github = new(), _name = new();

    public static async Task<ContactMatcher> LoadAsync(IQueryable<Contact> workspaceContacts, IReadOnlyCollection<MatchKeys> keys,
        CancellationToken ct)
    {
        var m = new ContactMatcher();
        var emails = keys.Select(k => k.Email).OfType<string>().Distinct().ToList();
        var linkedins = keys.Select(k => k.Linkedin).OfType<string>().Distinct().ToList();
        var xs = keys.Select(k => k.X).OfType<string>().Distinct().ToList();
        var githubs = keys.Select(k => k.Github).OfType<string>().Distinct().ToList();
        var names = keys.Select(k => k.Name).OfType<string>().Distinct().ToList();
        var found = new List<Contact>();
        if (emails.Count > 0) found.AddRange(await workspaceContacts.Where(c => emails.Contains(c.EmailKey!)).ToListAsync(ct));
        if (linkedins.Count > 0) found.AddRange(await workspaceContacts.Where(c => linkedins.Contains(c.LinkedinKey!)).ToListAsync(ct));
        if (xs.Count > 0) found.AddRange(await workspaceContacts.Where(c => xs.Contains(c.XKey!)).ToListAsync(ct));
        if (githubs.Count > 0) found.AddRange(await workspaceContacts.Where(c => githubs.Contains(c.GithubKey!)).ToListAsync(ct));
        if (names.Count > 0) found.AddRange(await workspaceContacts.Where(c => names.Contains(c.NameKey!)).ToListAsync(ct));
        // Oldest first, so that when several stored contacts share a key the earliest one wins, consistently.
        foreach (var c in found.DistinctBy(c => c.Id).OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Seq))
            m.Remember(c);
        return m;
    }

    public Contact? Find(MatchKeys k) =>
        Get(_email, k.Email) ?? Get(_linkedin, k.Linkedin) ?? Get(_x, k.X) ?? Get(_github, k.Github) ?? Get(_name, k.Name);

    public void Remember(Contact c)
    {
        var k = MatchKeys.Of(c);
        if (k.Email is not null) _email[k.Email] = c;
        if (k.Linkedin is not null) _linkedin[k.Linkedin] = c;
        if (k.X is not null) _x[k.X] = c;
        if (k.Github is not null) _github[k.Github] = c;
        if (k.Name is not null) _name[k.Name] = c;
    }

    private static Contact? Get(Dictionary<string, Contact> map, string? key) =>
        key is not null && map.TryGetValue(key, out var c) ? c : null;
}
