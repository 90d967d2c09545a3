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
    [InlineData("Tributary__PublicBaseUrl", "enrich.example.com", "Tributary:PublicBaseUrl")]
    [InlineData("Tributary__ShutdownTimeoutSeconds", "0", "Tributary:ShutdownTimeoutSeconds")]
    public async Task A_bad_configuration_value_stops_the_process_naming_the_key(string variable, string value, string key)
    {
        await using var server = await ServerProcess.StartAsync("Production",
            env: new Dictionary<string, string> { [variable] = value }, waitHealthy: false);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        exit.ShouldNotBe(0);
        server.Output.ShouldContain(key);
        server.Output.ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("Tributary__Waterfal__work_email__0", "pattern", "unknown key Tributary:Waterfal; did you mean Tributary:Waterfall?")]
    [InlineData("Tributary__Databse__Provider", "Sqlite", "unknown key Tributary:Databse; did you mean Tributary:Database?")]
    [InlineData("Tributary__Waterfall__fax__0", "pattern", "unknown key Tributary:Waterfall:fax")]
    [InlineData("Tributary__Jobs__Wrokers", "8", "did you mean Tributary:Jobs:Workers?")]
    [InlineData("Tributary__Providers__vendor__TimeoutMS", "10", null)] // keys are case-insensitive: known
    [InlineData("ASPNETCORE_URLS", "notanaddress", "cannot listen: Invalid url: 'notanaddress'")]
    [InlineData("ASPNETCORE_URLS", "http://127.0.0.1:99999", "cannot listen:")]
    public async Task An_unknown_key_or_a_bad_address_stops_the_process_with_one_line(string variable, string value, string? line)
    {
        var env = new Dictionary<string, string> { [variable] = value };
        if (line is null)
        {
            env["Tributary__Providers__vendor__Type"] = "http";
            env["Tributary__Providers__vendor__Url"] = "http://127.0.0.1:9/";
            env["Tributary__Providers__vendor__Channels__0"] = "phone";
            await using var started = await ServerProcess.StartAsync("Production", env: env);
            return;
        }
        await using var server = await ServerProcess.StartAsync("Production", env: env, waitHealthy: false);
        (await server.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
        OneLine(server.Output).ShouldStartWith("tributary: ");
        OneLine(server.Output).ShouldContain(line);
    }

    [Fact]
    public async Task Malformed_configuration_json_stops_the_process_with_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("tributary-badjson-").FullName;
        var path = Path.Combine(dir, "broken.json");
        await File.WriteAllTextAsync(path, """{ "Tributary": { "AdminToken": "x", """);
        await using var server = await ServerProcess.StartAsync("Production", env: new Dictionary<string, string> { ["TRIBUTARY_CONFIG"] = path },
            waitHealthy: false);
        (await server.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
        OneLine(server.Output).ShouldStartWith("tributary: configuration error: ");
        OneLine(server.Output).ShouldContain("broken.json");
    }

    [Fact]
    public async Task A_port_in_use_stops_a_second_server_before_it_makes_a_demo_workspace()
    {
        await using var first = await ServerProcess.StartAsync("Production");
        var dir = Directory.CreateTempSubdirectory("tributary-busy-").FullName;
        await using var second = await ServerProcess.StartAsync("Development", workingDirectory: dir, waitHealthy: false,
            env: new Dictionary<string, string> { ["ASPNETCORE_URLS"] = first.Url });
        (await second.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
        OneLine(second.Output).ShouldContain("address already in use");
        second.Output.ShouldNotContain("wbk_");
        (await CountWorkspacesAsync(Path.Combine(dir, "tributary.db"))).ShouldBe(0);
    }

    [Fact]
    public async Task The_demo_banner_gives_the_workspace_and_the_address_and_demo_key_makes_a_new_key()
    {
        var dir = Directory.CreateTempSubdirectory("tributary-banner-").FullName;
        await using var server = await ServerProcess.StartAsync("Development", workingDirectory: dir);
        await Polling.UntilAsync(() => Task.FromResult(server.Output), o => o.Contains("demo-key"), "the banner", attempts: 50);
        var workspace = Regex.Match(server.Output, @"demo workspace ([0-9a-f-]{36}) created").Groups[1].Value;
        workspace.ShouldNotBeNullOrEmpty();
        server.Output.ShouldContain($"{server.Url}/v1/credits");
        server.Output.ShouldContain("Waterfall work_email: demo → pattern");

        await using var command = await ServerProcess.StartAsync("Development", workingDirectory: dir, waitHealthy: false, args: ["demo-key"]);
        (await command.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, command.Output);
        var key = DemoKey().Match(command.Output).Groups[1].Value;
        key.ShouldNotBe(DemoKey().Match(server.Output).Groups[1].Value);
        using var client = server.Client(key);
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(1000);
    }

    /// <summary>The process's only line of output (a failed start says one thing, with no stack trace).</summary>
    private static string OneLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBe(1, output);
        return lines[0];
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
