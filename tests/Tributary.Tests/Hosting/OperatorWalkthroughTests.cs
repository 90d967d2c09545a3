using System.Net.Http.Json;
using System.Text;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Hosting;

/// <summary>
/// The operator's first hour, against a real Production process: workspace, keys, credits, an import with a full key,
/// a search with a read-only key, and every refusal in the envelope with nothing changed.
/// </summary>
[Collection(ServerProcessCollection.Name)]
public abstract class OperatorWalkthroughTests(DatabaseProvider provider)
{
    private const string Token = "walkthrough-admin-token-0123";

    [DbFact]
    public async Task Operator_sets_up_imports_and_searches_and_every_refusal_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var server = await ServerProcess.StartAsync("Production", configFile: new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = provider.ToString(), database.ConnectionString },
            },
        });
        // The first start on an empty database, as an operator sees it: no error line (EF logged one reading PostgreSQL's history table).
        server.Output.ShouldNotContain("fail:");
        using var admin = server.Client(Token);
        async Task<(Guid Id, string Full)> NewWorkspace(string name)
        {
            var id = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name })).ShouldBeOk(201)).GetProperty("id").GetGuid();
            var full = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{id}/keys", new
            {
                name = "full", permissions = new[] { "read:contacts", "write:contacts", "write:enrich", "read:enrich", "read:credits", "admin:workspace" },
            })).ShouldBeOk(201)).GetProperty("key").GetString()!;
            return (id, full);
        }

        var (ws, fullKey) = await NewWorkspace("acme");
        var readKey = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys",
            new { name = "reader", permissions = new[] { "read:contacts" } })).ShouldBeOk(201)).GetProperty("key").GetString()!;
        (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = 500, reason = "top-up" })).ShouldBeOk())
            .GetProperty("balance").GetInt64().ShouldBe(500);

        using var full = server.Client(fullKey);
        using var reader = server.Client(readKey);
        var csv = "email,first_name,last_name,company_domain,job_title\n" +
                  "ada@analytical.io,Ada,Lovelace,analytical.io,Chief Engineer\n" +
                  "alan@bletchley.uk,Alan,Turing,bletchley.uk,Engineer\n" +
                  "grace@navy.mil,Grace,Hopper,navy.mil,Admiral\n";
        var import = (await (await full.PostAsync("/v1/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).ShouldBeOk())
            .GetProperty("data");
        import.GetProperty("created").GetInt64().ShouldBe(3);

        var found = (await (await reader.GetAsync("/v1/contacts?job_title=engineer")).ShouldBeOk());
        found.GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(2);
        var adaId = found.GetProperty("data").GetProperty("contacts").EnumerateArray()
            .Single(c => c.GetProperty("last_name").GetString() == "Lovelace").GetProperty("id").GetGuid();

        using var wrong = server.Client("wbk_" + new string('A', 32));
        await (await wrong.GetAsync("/v1/contacts")).ShouldBeError(401, "invalid_key");
        await (await reader.PostAsJsonAsync("/v1/contacts", new { email = "new@acme.com" })).ShouldBeError(403, "insufficient_permissions");
        await (await reader.PatchAsJsonAsync($"/v1/contacts/{adaId}", new { job_title = "Intern" })).ShouldBeError(403, "insufficient_permissions");
        var (_, otherKey) = await NewWorkspace("other");
        using var other = server.Client(otherKey);
        await (await other.GetAsync($"/v1/contacts/{adaId}")).ShouldBeError(404, "not_found");
        await (await other.PatchAsJsonAsync($"/v1/contacts/{adaId}", new { job_title = "Hacked" })).ShouldBeError(404, "not_found");
        await (await full.PostAsync("/v1/contacts", new StringContent("{\"email\": \"x@y.io\",", Encoding.UTF8, "application/json")))
            .ShouldBeError(400, "validation_error");

        var after = (await (await reader.GetAsync("/v1/contacts")).ShouldBeOk());
        after.GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(3);
        var ada = (await (await reader.GetAsync($"/v1/contacts/{adaId}")).ShouldBeOk()).GetProperty("data");
        ada.GetProperty("job_title").GetString().ShouldBe("Chief Engineer");
        (await (await full.GetAsync("/v1/credits")).ShouldBeOk()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(500);
    }
}

[Collection(ServerProcessCollection.Name)]
public sealed class OperatorWalkthroughTests_Sqlite() : OperatorWalkthroughTests(DatabaseProvider.Sqlite);

[Collection(ServerProcessCollection.Name)]
public sealed class OperatorWalkthroughTests_Postgres() : OperatorWalkthroughTests(DatabaseProvider.Postgres), IPostgresTests;
