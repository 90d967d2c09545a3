using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Tributary.Tests.Contacts;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Hosting;

/// <summary>Starts real server processes the way DESIGN §2 tells an operator to.</summary>
[Collection(ServerProcessCollection.Name)]
public sealed partial class ServerProcessTests
{
    private const string FileToken = "file-admin-token-0123456789";
    private const string EnvToken = "env-admin-token-9876543210";

    [Fact]
    public async Task Production_reads_the_config_file_under_environment_variables_and_creates_nothing()
    {
        await using var server = await ServerProcess.StartAsync("Production",
            env: new Dictionary<string, string> { ["Tributary__AdminToken"] = EnvToken },
            configFile: new { Tributary = new { AdminToken = FileToken } });

        // The SQLite file lives in the working directory; appsettings.json came from the binary's folder (no EF chatter).
        File.Exists(Path.Combine(server.WorkingDirectory, "tributary.db")).ShouldBeTrue();
        server.Output.ShouldNotContain("Executed DbCommand");
        server.Output.ShouldNotContain("wbk_");
        (await CountWorkspacesAsync(Path.Combine(server.WorkingDirectory, "tributary.db"))).ShouldBe(0);

        using var withFileToken = server.Client(FileToken);
        (await withFileToken.PostAsJsonAsync("/admin/workspaces", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var admin = server.Client(EnvToken);
        (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var anonymous = server.Client();
        (await anonymous.GetAsync("/openapi/v1.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetStringAsync("/metrics")).ShouldContain("# TYPE");
    }

    [Fact]
    public async Task Development_creates_the_demo_workspace_once_and_prints_its_key()
    {
        var dir = Directory.CreateTempSubdirectory("tributary-dev-").FullName;
        string key;
        await using (var first = await ServerProcess.StartAsync("Development", workingDirectory: dir))
        {
            key = DemoKey().Match(first.Output).Groups[1].Value;
            key.ShouldStartWith("wbk_");
            using var client = first.Client(key);
            var credits = await (await client.GetAsync("/v1/credits")).Json();
            credits.GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(1000);

            // The shipped demo dataset answers offline.
            var chloe = await (await client.PostAsJsonAsync("/enrichment",
                new { linkedin_url = "https://www.linkedin.com/in/chloewalker", channels = new[] { "work_email", "phone" } })).ShouldBeOk();
            chloe.GetProperty("channels").GetProperty("work_email").GetProperty("value").GetString().ShouldBe("chloe.walker@westmarkrobotics.com");
            chloe.GetProperty("channels").GetProperty("phone").GetProperty("source").GetString().ShouldBe("demo");
            (await client.GetStringAsync("/metrics")).ShouldContain("tributary_provider_calls_total");
        }
        await using var second = await ServerProcess.StartAsync("Development", workingDirectory: dir);
        second.Output.ShouldNotContain("wbk_");
        using var again = second.Client(key);
        (await again.GetAsync("/v1/credits")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await CountWorkspacesAsync(Path.Combine(dir, "tributary.db"))).ShouldBe(1);
    }

    [Theory]
    [InlineData("Tributary__Database__Provider", "Oracle", "Tributary:Database:Provider")]
    [InlineData("Tributary__Limits__MaxJsonBytes", "lots", "Tributary:Limits:MaxJsonBytes")]
    [InlineData("Tributary__Limits__MaxImportBytes", "10", "Tributary:Limits:MaxImportBytes")]
    [InlineData("Tributary__Waterfall__phone__0", "ghost", "Tributary:Waterfall:phone")]
    [InlineData("Tributary__Providers__x__Type", "carrier-pigeon", "Tributary:Providers:x:Type")]
    [InlineData("Tributary__Verification__SmtpPort", "70000", "Tributary:Verification:SmtpPort")]
    [InlineData("Tributary__SyncDeadlineMs", "soon", "Tributary:SyncDeadlineMs")]
    public async Task A_bad_configuration_value_stops_the_process_naming_the_key(string variable, string value, string key)
    {
        await using var server = await ServerProcess.StartAsync("Production",
            env: new Dictionary<string, string> { [variable] = value }, waitHealthy: false);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        exit.ShouldNotBe(0);
        server.Output.ShouldContain(key);
        server.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Import_route_accepts_bodies_beyond_kestrels_default_cap()
    {
        await using var server = await ServerProcess.StartAsync("Production",
            env: new Dictionary<string, string> { ["Tributary__AdminToken"] = EnvToken });
        using var admin = server.Client(EnvToken);
        var ws = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "big" })).Json()).GetProperty("id").GetGuid();
        var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys",
            new { permissions = new[] { "write:contacts" } })).Json()).GetProperty("key").GetString()!;
        using var client = server.Client(key);

        var content = new PaddedCsvContent(rows: 32_000, padding: 1_000); // ≈ 33 MB, over Kestrel's 28.6 MiB default
        var response = await client.PostAsync("/v1/contacts/import", content);
        var report = (await response.ShouldBeOk()).GetProperty("data");
        report.GetProperty("created").GetInt64().ShouldBe(32_000);
        content.BytesWritten.ShouldBeGreaterThan(30L * 1024 * 1024);

        // …while an ordinary JSON route keeps its 1 MiB limit.
        var big = new string('x', 1_100_000);
        (await client.PostAsJsonAsync("/v1/contacts", new { email = "a@b.io", location = big })).StatusCode
            .ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    private static async Task<long> CountWorkspacesAsync(string dbPath)
    {
        await using var conn = new SqliteConnection($"Data Source={dbPath};Mode=ReadOnly");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM workspaces";
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [GeneratedRegex(@"(wbk_[0-9A-Za-z]{32})")]
    private static partial Regex DemoKey();
}

/// <summary>A CSV whose rows carry a long custom column, generated while sent.</summary>
public sealed class PaddedCsvContent(int rows, int padding) : HttpContent
{
    public long BytesWritten { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var pad = new string('p', padding);
        var buffer = new System.Text.StringBuilder();
        buffer.Append("email,custom.notes\n");
        for (var i = 0; i < rows; i++)
        {
            buffer.Append("big").Append(i).Append("@import.example,").Append(pad).Append('\n');
            if (buffer.Length > 256 * 1024 || i == rows - 1)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(buffer.ToString());
                await stream.WriteAsync(bytes);
                BytesWritten += bytes.Length;
                buffer.Clear();
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
