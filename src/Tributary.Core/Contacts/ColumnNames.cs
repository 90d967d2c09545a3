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

    /// <summary>
    /// The field a column (or JSON key) stands for under a caller's mapping of field → column: the mapping first, then
    /// <see cref="Canonical"/>. A field the mapping gives to another column, or to none (an empty name), is not read from a
    /// column that merely carries its name (null).
    /// </summary>
    public static string? FieldOf(string column, IReadOnlyDictionary<string, string>? mapping, IReadOnlyDictionary<string, string>? extra = null)
    {
        if (mapping is not null)
            foreach (var (field, mapped) in mapping)
                if (mapped.Length > 0 && string.Equals(mapped, column.Trim(), StringComparison.OrdinalIgnoreCase)) return field;
        var name = Canonical(column, extra);
        return mapping?.ContainsKey(name) == true ? null : name;
    }

    /// <summary>
    /// The first mapping whose column the header lacks: a map that would otherwise read nothing. A field mapped to no
    /// column (an empty name) is one the caller wants read from none.
    /// </summary>
    public static (string Field, string Column)? MissingColumn(IReadOnlyDictionary<string, string>? mapping, IEnumerable<string> header)
    {
        if (mapping is null) return null;
        var columns = header.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (field, column) in mapping)
            if (column.Length > 0 && !columns.Contains(column)) return (field, column);
        return null;
    }
}
