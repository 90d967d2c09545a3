namespace Tributary.Core.Waterfall;

/// <summary>The one flat namespace of channel names (DESIGN §5), in their canonical order.</summary>
public static class Channels
{
    public const string WorkEmail = "work_email";
    public const string PersonalEmail = "personal_email";
    public const string Phone = "phone";
    public const string LinkedinUrl = "linkedin_url";
    public const string JobTitle = "job_title";
    public const string Seniority = "seniority";
    public const string CompanyName = "company_name";
    public const string CompanyDomain = "company_domain";
    public const string Location = "location";
    public const string FullName = "full_name";
    public const string XHandle = "x_handle";
    public const string GithubUsername = "github_username";
    public const string Signals = "signals";

    public static readonly IReadOnlyList<string> Person =
    [
        WorkEmail, PersonalEmail, Phone, LinkedinUrl, JobTitle, Seniority, CompanyName, CompanyDomain, Location,
        FullName, XHandle, GithubUsername, Signals,
    ];

    public static readonly IReadOnlyList<string> Company =
    [
        "industry", "employee_count", "revenue_band", "founded_year", "hq_country", "hq_city", "tech_stack",
        "funding_stage", "last_funding_date", "total_raised_usd", "description", "logo_url", "company_linkedin_url",
    ];

    /// <summary>Priced together as one "profile" per record (DESIGN §6.1).</summary>
    public static readonly IReadOnlySet<string> Profile = new HashSet<string>
    {
        JobTitle, Seniority, CompanyName, CompanyDomain, Location, FullName, XHandle, GithubUsername,
    };

    public static readonly IReadOnlySet<string> Emails = new HashSet<string> { WorkEmail, PersonalEmail };

    public static bool IsKnown(string channel) => Person.Contains(channel) || Company.Contains(channel);

    public static bool IsCompany(string channel) => Company.Contains(channel);

    /// <summary>The name under which a found channel value is passed to later providers (a work email is the "email").</summary>
    public static string InputName(string channel) => channel == WorkEmail ? "email" : channel;
}
