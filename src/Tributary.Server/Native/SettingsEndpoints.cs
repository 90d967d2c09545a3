using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Storage;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;
using Tributary.Server.Auth;
using Tributary.Server.Errors;
using Tributary.Server.Docs;

namespace Tributary.Server.Native;

public static class SettingsEndpoints
{
    public static IEndpointRouteBuilder MapWorkspaceSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/workspace/settings").WithTags(ApiTags.Workspace).WithErrorShape(NativeErrorShape.Instance)
            .RequirePermission(Permissions.AdminWorkspace);
        group.MapGet("/", GetSettings);
        group.MapPatch("/", UpdateSettings);
        app.MapGet("/v1/workspace", GetWorkspace).WithTags(ApiTags.Workspace).WithErrorShape(NativeErrorShape.Instance).RequireApiKey();
        return app;
    }

    public sealed record WorkspaceView(Guid Id, string Name, DateTime CreatedAt);

    /// <summary>The key's workspace (any valid key), so that a user can tell which workspace a key opens.</summary>
    static Ok<Envelope<WorkspaceView>> GetWorkspace(CallerContext caller) =>
        TypedResults.Ok(new Envelope<WorkspaceView>(new WorkspaceView(caller.Workspace.Id, caller.Workspace.Name, caller.Workspace.CreatedAt)));

    static Ok<Envelope<WorkspaceSettings>> GetSettings(CallerContext caller) =>
        TypedResults.Ok(new Envelope<WorkspaceSettings>(WorkspaceSettings.Of(caller.Workspace)));

    static async Task<Results<Ok<Envelope<WorkspaceSettings>>, ErrorResult>> UpdateSettings(
        SettingsPatch? body, CallerContext caller, TributaryDb db, WorkspaceAdmin admin, WebhookTargetGuard targets, CancellationToken ct)
    {
        if (body is null) return new ErrorResult(ApiError.NotAnObject());
        var workspace = await db.Workspaces.FindAsync([caller.WorkspaceId], ct);
        if (await admin.UpdateSettingsAsync(db, workspace!, body, targets, ct) is { } error) return new ErrorResult(ApiError.Validation(error));
        return TypedResults.Ok(new Envelope<WorkspaceSettings>(WorkspaceSettings.Of(workspace!)));
    }
}
