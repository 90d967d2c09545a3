namespace Tributary.Core.Providers.Phones;

/// <summary>The country filter applied when phones are delivered (DESIGN §5): the requested countries, else the workspace's.</summary>
public static class PhoneFilter
{
    public static IReadOnlyList<string> Countries(IReadOnlyList<string>? requested, IReadOnlyList<string> workspaceDefault) =>
        requested is { Count: > 0 } ? requested.Select(c => c.Trim().ToUpperInvariant()).ToList() : workspaceDefault;

    /// <summary>True when no countries are asked for, or the number belongs to one of them.</summary>
    public static bool Allows(string phone, IReadOnlyCollection<string> countries)
    {
        if (countries.Count == 0) return true;
        var parsed = PhoneNormalizer.TryNormalize(phone);
        return parsed is not null && countries.Contains(parsed.Country, StringComparer.OrdinalIgnoreCase);
    }
}
