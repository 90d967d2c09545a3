namespace Tributary.Core.Workspaces;

public static class Permissions
{
    public const string ReadContacts = "read:contacts";
    public const string WriteContacts = "write:contacts";
    public const string ReadEnrich = "read:enrich";
    public const string WriteEnrich = "write:enrich";
    public const string ReadCredits = "read:credits";
    public const string AdminWorkspace = "admin:workspace";

    public static readonly IReadOnlyList<string> All =
        [ReadContacts, WriteContacts, ReadEnrich, WriteEnrich, ReadCredits, AdminWorkspace];

    public static bool IsKnown(string permission) => All.Contains(permission);

    /// <summary>True when <paramref name="granted"/> opens <paramref name="required"/>: equal, or write:X for read:X.</summary>
    public static bool Allows(IEnumerable<string> granted, string required)
    {
        foreach (var g in granted)
        {
            if (g == required) return true;
            if (required.StartsWith("read:", StringComparison.Ordinal) && g == "write:" + required["read:".Length..]) return true;
        }
        return false;
    }
}
