namespace Tributary.Core.Contacts;

/// <summary>
/// Normalised identity keys, used to match records (write-back, import upsert) and, later, as result-cache keys.
/// </summary>
public static class Identity
{
    public static string? EmailKey(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    /// <summary>The LinkedIn profile slug: scheme, host, <c>www.</c>, query and trailing slash ignored.</summary>
    public static string? LinkedinKey(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var v = StripUrl(url);
        var at = v.IndexOf("/in/", StringComparison.Ordinal);
        if (at >= 0) v = v[(at + 4)..];
        else if (v.StartsWith("linkedin.com/", StringComparison.Ordinal)) v = v["linkedin.com/".Length..];
        var slash = v.IndexOf('/');
        if (slash >= 0) v = v[..slash];
        return v.Length == 0 ? null : Uri.UnescapeDataString(v);
    }

    public static string? XKey(string? handle) => HandleKey(handle, "x.com/", "twitter.com/");

    public static string? GithubKey(string? username) => HandleKey(username, "github.com/");

    public static string? NameKey(string? first, string? last, string? domain)
    {
        var d = Domain(domain);
        if (string.IsNullOrWhiteSpace(first) || string.IsNullOrWhiteSpace(last) || d is null) return null;
        return $"{first.Trim().ToLowerInvariant()}|{last.Trim().ToLowerInvariant()}|{d}";
    }

    /// <summary>A company domain: lower case, without scheme, <c>www.</c>, path or port.</summary>
    public static string? Domain(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = StripUrl(value);
        var cut = v.IndexOfAny(['/', ':']);
        if (cut >= 0) v = v[..cut];
        v = v.Trim('.');
        return v.Length == 0 ? null : v;
    }

    private static string? HandleKey(string? value, params string[] hosts)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = StripUrl(value);
        foreach (var host in hosts)
            if (v.StartsWith(host, StringComparison.Ordinal)) v = v[host.Length..];
        var slash = v.IndexOf('/');
        if (slash >= 0) v = v[..slash];
        v = v.TrimStart('@');
        return v.Length == 0 ? null : v;
    }

    private static string StripUrl(string value)
    {
        var v = value.Trim().ToLowerInvariant();
        foreach (var scheme in (ReadOnlySpan<string>)["https://", "http://"])
            if (v.StartsWith(scheme, StringComparison.Ordinal)) v = v[scheme.Length..];
        if (v.StartsWith("www.", StringComparison.Ordinal)) v = v[4..];
        var q = v.IndexOfAny(['?', '#']);
        if (q >= 0) v = v[..q];
        return v.TrimEnd('/');
    }
}
