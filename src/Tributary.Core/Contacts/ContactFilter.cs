using System.Globalization;
using Tributary.Core.Contacts;

namespace Tributary.Core.Contacts;

/// <summary>The search filters of DESIGN §4, shared by the contact list and bulk selections.</summary>
public sealed record ContactFilter
{
    public static readonly IReadOnlyList<string> Names =
    [
        "search", "company_domain", "company_name", "job_title", "seniority", "location", "tag", "has_email",
        "has_phone", "created_after", "created_before",
    ];

    public string? Search { get; init; }
    public string? CompanyDomain { get; init; }
    public string? CompanyName { get; init; }
    public string? JobTitle { get; init; }
    public string? Seniority { get; init; }
    public string? Location { get; init; }
    public string? Tag { get; init; }
    public bool? HasEmail { get; init; }
    public bool? HasPhone { get; init; }
    public DateTime? CreatedAfter { get; init; }
    public DateTime? CreatedBefore { get; init; }

    /// <summary>
    /// Parses the filters of a JSON body (seed 002's bulk selection, jobs of stored contacts): a text value as it is,
    /// any other (<c>true</c>, <c>5</c>) as its JSON text, as a query string would carry it.
    /// </summary>
    public static ContactFilter Parse(IEnumerable<KeyValuePair<string, System.Text.Json.JsonElement>> values, out string? error) =>
        Parse(values.Select(p => new KeyValuePair<string, string?>(p.Key,
            p.Value.ValueKind == System.Text.Json.JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())).ToList(), out error);

    /// <summary>Parses filter values; an unknown name or a bad value is an error naming it.</summary>
    public static ContactFilter Parse(IEnumerable<KeyValuePair<string, string?>> values, out string? error)
    {
        error = null;
        var f = new ContactFilter();
        foreach (var (name, raw) in values)
        {
            var v = raw?.Trim();
            if (string.IsNullOrEmpty(v))
            {
                if (!Names.Contains(name)) { error = $"unknown filter '{name}'"; return f; }
                continue;
            }
            switch (name)
            {
                case "search": f = f with { Search = v }; break;
                case "company_domain": f = f with { CompanyDomain = Identity.Domain(v) }; break;
                case "company_name": f = f with { CompanyName = v }; break;
                case "job_title": f = f with { JobTitle = v }; break;
                case "seniority": f = f with { Seniority = v }; break;
                case "location": f = f with { Location = v }; break;
                case "tag": f = f with { Tag = v }; break;
                case "has_email" or "has_phone":
                    if (!bool.TryParse(v, out var b)) { error = $"filter '{name}' must be true or false"; return f; }
                    f = name == "has_email" ? f with { HasEmail = b } : f with { HasPhone = b };
                    break;
                case "created_after" or "created_before":
                    if (!DateTime.TryParse(v, CultureInfo.InvariantCulture,
                            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
                    { error = $"filter '{name}' must be an ISO 8601 date or time"; return f; }
                    f = name == "created_after" ? f with { CreatedAfter = d } : f with { CreatedBefore = d };
                    break;
                default:
                    error = $"unknown filter '{name}'; known filters: {string.Join(", ", Names)}";
                    return f;
            }
        }
        return f;
    }

    public IQueryable<Contact> Apply(IQueryable<Contact> q)
    {
        if (Search is { } s)
        {
            var t = s.ToLowerInvariant();
            q = q.Where(c => (c.FullName != null && c.FullName.ToLower().Contains(t))
                             || (c.FirstName != null && c.FirstName.ToLower().Contains(t))
                             || (c.LastName != null && c.LastName.ToLower().Contains(t))
                             || (c.Email != null && c.Email.Contains(t))
                             || (c.PersonalEmail != null && c.PersonalEmail.Contains(t)));
        }
        if (CompanyDomain is { } d) q = q.Where(c => c.CompanyDomain == d);
        if (CompanyName is { } cn) { var t = cn.ToLowerInvariant(); q = q.Where(c => c.CompanyName != null && c.CompanyName.ToLower().Contains(t)); }
        if (JobTitle is { } jt) { var t = jt.ToLowerInvariant(); q = q.Where(c => c.JobTitle != null && c.JobTitle.ToLower().Contains(t)); }
        if (Seniority is { } sn) { var t = sn.ToLowerInvariant(); q = q.Where(c => c.Seniority != null && c.Seniority.ToLower() == t); }
        if (Location is { } lo) { var t = lo.ToLowerInvariant(); q = q.Where(c => c.Location != null && c.Location.ToLower().Contains(t)); }
        if (Tag is { } tag)
        {
            var quoted = System.Text.Json.JsonSerializer.Serialize(tag).ToLowerInvariant();
            q = q.Where(c => c.TagsJson.ToLower().Contains(quoted));
        }
        if (HasEmail is { } he) q = he ? q.Where(c => c.Email != null) : q.Where(c => c.Email == null);
        if (HasPhone is { } hp) q = hp ? q.Where(c => c.Phone != null) : q.Where(c => c.Phone == null);
        if (CreatedAfter is { } ca) q = q.Where(c => c.CreatedAt > ca);
        if (CreatedBefore is { } cb) q = q.Where(c => c.CreatedAt < cb);
        return q;
    }
}
