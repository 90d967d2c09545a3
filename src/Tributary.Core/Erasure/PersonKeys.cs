using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tributary.Core.Contacts;
using Tributary.Core.Waterfall;

namespace Tributary.Core.Erasure;

/// <summary>
/// Identity keys (<c>email:…</c>, <c>linkedin:…</c>, <c>x:…</c>, <c>github:…</c>, <c>name:first|last|domain</c>, as the
/// cache and the identity claims spell them) hashed for storage, and found in documents Tributary keeps (job inputs and
/// results, webhook payloads, stored responses).
/// </summary>
public static class PersonKeys
{
    public static readonly IReadOnlyList<string> Kinds = ["email", "linkedin", "x", "github", "name"];

    /// <summary>
    /// The stored form of a key: SHA-256 over the workspace and the key, so that no plaintext is kept and one workspace's
    /// hashes say nothing about another's.
    /// </summary>
    public static string Hash(Guid workspaceId, string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(workspaceId.ToString("N") + "\n" + key), hash);
        return Convert.ToHexStringLower(hash);
    }

    public static List<string> Hashes(Guid workspaceId, IEnumerable<string> keys) =>
        keys.Distinct(StringComparer.Ordinal).Select(k => Hash(workspaceId, k)).ToList();

    public static string KindOf(string key) => key[..key.IndexOf(':')];

    /// <summary>The keys of the identity fields of an erasure or suppression request; the names are the API's.</summary>
    public static List<string> OfIdentity(string? email, string? linkedinUrl, string? xHandle, string? githubUsername,
        string? firstName, string? lastName, string? companyDomain)
    {
        var keys = new List<string>();
        if (Identity.EmailKey(email) is { } e) keys.Add("email:" + e);
        if (Identity.LinkedinKey(linkedinUrl) is { } l) keys.Add("linkedin:" + l);
        if (Identity.XKey(xHandle) is { } x) keys.Add("x:" + x);
        if (Identity.GithubKey(githubUsername) is { } g) keys.Add("github:" + g);
        if (Identity.NameKey(firstName, lastName, companyDomain) is { } n) keys.Add("name:" + n);
        return keys;
    }

    private static readonly string[] EmailNames = ["email", "work_email", "personal_email", "emails"];
    private static readonly string[] LinkedinNames = ["linkedin_url", "linkedin", "linkedin_profile_url", "linkedinUrl"];
    private static readonly string[] XNames = ["x_handle", "twitter", "x"];
    private static readonly string[] GithubNames = ["github_username", "github"];
    private static readonly string[] FirstNames = ["first_name", "firstname", "firstName"];
    private static readonly string[] LastNames = ["last_name", "lastname", "lastName"];
    private static readonly string[] DomainNames = ["company_domain", "domain", "companyDomain"];

    /// <summary>
    /// Every identity key a JSON document carries, wherever it sits: any string that is an e-mail address or a LinkedIn
    /// profile URL, handles under the names the surfaces use (also as <c>{"x_handle":{"value":…}}</c>, as results store
    /// channels), and a first name, last name and company domain found in one object.
    /// </summary>
    public static HashSet<string> In(JsonElement document)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Walk(document, null, keys);
        return keys;
    }

    public static HashSet<string> In(string? json)
    {
        if (string.IsNullOrEmpty(json)) return [];
        try
        {
            using var doc = JsonDocument.Parse(json);
            return In(doc.RootElement);
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void Walk(JsonElement element, string? name, HashSet<string> keys)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                AddString(element.GetString()!, name, keys);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Walk(item, name, keys);
                break;
            case JsonValueKind.Object:
                string? first = null, last = null, domain = null;
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        var text = property.Value.GetString();
                        if (FirstNames.Contains(property.Name)) first = text;
                        else if (LastNames.Contains(property.Name)) last = text;
                        else if (DomainNames.Contains(property.Name)) domain = text;
                    }
                    // A stored channel: {"x_handle":{"value":"…",…}}.
                    if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("value", out var value))
                        Walk(value, property.Name, keys);
                    Walk(property.Value, property.Name, keys);
                }
                if (Identity.NameKey(first, last, domain) is { } n) keys.Add("name:" + n);
                break;
        }
    }

    private static void AddString(string text, string? name, HashSet<string> keys)
    {
        if (text.Length is 0 or > 2048) return;
        if (text.Contains('@') && !text.Contains(' ') && (name is null || EmailNames.Contains(name) || LooksLikeEmail(text)))
        {
            if (LooksLikeEmail(text) && Identity.EmailKey(text) is { } e) keys.Add("email:" + e);
        }
        if ((name is not null && LinkedinNames.Contains(name)) || text.Contains("linkedin.com/", StringComparison.OrdinalIgnoreCase))
            if (Identity.LinkedinKey(text) is { } l) keys.Add("linkedin:" + l);
        if (name is not null && XNames.Contains(name) && Identity.XKey(text) is { } x) keys.Add("x:" + x);
        if (name is not null && GithubNames.Contains(name) && Identity.GithubKey(text) is { } g) keys.Add("github:" + g);
    }

    private static bool LooksLikeEmail(string text)
    {
        var at = text.IndexOf('@');
        return at > 0 && at == text.LastIndexOf('@') && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.');
    }

    /// <summary>The identity keys a run's found values add (a found work email is an email key, and so on).</summary>
    public static IEnumerable<string> OfFound(IReadOnlyDictionary<string, ChannelResult> found)
    {
        foreach (var (channel, result) in found)
            if (OfValue(channel, result.Value) is { } key) yield return key;
    }

    /// <summary>The identity key a found value of <paramref name="channel"/> is, if it is one.</summary>
    public static string? OfValue(string channel, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String) return null;
        var text = value.GetString();
        return channel switch
        {
            Channels.WorkEmail or Channels.PersonalEmail => Identity.EmailKey(text) is { } e ? "email:" + e : null,
            Channels.LinkedinUrl => Identity.LinkedinKey(text) is { } l ? "linkedin:" + l : null,
            Channels.XHandle => Identity.XKey(text) is { } x ? "x:" + x : null,
            Channels.GithubUsername => Identity.GithubKey(text) is { } g ? "github:" + g : null,
            _ => null,
        };
    }

    /// <summary>
    /// Text that a stored document holding this key contains (the value itself, and its JSON-escaped spelling, as
    /// System.Text.Json escapes '+' and non-ASCII letters): the coarse filter before a document is parsed and checked.
    /// </summary>
    public static IEnumerable<string> Needles(string key)
    {
        var value = key[(key.IndexOf(':') + 1)..];
        // A name key is first|last|domain: a document holding it holds the last name.
        if (KindOf(key) == "name") value = value.Split('|')[1];
        yield return value;
        var escaped = JsonSerializer.Serialize(value)[1..^1];
        if (escaped != value) yield return escaped;
    }
}
