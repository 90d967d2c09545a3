using System.Text.RegularExpressions;
using Tributary.Cli;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Cli;

/// <summary>The <c>tributary</c> command line against the real server in-process.</summary>
public sealed partial class CliTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new Dictionary<string, string?> { ["TRIBUTARY_URL"] = "http://localhost", ["TRIBUTARY_ADMIN_TOKEN"] = TributaryApp.AdminToken };
        var exit = await CliApp.RunAsync(args, stdout, stderr, app.Server.CreateHandler(), env);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string Field(string output, string name) => Regex.Match(output, $"^{name}: (.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();

    [Fact]
    public async Task Operator_sets_up_a_workspace_and_imports_from_the_command_line()
    {
        var (exit, output, _) = await Run("workspace", "create", "cli-co");
        exit.ShouldBe(0);
        var workspace = Field(output, "id");
        Guid.TryParse(workspace, out _).ShouldBeTrue();

        (exit, output, _) = await Run("key", "create", "--workspace", workspace, "--name", "importer", "--permissions", "write:contacts,read:credits");
        exit.ShouldBe(0);
        var key = Field(output, "key");
        key.ShouldStartWith("wbk_");
        var keyId = Field(output, "id");

        (exit, output, _) = await Run("credits", "grant", "--workspace", workspace, "250", "--reason", "pilot");
        exit.ShouldBe(0);
        Field(output, "balance").ShouldBe("250");
        (exit, output, _) = await Run("credits", "balance", "--key", key);
        exit.ShouldBe(0);
        Field(output, "balance").ShouldBe("250");

        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "people.csv");
        await File.WriteAllTextAsync(file, "email,first_name\na@cli.io,Ann\nnot-an-email,Bad\nb@cli.io,Bob\n");
        (exit, output, _) = await Run("import", file, "--key", key);
        exit.ShouldBe(0);
        Field(output, "created").ShouldBe("2");
        output.ShouldContain("row 3: validation_error");

        (exit, output, _) = await Run("workspace", "settings", "--workspace", workspace, "--min-confidence", "0.8");
        exit.ShouldBe(0);
        Field(output, "min_confidence").ShouldBe("0.8");

        (exit, _, _) = await Run("key", "revoke", "--workspace", workspace, keyId);
        exit.ShouldBe(0);
        var (failed, _, err) = await Run("credits", "balance", "--key", key);
        failed.ShouldBe(1);
        err.Trim().ShouldStartWith("error: 401 invalid_key");
    }

    [Fact]
    public async Task Operator_lists_workspaces_keys_and_jobs_and_cancels_a_job()
    {
        var (exit, output, _) = await Run("workspace", "create", "listed-co");
        exit.ShouldBe(0);
        var workspace = Field(output, "id");
        (exit, output, _) = await Run("key", "create", "--workspace", workspace, "--name", "lister", "--permissions", "write:enrich");
        var key = Field(output, "key");
        var keyId = Field(output, "id");
        await Run("credits", "grant", "--workspace", workspace, "100");

        (exit, output, _) = await Run("workspace", "list");
        exit.ShouldBe(0);
        output.Split('\n')[0].ShouldBe("id\tname\tbalance\treserved\tcreated_at");
        output.ShouldContain($"{workspace}\tlisted-co\t100\t0\t");
        (exit, output, _) = await Run("key", "list", "--workspace", workspace);
        exit.ShouldBe(0);
        output.ShouldContain($"{keyId}\tlister\twrite:enrich\t");
        output.ShouldNotContain("wbk_");

        using var client = app.Client(key);
        var created = await (await client.PostAsync("/v1/jobs?channels=work_email&name=spring-list",
            new StringContent("email\nnobody@jobs-cli.io\n", System.Text.Encoding.UTF8, "text/csv"))).ShouldBeOk(202);
        var jobId = created.GetProperty("data").GetProperty("id").GetString()!;
        (exit, output, var failure) = await Run("jobs", "list", "--key", key);
        exit.ShouldBe(0, failure);
        output.ShouldContain($"{jobId}\tnative\tspring-list\t");
        (exit, output, _) = await Run("jobs", "status", jobId, "--key", key);
        exit.ShouldBe(0);
        Field(output, "name").ShouldBe("spring-list");
        (exit, output, _) = await Run("jobs", "cancel", jobId, "--key", key);
        exit.ShouldBe(0);
        Field(output, "status").ShouldBeOneOf("cancelled", "succeeded");
        (exit, _, failure) = await Run("jobs", "list", "--status", "sleeping", "--key", key);
        exit.ShouldBe(2, failure);
    }

    [Fact]
    public async Task Import_maps_columns_whose_names_say_nothing_and_refuses_a_map_of_a_missing_column()
    {
        var ws = await app.CreateWorkspaceAsync(permissions: ["write:contacts"]);
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "export.csv");
        await File.WriteAllTextAsync(file, "Contact Mail,Given,Employer\nmapped@cli.io,Mara,Acme\n");
        var (exit, output, err) = await Run("import", file, "--map", "email=Contact Mail,first_name=Given,company_name=Employer", "--key", ws.Key);
        exit.ShouldBe(0, err);
        Field(output, "created").ShouldBe("1");
        using var client = ws.Client();
        var contact = (await (await client.GetAsync("/v1/contacts?search=mapped@cli.io")).Json()).GetProperty("data").GetProperty("contacts")[0];
        contact.GetProperty("first_name").GetString().ShouldBe("Mara");
        contact.GetProperty("company_name").GetString().ShouldBe("Acme");

        (exit, _, err) = await Run("import", file, "--map", "email=Mail", "--key", ws.Key);
        exit.ShouldBe(2);
        err.ShouldContain("has no column 'Mail'");
        // The server refuses the same mapping itself, for clients other than this one.
        var refused = await client.PostAsync("/v1/contacts/import?map=email=Mail",
            new StringContent("Contact Mail\nx@cli.io\n", System.Text.Encoding.UTF8, "text/csv"));
        await refused.ShouldBeError(400, "validation_error");
        await (await client.PostAsync("/v1/contacts/import?map=email=A,email=B",
            new StringContent("A,B\nx@cli.io,y@cli.io\n", System.Text.Encoding.UTF8, "text/csv"))).ShouldBeError(400, "validation_error");
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_server_errors_exit_1_with_one_line()
    {
        var (exit, _, err) = await Run("key", "create", "--workspace", Guid.NewGuid().ToString());
        exit.ShouldBe(2);
        err.Trim().Split('\n').Length.ShouldBe(1);

        (exit, _, err) = await Run("credits", "grant", "--workspace", Guid.NewGuid().ToString(), "10");
        exit.ShouldBe(1);
        err.Trim().ShouldStartWith("error: 404 not_found");
        err.ShouldNotContain("   at ");
    }
}
