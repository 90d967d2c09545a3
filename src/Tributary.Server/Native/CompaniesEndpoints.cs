using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Companies;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.Docs;

namespace Tributary.Server.Native;

public static class CompaniesEndpoints
{
    public static IEndpointRouteBuilder MapCompanies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/companies").WithTags(ApiTags.Companies).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.ReadContacts);
        group.MapGet("/", ListCompanies);
        group.MapGet("/{id}", GetCompany);
        return app;
    }

    static async Task<Results<Ok<Listed<CompanyList>>, ErrorResult>> ListCompanies(
        HttpContext http, CallerContext caller, TributaryDb db, CompanyStore companies, CancellationToken ct)
    {
        if (ListQuery.TryParse(http.Request.Query, out var page, out var filterValues) is { } bad) return new ErrorResult(bad);
        var filter = CompanyFilter.Parse(filterValues, out var error);
        if (error is not null) return new ErrorResult(ApiError.Validation(error));
        var result = await companies.ListAsync(db, caller.WorkspaceId, filter, page, ct);
        return TypedResults.Ok(new Listed<CompanyList>(new CompanyList(result.Items.Select(CompanyDto.Of).ToList()), ListMeta.Of(result)));
    }

    static async Task<Results<Ok<Envelope<CompanyDto>>, ErrorResult>> GetCompany(
        string id, CallerContext caller, TributaryDb db, CompanyStore companies, CancellationToken ct)
    {
        if (Ids.TryParse(id, "company", out var companyId) is { } bad) return new ErrorResult(bad);
        var company = await companies.GetAsync(db, caller.WorkspaceId, companyId, ct);
        return company is null ? new ErrorResult(ApiError.NotFound("Company")) : TypedResults.Ok(new Envelope<CompanyDto>(CompanyDto.Of(company)));
    }
}
