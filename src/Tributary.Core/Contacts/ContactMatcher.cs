using Tributary.Core.Storage;

namespace Tributary.Core.Contacts;

/// <summary>The identity keys of one record, in matching precedence (DESIGN §4: email, LinkedIn, x/github, name+domain).</summary>
public sealed record MatchKeys(string? Email, string? Linkedin, string? X, string? Github, string? Name)
{
    public static MatchKeys Of(Contact c) => new(c.EmailKey, c.LinkedinKey, c.XKey, c.GithubKey, c.NameKey);

    public static MatchKeys Of(ContactInput i) => new(
        Identity.EmailKey(i["email"]), Identity.LinkedinKey(i["linkedin_url"]), Identity.XKey(i["x_handle"]),
        Identity.GithubKey(i["github_username"]), Identity.NameKey(i["first_name"], i["last_name"], i["company_domain"]));

    /// <summary>The keys as identity claims name them (see <see cref="IdentityClaims"/>).</summary>
    public IEnumerable<string> IdentityKeys
    {
        get
        {
            if (Email is not null) yield return "email:" + Email;
            if (Linkedin is not null) yield return "linkedin:" + Linkedin;
            if (X is not null) yield return "x:" + X;
            if (Github is not null) yield return "github:" + Github;
            if (Name is not null) yield return "name:" + Name;
        }
    }

    public bool IsEmpty => Email is null && Linkedin is null && X is null && Github is null && Name is null;
}

/// <summary>
/// Finds existing contacts for many records through their identity claims, then answers matches in precedence order.
/// Contacts added with <see cref="Remember"/> (created earlier in the same batch) match like stored ones.
/// </summary>
public sealed class ContactMatcher
{
    private readonly Dictionary<string, Contact> _email = new(), _linkedin = new(), _x = new(), _github = new(), _name = new();

    /// <summary>
    /// Loads the owners (DESIGN §4: the oldest contact holding a key) of every key of <paramref name="keys"/>, untracked,
    /// in one statement whatever their number.
    /// </summary>
    public static async Task<ContactMatcher> LoadAsync(TributaryDb db, Guid workspaceId, IReadOnlyCollection<MatchKeys> keys,
        CancellationToken ct)
    {
        var m = new ContactMatcher();
        var identityKeys = keys.SelectMany(k => k.IdentityKeys).Distinct(StringComparer.Ordinal).ToList();
        if (identityKeys.Count == 0) return m;
        var found = await Sql.EntitiesAsync<Contact>(db, "c", $$"""
            FROM contacts c WHERE c.workspace_id = {0} AND c.id IN
              (SELECT contact_id FROM identity_claims WHERE workspace_id = {0} AND {{Sql.InValues(db, "identity_key", 1)}})
            """, [workspaceId, Sql.ListArgument(db, identityKeys)], ct);
        // Oldest last, so that where owners of different keys share a key the oldest one wins, as it owns that key too.
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
