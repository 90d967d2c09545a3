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
    public const string Name = "demo";

    public sealed record Created(Guid WorkspaceId, string Secret);

    public static async Task<Created?> SeedIfEmptyAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TributaryDb>();
        if (await db.Workspaces.AnyAsync(ct)) return null;
        var admin = scope.ServiceProvider.GetRequiredService<WorkspaceAdmin>();
        var workspace = await admin.CreateWorkspaceAsync(db, Name, ct);
        var key = await admin.CreateKeyAsync(db, workspace.Id, Name, Permissions.All, null, ct);
        await admin.AdjustCreditsAsync(db, workspace.Id, Credits, "demo workspace", ct);
        return new Created(workspace.Id, key.Secret);
    }

    /// <summary><c>dotnet run --project src/Tributary.Server -- demo-key</c>: a new full-permission key for the demo workspace.</summary>
    public static async Task<int> PrintNewKeyAsync(IServiceProvider services, IHostEnvironment environment, TextWriter output, TextWriter errors)
    {
        if (!environment.IsDevelopment())
        {
            await errors.WriteLineAsync("tributary: demo-key works only in the Development environment (the default of dotnet run)");
            return 1;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TributaryDb>();
        var workspace = await db.Workspaces.Where(w => w.Name == Name).OrderBy(w => w.CreatedAt).FirstOrDefaultAsync();
        if (workspace is null)
        {
            await errors.WriteLineAsync("tributary: there is no demo workspace yet; start the server once (dotnet run --project src/Tributary.Server)");
            return 1;
        }
        var key = await scope.ServiceProvider.GetRequiredService<WorkspaceAdmin>().CreateKeyAsync(db, workspace.Id, Name, Permissions.All, null);
        await output.WriteLineAsync($"export TRIBUTARY_KEY={key.Secret}");
        await output.WriteLineAsync($"# a new key of the demo workspace {workspace.Id}; keys made before it keep working");
        return 0;
    }

    public static void Print(Created demo, string address, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"  Tributary demo workspace {demo.WorkspaceId} created ({Credits:N0} credits). Its API key, shown only this once:");
        output.WriteLine();
        output.WriteLine($"    export TRIBUTARY_KEY={demo.Secret}");
        output.WriteLine();
        output.WriteLine($"  Web console: {address}/app (sign in with that key; data/demo/sample-leads.csv is a CSV to enrich)");
        output.WriteLine($"  Try: curl -H \"Authorization: Bearer $TRIBUTARY_KEY\" {address}/v1/credits");
        output.WriteLine("  Lost it? dotnet run --project src/Tributary.Server -- demo-key");
        output.WriteLine();
    }
}
