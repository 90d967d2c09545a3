using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Hosting;

/// <summary>The production configuration the README shows (deploy/config.example.json) starts a server as it is.</summary>
[Collection(ServerProcessCollection.Name)]
public sealed class DeployExampleTests : IPostgresTests
{
    [DbFact]
    public async Task The_example_production_configuration_starts_with_its_providers_and_waterfalls()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Tributary.slnx"))) root = root.Parent;
        var example = Path.Combine(root!.FullName, "deploy", "config.example.json");
        var admin = JsonDocument.Parse(await File.ReadAllTextAsync(example)).RootElement.GetProperty("Tributary").GetProperty("AdminToken").GetString()!;
        File.Exists(Path.Combine(root.FullName, "deploy", "tributary.service")).ShouldBeTrue();

        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        // Only the database differs: the example's own points at a server this machine need not have.
        await using var server = await ServerProcess.StartAsync("Production", env: new Dictionary<string, string>
        {
            ["TRIBUTARY_CONFIG"] = example,
            ["Tributary__Database__ConnectionString"] = database.ConnectionString,
        });
        server.Output.ShouldContain("Waterfall work_email: vendor_a → vendor_b → pattern");
        server.Output.ShouldContain("Provider vendor_a: type http");
        using var client = server.Client(admin);
        (await client.PostAsJsonAsync("/admin/workspaces", new { name = "deployed" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await server.Client().GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
