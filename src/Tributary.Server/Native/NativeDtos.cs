using System.Text.Json;
using Tributary.Core.Common;
using Tributary.Core.Companies;
using Tributary.Core.Contacts;

namespace Tributary.Server.Native;

/// <summary>The native success envelope: every body is <c>{"data": …}</c>, lists add <c>meta</c>.</summary>
public sealed record Envelope<T>(T Data);

public sealed record ListMeta(int Page, int PerPage, long Total, string? NextCursor)
{
    public static ListMeta Of<T>(Page<T> page) => new(page.PageNumber, page.PerPage, page.Total, page.NextCursor);
}

public sealed record ContactList(IReadOnlyList<ContactDto> Contacts);
public sealed record CompanyList(IReadOnlyList<CompanyDto> Companies);
public sealed record Listed<T>(T Data, ListMeta Meta);

public sealed record DeletedBody(bool Deleted, Guid Id);

public sealed record ContactDto(
    Guid Id, string? FirstName, string? LastName, string? FullName, string? Email, string? PersonalEmail, string? Phone,
    string? JobTitle, string? Seniority, string? CompanyName, string? CompanyDomain, string? LinkedinUrl, string? XHandle,
    string? GithubUsername, string? Location, IReadOnlyList<string> Tags, IReadOnlyDictionary<string, JsonElement> Custom,
    IReadOnlyDictionary<string, FieldSource> FieldSources, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static ContactDto Of(Contact c) => new(
        c.Id, c.FirstName, c.LastName, c.FullName, c.Email, c.PersonalEmail, c.Phone, c.JobTitle, c.Seniority,
        c.CompanyName, c.CompanyDomain, c.LinkedinUrl, c.XHandle, c.GithubUsername, c.Location,
        ContactFields.ReadTags(c), ContactFields.ReadCustom(c), FieldSource.ReadAll(c.FieldSourcesJson), c.CreatedAt, c.UpdatedAt);
}

public sealed record CompanyDto(
    Guid Id, string? Name, string Domain, string? Industry, int? EmployeeCount, string? RevenueBand, int? FoundedYear,
    string? HqCountry, string? HqCity, IReadOnlyList<string>? TechStack, string? FundingStage, string? LastFundingDate,
    long? TotalRaisedUsd, string? Description, string? LogoUrl, string? CompanyLinkedinUrl,
    IReadOnlyDictionary<string, FieldSource> FieldSources, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static CompanyDto Of(Company c) => new(
        c.Id, c.Name, c.Domain, c.Industry, c.EmployeeCount, c.RevenueBand, c.FoundedYear, c.HqCountry, c.HqCity,
        c.TechStackJson is null ? null : JsonSerializer.Deserialize<List<string>>(c.TechStackJson), c.FundingStage,
        c.LastFundingDate, c.TotalRaisedUsd, c.Description, c.LogoUrl, c.CompanyLinkedinUrl,
        FieldSource.ReadAll(c.FieldSourcesJson), c.CreatedAt, c.UpdatedAt);
}
