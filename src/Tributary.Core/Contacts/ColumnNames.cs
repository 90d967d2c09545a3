namespace Tributary.Core.Contacts;

/// <summary>How a column header written by a person (a CSV header, a JSON key) is read as one of Tributary's names.</summary>
public static class ColumnNames
{
    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["work_email"] = "email", ["email_address"] = "email", ["firstname"] = "first_name", ["first"] = "first_name",
        ["lastname"] = "last_name", ["last"] = "last_name", ["name"] = "full_name", ["fullname"] = "full_name",
        ["title"] = "job_title", ["company"] = "company_name", ["website"] = "company_domain", ["linkedin"] = "linkedin_url",
        ["phone_number"] = "phone", ["twitter"] = "x_handle", ["x"] = "x_handle", ["github"] = "github_username",
    };

    /// <summary>Trimmed, lower case, spaces and hyphens as underscores, then the common aliases (and <paramref name="extra"/> ones) resolved.</summary>
    public static string Canonical(string column, IReadOnlyDictionary<string, string>? extra = null)
    {
        var name = column.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
        return extra?.GetValueOrDefault(name) ?? Aliases.GetValueOrDefault(name, name);
    }
}
