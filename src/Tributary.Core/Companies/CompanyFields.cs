using System.Text.Json;

namespace Tributary.Core.Companies;

/// <summary>The company channels as stored on a <see cref="Company"/>; values arrive as JSON from providers.</summary>
public static class CompanyFields
{
    public static readonly IReadOnlyList<string> All =
    [
        "name", "industry", "employee_count", "revenue_band", "founded_year", "hq_country", "hq_city", "tech_stack",
        "funding_stage", "last_funding_date", "total_raised_usd", "description", "logo_url", "company_linkedin_url",
    ];

    public static bool Has(string field) => All.Contains(field);

    public static object? Get(Company c, string field) => field switch
    {
        "name" => c.Name, "industry" => c.Industry, "employee_count" => c.EmployeeCount, "revenue_band" => c.RevenueBand,
        "founded_year" => c.FoundedYear, "hq_country" => c.HqCountry, "hq_city" => c.HqCity, "tech_stack" => c.TechStackJson,
        "funding_stage" => c.FundingStage, "last_funding_date" => c.LastFundingDate, "total_raised_usd" => c.TotalRaisedUsd,
        "description" => c.Description, "logo_url" => c.LogoUrl, "company_linkedin_url" => c.CompanyLinkedinUrl,
        _ => null,
    };

    /// <summary>Sets a field from a JSON value of the right kind; returns false when the value does not fit or is unchanged.</summary>
    public static bool Set(Company c, string field, JsonElement v)
    {
        string? Text() => v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Number ? v.GetRawText() : null;
        long? Number() => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n
            : v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), out var s) ? s : null;
        var before = Get(c, field);
        switch (field)
        {
            case "name": c.Name = Text() ?? c.Name; break;
            case "industry": c.Industry = Text() ?? c.Industry; break;
            case "employee_count": c.EmployeeCount = Number() is { } ec ? (int)ec : c.EmployeeCount; break;
            case "revenue_band": c.RevenueBand = Text() ?? c.RevenueBand; break;
            case "founded_year": c.FoundedYear = Number() is { } fy ? (int)fy : c.FoundedYear; break;
            case "hq_country": c.HqCountry = Text() ?? c.HqCountry; break;
            case "hq_city": c.HqCity = Text() ?? c.HqCity; break;
            case "tech_stack":
                if (v.ValueKind == JsonValueKind.Array) c.TechStackJson = JsonSerializer.Serialize(v.EnumerateArray().Select(x => x.ToString()).ToList());
                break;
            case "funding_stage": c.FundingStage = Text() ?? c.FundingStage; break;
            case "last_funding_date": c.LastFundingDate = Text() ?? c.LastFundingDate; break;
            case "total_raised_usd": c.TotalRaisedUsd = Number() ?? c.TotalRaisedUsd; break;
            case "description": c.Description = Text() ?? c.Description; break;
            case "logo_url": c.LogoUrl = Text() ?? c.LogoUrl; break;
            case "company_linkedin_url": c.CompanyLinkedinUrl = Text() ?? c.CompanyLinkedinUrl; break;
            default: return false;
        }
        return !Equals(before, Get(c, field));
    }
}
