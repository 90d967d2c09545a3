using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Erasure;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Docs;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

/// <summary>
/// Erasure of a person, the erasure log and the suppression list (DESIGN §4). Suppression entries show the kind of key
/// and its hash, never the value: the list can be read without handing out the people on it.
/// </summary>
public static class ErasureEndpoints
{
    public sealed record ErasureDto(Guid ErasureId, IReadOnlyList<Guid> ContactIds, int IdentityKeys, bool Suppressed, DateTime ErasedAt);

    public sealed record ErasureLogDto(Guid Id, Guid ErasureId, Guid? ContactId, Guid? KeyId, bool Suppressed, DateTime ErasedAt)
    {
        public static ErasureLogDto Of(ErasureLogEntry e) => new(e.Id, e.ErasureId, e.ContactId, e.KeyId, e.Suppressed, e.ErasedAt);
    }

    public sealed record ErasureLogList(IReadOnlyList<ErasureLogDto> Erasures);

    public sealed record SuppressionDto(Guid Id, string Kind, string KeyHash, Guid? CreatedByKeyId, DateTime CreatedAt)
    {
        public static SuppressionDto Of(Suppression s) => new(s.Id, s.Kind, s.KeyHash, s.CreatedByKeyId, s.CreatedAt);
    }

    public sealed record SuppressionListDto(IReadOnlyList<SuppressionDto> Suppressions);

    public static IEndpointRouteBuilder MapErasure(this IEndpointRouteBuilder app)
    {
        var erasures = app.MapGroup("/v1/erasures").WithTags(ApiTags.Erasure).WithErrorShape(NativeErrorShape.Instance);
        erasures.MapPost("/", ErasePerson).RequirePermission(Permissions.WriteContacts);
        erasures.MapGet("/", ListErasures).RequirePermission(Permissions.AdminWorkspace);
        var suppressions = app.MapGroup("/v1/suppressions").WithTags(ApiTags.Erasure).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.AdminWorkspace);
        suppressions.MapGet("/", ListSuppressions);
        suppressions.MapPost("/", AddSuppressions);
        suppressions.MapDelete("/{id}", RemoveSuppression);
        return app;
    }

    static async Task<Results<Ok<Envelope<ErasureDto>>, ErrorResult>> ErasePerson(
        IdentityRequest? body, CallerContext caller, ErasureService erasure, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject(IdentityRequest.IdentityRequired));
        if (body.Validate(allowSuppress: true, out var keys) is { } bad) return new ErrorResult(bad);
        var result = await erasure.EraseAsync(new ErasureRequest(caller.WorkspaceId, keys, [], body.Suppress ?? false, caller.KeyId), ct);
        return TypedResults.Ok(new Envelope<ErasureDto>(Dto(result)));
    }

    public static ErasureDto Dto(ErasureResult r) => new(r.ErasureId, r.ContactIds, r.Keys, r.Suppressed, r.ErasedAt);

    static async Task<Results<Ok<Listed<ErasureLogList>>, ErrorResult>> ListErasures(
        HttpContext http, CallerContext caller, ErasureLog log, CancellationToken ct)
    {
        if (ListQuery.TryParse(http.Request.Query, out var page, out var rest) is { } bad) return new ErrorResult(bad);
        if (rest.FirstOrDefault() is { Key: { } unknown }) return new ErrorResult(ApiError.Validation($"unknown filter '{unknown}'"));
        var result = await log.PageAsync(caller.WorkspaceId, page, ct);
        return TypedResults.Ok(new Listed<ErasureLogList>(new ErasureLogList(result.Items.Select(ErasureLogDto.Of).ToList()), ListMeta.Of(result)));
    }

    static async Task<Results<Ok<Listed<SuppressionListDto>>, ErrorResult>> ListSuppressions(
        HttpContext http, CallerContext caller, SuppressionList list, CancellationToken ct)
    {
        if (ListQuery.TryParse(http.Request.Query, out var page, out var rest) is { } bad) return new ErrorResult(bad);
        if (rest.FirstOrDefault() is { Key: { } unknown }) return new ErrorResult(ApiError.Validation($"unknown filter '{unknown}'"));
        var result = await list.PageAsync(caller.WorkspaceId, page, ct);
        return TypedResults.Ok(new Listed<SuppressionListDto>(new SuppressionListDto(result.Items.Select(SuppressionDto.Of).ToList()), ListMeta.Of(result)));
    }

    /// <summary>Lists the identity keys of the body; stored data is left alone (POST /v1/erasures with suppress: true also erases).</summary>
    static async Task<Results<Created<Envelope<SuppressionListDto>>, ErrorResult>> AddSuppressions(
        IdentityRequest? body, CallerContext caller, SuppressionList list, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject(IdentityRequest.IdentityRequired));
        if (body.Validate(allowSuppress: false, out var keys) is { } bad) return new ErrorResult(bad);
        var entries = await list.AddAsync(caller.WorkspaceId, keys, caller.KeyId, ct);
        return TypedResults.Created("/v1/suppressions", new Envelope<SuppressionListDto>(new SuppressionListDto(entries.Select(SuppressionDto.Of).ToList())));
    }

    static async Task<Results<Ok<Envelope<DeletedBody>>, ErrorResult>> RemoveSuppression(
        string id, CallerContext caller, SuppressionList list, CancellationToken ct)
    {
        if (Ids.TryParse(id, "suppression", out var suppressionId) is { } bad) return new ErrorResult(bad);
        return await list.RemoveAsync(caller.WorkspaceId, suppressionId, ct)
            ? TypedResults.Ok(new Envelope<DeletedBody>(new DeletedBody(true, suppressionId)))
            : new ErrorResult(ApiError.NotFound("Suppression"));
    }
}
