namespace Tributary.Core.Providers.Verification;

/// <summary>An address that passed <see cref="EmailSyntax"/>, with its domain lower-cased.</summary>
internal sealed record MailAddress(string Local, string Domain)
{
    public string Value => $"{Local}@{Domain}";
}

/// <summary>
/// The subset of RFC 5322 addresses Tributary accepts: a dot-atom local part (no quoted strings, no comments) and a
/// host-name domain (no address literals), ASCII only, within the RFC 5321 length limits.
/// </summary>
internal static class EmailSyntax
{
    private const int MaxAddress = 254;
    private const int MaxLocal = 64;
    private const int MaxLabel = 63;
    private const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~";

    public static bool TryParse(string? input, out MailAddress address)
    {
        address = null!;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxAddress) return false;
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1) return false;
        var local = text[..at];
        var domain = text[(at + 1)..].ToLowerInvariant();
        if (!IsLocalPart(local) || !IsDomain(domain)) return false;
        address = new MailAddress(local, domain);
        return true;
    }

    private static bool IsLocalPart(string local) =>
        local.Length <= MaxLocal
        && local[0] != '.' && local[^1] != '.'
        && !local.Contains("..", StringComparison.Ordinal)
        && local.All(c => char.IsAsciiLetterOrDigit(c) || c == '.' || AtextSymbols.Contains(c));

    private static bool IsDomain(string domain)
    {
        var labels = domain.Split('.');
        if (labels.Length < 2) return false;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > MaxLabel || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        }
        var tld = labels[^1];
        return tld.Length >= 2 && (tld.All(char.IsAsciiLetterLower) || IsPunycode(tld));
    }

    private static bool IsPunycode(string label) =>
        label.Length > 4 && label.StartsWith("xn--", StringComparison.Ordinal);
}
