using System.Text.Json;
using System.Text.RegularExpressions;
using Tributary.Core.Providers.Phones;

namespace Tributary.Core.Contacts;

/// <summary>The field list of a contact (DESIGN §4) and the rules for writing each field.</summary>
public static partial class ContactFields
{
    public const int MaxLength = 2048;

    public static readonly IReadOnlyList<string> Scalars =
    [
        "first_name", "last_name", "full_name", "email", "personal_email", "phone", "job_title", "seniority",
        "company_name", "company_domain", "linkedin_url", "x_handle", "github_username", "location",
    ];

    public static string? Get(Contact c, string field) => field switch
    {
        "first_name" => c.FirstName, "last_name" => c.LastName, "full_name" => c.FullName,
        "email" => c.Email, "personal_email" => c.PersonalEmail, "phone" => c.Phone,
        "job_title" => c.JobTitle, "seniority" => c.Seniority, "company_name" => c.CompanyName,
        "company_domain" => c.CompanyDomain, "linkedin_url" => c.LinkedinUrl, "x_handle" => c.XHandle,
        "github_username" => c.GithubUsername, "location" => c.Location,
        _ => throw new ArgumentException($"unknown contact field {field}", nameof(field)),
    };

    public static void Set(Contact c, string field, string? v)
    {
        switch (field)
        {
            case "first_name": c.FirstName = v; break;
            case "last_name": c.LastName = v; break;
            case "full_name": c.FullName = v; break;
            case "email": c.Email = v; break;
            case "personal_email": c.PersonalEmail = v; break;
            case "phone": c.Phone = v; break;
            case "job_title": c.JobTitle = v; break;
            case "seniority": c.Seniority = v; break;
            case "company_name": c.CompanyName = v; break;
            case "company_domain": c.CompanyDomain = v; break;
            case "linkedin_url": c.LinkedinUrl = v; break;
            case "x_handle": c.XHandle = v; break;
            case "github_username": c.GithubUsername = v; break;
            case "location": c.Location = v; break;
            default: throw new ArgumentException($"unknown contact field {field}", nameof(field));
        }
    }

    public static IEnumerable<string> Validate(ContactInput input)
    {
        foreach (var (field, value) in input.Values)
        {
            if (value is null) continue;
            if (value.Length > MaxLength) yield return $"'{field}' is longer than {MaxLength} characters";
            else if (field is "email" or "personal_email" && value.Trim().Length > 0 && !EmailSyntax().IsMatch(value.Trim()))
                yield return $"'{field}' is not a valid email address";
            else if (field == "company_domain" && value.Trim().Length > 0 && Identity.Domain(value) is null)
                yield return "'company_domain' is not a valid domain";
        }
        if (input.Tags is { } tags && tags.Any(t => t.Length > 200)) yield return "a tag is longer than 200 characters";
    }

    public enum WriteMode
    {
        /// <summary>Every given value is written (create, PATCH); null clears.</summary>
        Replace,
        /// <summary>Only empty fields are filled (bulk and import upserts).</summary>
        FillEmpty,
    }

    /// <summary>Writes user-supplied values onto a contact with provenance <c>user</c>; returns the fields that changed.</summary>
    public static List<string> ApplyUserInput(Contact c, ContactInput input, WriteMode mode, IReadOnlyList<string> phoneCountries)
    {
        var changed = new List<string>();
        var sources = FieldSource.ReadAll(c.FieldSourcesJson);
        foreach (var field in Scalars)
        {
            if (!input.Values.TryGetValue(field, out var raw)) continue;
            var value = Clean(field, raw, phoneCountries);
            var current = Get(c, field);
            if (mode == WriteMode.FillEmpty && (value is null || !string.IsNullOrEmpty(current))) continue;
            if (current == value) continue;
            Set(c, field, value);
            if (value is null) sources.Remove(field);
            else sources[field] = FieldSource.User;
            changed.Add(field);
        }
        if (input.TagsGiven && input.Tags is not null)
        {
            var tags = ReadTags(c);
            var next = mode == WriteMode.Replace
                ? input.Tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList()
                : tags.Concat(input.Tags.Select(t => t.Trim()).Where(t => t.Length > 0)).Distinct().ToList();
            if (!next.SequenceEqual(tags)) { c.TagsJson = JsonSerializer.Serialize(next); changed.Add("tags"); }
        }
        if (input.CustomGiven && input.Custom is not null)
        {
            var custom = ReadCustom(c);
            var before = JsonSerializer.Serialize(custom);
            if (mode == WriteMode.Replace) custom = new Dictionary<string, JsonElement>(input.Custom);
            else foreach (var (k, v) in input.Custom) custom.TryAdd(k, v);
            var after = JsonSerializer.Serialize(custom);
            if (after != before) { c.CustomJson = after; changed.Add("custom"); }
        }
        DeriveNames(c, sources, changed);
        c.FieldSourcesJson = FieldSource.WriteAll(sources);
        RefreshKeys(c);
        return changed;
    }

    public static List<string> ReadTags(Contact c) => JsonSerializer.Deserialize<List<string>>(c.TagsJson) ?? [];

    public static Dictionary<string, JsonElement> ReadCustom(Contact c) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.CustomJson) ?? [];

    public static void RefreshKeys(Contact c)
    {
        c.EmailKey = Identity.EmailKey(c.Email);
        c.LinkedinKey = Identity.LinkedinKey(c.LinkedinUrl);
        c.XKey = Identity.XKey(c.XHandle);
        c.GithubKey = Identity.GithubKey(c.GithubUsername);
        c.NameKey = Identity.NameKey(c.FirstName, c.LastName, c.CompanyDomain);
    }

    private static string? Clean(string field, string? raw, IReadOnlyList<string> phoneCountries)
    {
        if (raw is null) return null;
        var v = raw.Trim();
        if (v.Length == 0) return null;
        return field switch
        {
            "email" or "personal_email" => v.ToLowerInvariant(),
            "company_domain" => Identity.Domain(v),
            "phone" => PhoneNormalizer.NormalizeOrKeep(v, phoneCountries),
            _ => v,
        };
    }

    /// <summary>Full name from first and last, or first and last from a full name, when one side is missing.</summary>
    private static void DeriveNames(Contact c, Dictionary<string, FieldSource> sources, List<string> changed)
    {
        if (string.IsNullOrEmpty(c.FullName) && (!string.IsNullOrEmpty(c.FirstName) || !string.IsNullOrEmpty(c.LastName)))
        {
            c.FullName = string.Join(' ', new[] { c.FirstName, c.LastName }.Where(s => !string.IsNullOrEmpty(s)));
            sources["full_name"] = sources.GetValueOrDefault("first_name") ?? sources.GetValueOrDefault("last_name") ?? FieldSource.User;
            changed.Add("full_name");
        }
        else if (!string.IsNullOrEmpty(c.FullName) && string.IsNullOrEmpty(c.FirstName) && string.IsNullOrEmpty(c.LastName))
        {
            var parts = c.FullName.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2)
            {
                var source = sources.GetValueOrDefault("full_name") ?? FieldSource.User;
                (c.FirstName, c.LastName) = (parts[0], parts[1]);
                sources["first_name"] = source;
                sources["last_name"] = source;
                changed.Add("first_name");
                changed.Add("last_name");
            }
        }
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")]
    private static partial Regex EmailSyntax();
}
