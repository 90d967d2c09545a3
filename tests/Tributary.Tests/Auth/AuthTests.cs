using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Auth;

public abstract class AuthTests(TributaryApp app)
{
    [DbFact]
    public async Task Every_header_form_of_the_surfaces_is_accepted()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 7);
        var keyId = await KeyIdOf(ws.Key);
        foreach (var headers in new[]
                 {
                     new Dictionary<string, string> { ["Authorization"] = "Bearer " + ws.Key },
                     new Dictionary<string, string> { ["X-Api-Key"] = ws.Key },
                     new Dictionary<string, string> { ["X-API-KEY"] = ws.Key },
                     new Dictionary<string, string> { ["X-Access-Key"] = keyId.ToString(), ["X-Secret-Key"] = ws.Key },
                 })
        {
            using var client = app.CreateClient();
            foreach (var (k, v) in headers) client.DefaultRequestHeaders.Add(k, v);
            var body = await (await client.GetAsync("/v1/credits")).ShouldBeOk();
            body.GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(7, string.Join(",", headers.Keys));
        }
    }

    [DbFact]
    public async Task Access_key_must_match_the_secret()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Access-Key", Guid.NewGuid().ToString());
        client.DefaultRequestHeaders.Add("X-Secret-Key", ws.Key);
        await (await client.GetAsync("/v1/credits")).ShouldBeError(401, "invalid_key");
    }

    [DbFact]
    public async Task Missing_unknown_malformed_and_expired_keys_get_401()
    {
        using var anonymous = app.CreateClient();
        await (await anonymous.GetAsync("/v1/contacts")).ShouldBeError(401, "invalid_key");
        using var unknown = app.Client(Secrets.NewApiKeySecret());
        await (await unknown.GetAsync("/v1/contacts")).ShouldBeError(401, "invalid_key");
        using var malformed = app.Client("not-a-key");
        await (await malformed.GetAsync("/v1/contacts")).ShouldBeError(401, "invalid_key");

        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        (await client.GetAsync("/v1/contacts")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using (var db = app.NewDb())
        {
            var hash = Secrets.Hash(ws.Key);
            await db.ApiKeys.Where(k => k.SecretHash == hash)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, DateTime.UtcNow.AddSeconds(-1)));
        }
        // Changed behind the server's back: drop the process's copy of the key, as a change through the API would.
        app.Services.GetRequiredService<Tributary.Core.Workspaces.TenantCache>().Forget();
        await (await client.GetAsync("/v1/contacts")).ShouldBeError(401, "invalid_key");
    }

    [DbFact]
    public async Task Bad_key_gets_401_even_with_a_malformed_body()
    {
        using var anonymous = app.CreateClient();
        await (await anonymous.PostRaw("/v1/contacts", "{not json")).ShouldBeError(401, "invalid_key");
    }

    [DbFact]
    public async Task Read_only_key_reads_but_cannot_write()
    {
        var ws = await app.CreateWorkspaceAsync();
        using (var full = ws.Client())
            (await full.PostJson("/v1/contacts", new { email = "reader@acme.com" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var readOnly = await app.CreateKeyAsync(ws.Id, [Permissions.ReadContacts]);
        using var client = app.Client(readOnly);
        var list = await (await client.GetAsync("/v1/contacts")).ShouldBeOk();
        list.GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(1);
        var error = await (await client.PostJson("/v1/contacts", new { email = "x@acme.com" })).ShouldBeError(403, "insufficient_permissions");
        error.GetProperty("message").GetString()!.ShouldContain("write:contacts");
        await (await client.GetAsync("/v1/credits")).ShouldBeError(403, "insufficient_permissions");
        await (await client.GetAsync("/v1/workspace/settings")).ShouldBeError(403, "insufficient_permissions");

        using var full2 = ws.Client();
        (await (await full2.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(1);
    }

    [DbFact]
    public async Task Write_implies_read_and_admin_workspace_implies_nothing_else()
    {
        var ws = await app.CreateWorkspaceAsync();
        using (var writer = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.WriteContacts])))
            (await writer.GetAsync("/v1/contacts")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var admin = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.AdminWorkspace]));
        (await admin.GetAsync("/v1/workspace/settings")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await admin.GetAsync("/v1/contacts")).ShouldBeError(403, "insufficient_permissions");
        await (await admin.GetAsync("/v1/credits")).ShouldBeError(403, "insufficient_permissions");
    }

    [DbFact]
    public async Task Only_a_hash_of_the_secret_is_stored()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var db = app.NewDb();
        var keys = await db.ApiKeys.Where(k => k.WorkspaceId == ws.Id).ToListAsync();
        keys.Count.ShouldBe(1);
        keys[0].SecretHash.ShouldBe(Secrets.Hash(ws.Key));
        keys[0].SecretHash.ShouldNotContain(ws.Key[4..]);
    }

    private async Task<Guid> KeyIdOf(string secret)
    {
        await using var db = app.NewDb();
        var hash = Secrets.Hash(secret);
        return (await db.ApiKeys.SingleAsync(k => k.SecretHash == hash)).Id;
    }
}

public sealed class AuthTests_Sqlite(SqliteApp app) : AuthTests(app), IClassFixture<SqliteApp>;

public sealed class AuthTests_Postgres(PostgresApp app) : AuthTests(app), IClassFixture<PostgresApp>, IPostgresTests;
