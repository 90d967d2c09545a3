namespace Tributary.Core.Providers.Verification;

/// <summary>The disposable-domain and role-account lists shipped as embedded resources under <c>Lists/</c>.</summary>
internal static class DomainLists
{
    private static readonly Lazy<HashSet<string>> Disposable = new(() => Load("disposable-domains.txt"));
    private static readonly Lazy<HashSet<string>> Roles = new(() => Load("role-accounts.txt"));

    public static int DisposableCount => Disposable.Value.Count;

    public static int RoleCount => Roles.Value.Count;

    /// <summary>The domain or one of its parent domains is listed, so <c>eu.mailinator.com</c> counts too.</summary>
    public static bool IsDisposable(string domain)
    {
        var set = Disposable.Value;
        for (var d = domain; ; )
        {
            if (set.Contains(d)) return true;
            var dot = d.IndexOf('.');
            if (dot < 0 || d.IndexOf('.', dot + 1) < 0) return false;
            d = d[(dot + 1)..];
        }
    }

    /// <summary>Compared case-insensitively and without a <c>+tag</c>, so <c>Sales+EU</c> is a role account.</summary>
    public static bool IsRole(string localPart)
    {
        var plus = localPart.IndexOf('+');
        var name = (plus > 0 ? localPart[..plus] : localPart).ToLowerInvariant();
        return Roles.Value.Contains(name);
    }

    private static HashSet<string> Load(string fileName)
    {
        var assembly = typeof(DomainLists).Assembly;
        var resource = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith("." + fileName, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The embedded list {fileName} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var entry = line.Trim();
            if (entry.Length > 0 && entry[0] != '#') set.Add(entry.ToLowerInvariant());
        }
        return set;
    }
}
