using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tributary.Core.Contacts;

namespace Tributary.Core.Waterfall;

public static class CacheKeys
{
    /// <summary>Every identity key a set of known values yields (DESIGN §6.2), most specific first.</summary>
    public static List<string> From(IReadOnlyDictionary<string, JsonElement> known, bool company)
    {
        string? Text(string name) => known.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var keys = new List<string>();
        if (company)
        {
            if (Identity.Domain(Text("domain") ?? Text("company_domain")) is { } d) keys.Add("domain:" + d);
            return keys;
        }
        if (Identity.EmailKey(Text("email")) is { } e) keys.Add("email:" + e);
        if (Identity.LinkedinKey(Text("linkedin_url")) is { } l) keys.Add("linkedin:" + l);
        if (Identity.XKey(Text("x_handle")) is { } x) keys.Add("x:" + x);
        if (Identity.GithubKey(Text("github_username")) is { } g) keys.Add("github:" + g);
        if (Identity.NameKey(Text("first_name"), Text("last_name"), Text("company_domain")) is { } n) keys.Add("name:" + n);
        return keys;
    }

    /// <summary>The identity keys a stored contact is cached under.</summary>
    public static List<string> OfContact(Contact c)
    {
        var keys = new List<string>();
        if (c.EmailKey is { } e) keys.Add("email:" + e);
        if (c.LinkedinKey is { } l) keys.Add("linkedin:" + l);
        if (c.XKey is { } x) keys.Add("x:" + x);
        if (c.GithubKey is { } g) keys.Add("github:" + g);
        if (c.NameKey is { } n) keys.Add("name:" + n);
        return keys;
    }

    /// <summary>What a cached miss depends on: the channel's provider list and the workspace's min_confidence.</summary>
    public static string ConfigHash(IReadOnlyList<string> providers, double minConfidence) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\u001f', providers) + "|" + minConfidence.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))[..16];
}
