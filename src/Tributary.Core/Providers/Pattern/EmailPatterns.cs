using System.Globalization;
using System.Text;

namespace Tributary.Core.Providers.Pattern;

/// <summary>The usual ways companies build work emails from names, and how to tell which one a known email follows.</summary>
public static class EmailPatterns
{
    public static readonly IReadOnlyList<string> All =
        ["first.last", "flast", "first", "firstlast", "first_last", "last.first", "f.last", "firstl", "first.l", "lastf", "last", "first-last"];

    public static string? Local(string pattern, string firstName, string lastName)
    {
        var f = Clean(firstName);
        var l = Clean(lastName);
        if (f.Length == 0 || l.Length == 0) return null;
        return pattern switch
        {
            "first.last" => $"{f}.{l}",
            "flast" => $"{f[0]}{l}",
            "first" => f,
            "firstlast" => f + l,
            "first_last" => $"{f}_{l}",
            "last.first" => $"{l}.{f}",
            "f.last" => $"{f[0]}.{l}",
            "firstl" => $"{f}{l[0]}",
            "first.l" => $"{f}.{l[0]}",
            "lastf" => $"{l}{f[0]}",
            "last" => l,
            "first-last" => $"{f}-{l}",
            _ => null,
        };
    }

    /// <summary>The patterns a known (first, last, email) fits.</summary>
    public static IEnumerable<string> Fitting(string firstName, string lastName, string email)
    {
        var local = email[..Math.Max(0, email.IndexOf('@'))].ToLowerInvariant();
        return All.Where(p => Local(p, firstName, lastName) == local);
    }

    /// <summary>Lower case, accents removed, letters and digits only ("José-Luis" → "joseluis").</summary>
    public static string Clean(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD))
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && char.IsAsciiLetterOrDigit(c)) sb.Append(c);
        return sb.ToString();
    }
}
