using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;

namespace Tributary.Server.Demo;

/// <summary>
/// In Development, an empty database gets a demo workspace with 1,000 credits and a full-permission key, printed
/// once, so the README's walk-through works with no set-up (DESIGN §2). Never runs in other environments.
/// </summary>
public static class DemoWorkspace
{
    public const long Credits = 1000;

    public static async Task<string?> SeedIfEmptyAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TributaryDb>();
        if (await db.Workspaces.AnyAsync(ct)) return null;
        var admin = scope.ServiceProvider.GetRequiredService<WorkspaceAdmin>();
        var workspace = await admin.CreateWorkspaceAsync(db, "demo", ct);
        var key = await admin.CreateKeyAsync(db, workspace.Id, "demo", Permissions.All, null, ct);
        await admin.AdjustCreditsAsync(db, workspace.Id, Credits, "demo workspace", ct);
        return key.Secret;
    }

    public static void Print(string secret, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("  Tributary demo workspace created (1,000 credits). Its API key, shown only this once:");
        output.WriteLine();
        output.WriteLine($"    export TRIBUTARY_KEY={secret}");
        output.WriteLine();
        output.WriteLine("  Try: curl -H \"Authorization: Bearer $TRIBUTARY_KEY\" http://localhost:5080/v1/credits");
        output.WriteLine();
    }
}
