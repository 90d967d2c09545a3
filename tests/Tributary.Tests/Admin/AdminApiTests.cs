using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Admin;

public abstract class AdminApiTests(TributaryApp app)
{
    [DbFact]
    public async Task Workspace_key_and_credits_are_created_through_the_admin_api()
    {
        using var admin = app.Admin();
        var created = await (await admin.PostJson("/admin/workspaces", new { name = "acme" })).ShouldBeOk(201);
        created.GetProperty("name").GetString().ShouldBe("acme");
        var id = created.GetProperty("id").GetGuid();

        var key = await (await admin.PostJson($"/admin/workspaces/{id}/keys",
            new { name = "ci", permissions = new[] { "write:enrich", "read:credits" }, expires_at = (DateTime?)null })).ShouldBeOk(201);
        var secret = key.GetProperty("key").GetString()!;
        secret.ShouldMatch("^wbk_[0-9A-Za-z]{32}$");
        Guid.TryParse(key.GetProperty("id").GetString(), out _).ShouldBeTrue();
        key.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ShouldBe(["write:enrich", "read:credits"]);

        var grant = await (await admin.PostJson($"/admin/workspaces/{id}/credits", new { amount = 500, reason = "top-up" })).ShouldBeOk();
        grant.GetProperty("balance").GetInt64().ShouldBe(500);

        using var client = app.Client(secret);
        var balance = await (await client.GetAsync("/v1/credits")).ShouldBeOk();
        balance.GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(500);
        balance.GetProperty("data").GetProperty("reserved").GetInt64().ShouldBe(0);
    }

    [DbFact]
    public async Task Workspaces_and_keys_are_listed_without_secrets_and_a_key_shows_its_workspace_and_last_use()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 70, permissions: ["read:contacts"], name: "listed");
        using var admin = app.Admin();
        var workspaces = (await (await admin.GetAsync("/admin/workspaces")).ShouldBeOk()).GetProperty("workspaces").EnumerateArray().ToList();
        var listed = workspaces.Single(w => w.GetProperty("id").GetGuid() == ws.Id);
        listed.GetProperty("name").GetString().ShouldBe("listed");
        listed.GetProperty("balance").GetInt64().ShouldBe(70);

        // GET /v1/workspace answers any valid key, whatever its permissions.
        using var client = ws.Client();
        var mine = (await (await client.GetAsync("/v1/workspace")).ShouldBeOk()).GetProperty("data");
        mine.GetProperty("id").GetGuid().ShouldBe(ws.Id);
        mine.GetProperty("name").GetString().ShouldBe("listed");

        var keys = (await (await admin.GetAsync($"/admin/workspaces/{ws.Id}/keys")).ShouldBeOk()).GetProperty("keys");
        keys.GetArrayLength().ShouldBe(1);
        keys[0].GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ShouldBe(["read:contacts"]);
        keys[0].GetProperty("revoked_at").ValueKind.ShouldBe(JsonValueKind.Null);
        keys[0].ToString().ShouldNotContain("wbk_");
        await Polling.UntilAsync(async () => (await (await admin.GetAsync($"/admin/workspaces/{ws.Id}/keys")).ShouldBeOk()).GetProperty("keys")[0],
            k => k.GetProperty("last_used_at").ValueKind == JsonValueKind.String, "last_used_at after a request", attempts: 50);
        (await admin.GetAsync($"/admin/workspaces/{Guid.NewGuid()}/keys")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var anonymous = app.CreateClient();
        (await anonymous.GetAsync("/v1/workspace")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [DbFact]
    public async Task Negative_credit_amount_adjusts_down_only_to_the_available_balance()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var admin = app.Admin();
        var down = await (await admin.PostJson($"/admin/workspaces/{ws.Id}/credits", new { amount = -40, reason = "correction" })).ShouldBeOk();
        down.GetProperty("balance").GetInt64().ShouldBe(60);
        await (await admin.PostJson($"/admin/workspaces/{ws.Id}/credits", new { amount = -61 })).ShouldBeError(400, "validation_error");
        await (await admin.PostJson($"/admin/workspaces/{ws.Id}/credits", new { amount = 0 })).ShouldBeError(400, "validation_error");
        await (await admin.PostRaw($"/admin/workspaces/{ws.Id}/credits", """{"amount":"lots"}""")).ShouldBeError(400, "validation_error");

        using var client = ws.Client();
        var ledger = await (await client.GetAsync("/v1/credits/ledger")).ShouldBeOk();
        var entries = ledger.GetProperty("data").GetProperty("entries").EnumerateArray().ToList();
        entries.Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("amount").GetInt64()))
            .ShouldBe([("charge", 40L), ("grant", 100L)]);
        entries[0].GetProperty("reason").GetString().ShouldBe("correction");
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(60);
    }

    [DbFact]
    public async Task Grants_that_could_overflow_the_account_are_refused_and_change_nothing()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 10);
        using var admin = app.Admin();
        await (await admin.PostRaw($"/admin/workspaces/{ws.Id}/credits", """{"amount":9223372036854775807}""")).ShouldBeError(400, "validation_error");
        await (await admin.PostRaw($"/admin/workspaces/{ws.Id}/credits", """{"amount":-9223372036854775808}""")).ShouldBeError(400, "validation_error");
        await (await admin.PostRaw($"/admin/workspaces/{ws.Id}/credits", """{"amount":92233720368547758070}""")).ShouldBeError(400, "validation_error");
        await (await admin.PostJson($"/admin/workspaces/{ws.Id}/credits", new { amount = Tributary.Core.Credits.Ledger.MaxAdjustment + 1 }))
            .ShouldBeError(400, "validation_error");
        // Near the ceiling of what may ever be granted, a grant that would pass it is refused; one that reaches it is not.
        await using (var db = app.NewDb())
            await db.CreditAccounts.Where(a => a.WorkspaceId == ws.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Granted, Tributary.Core.Credits.Ledger.MaxGranted - 5));
        await (await admin.PostJson($"/admin/workspaces/{ws.Id}/credits", new { amount = 6 })).ShouldBeError(400, "validation_error");
        (await (await admin.PostJson($"/admin/workspaces/{ws.Id}/credits", new { amount = 5 })).ShouldBeOk())
            .GetProperty("balance").GetInt64().ShouldBe(Tributary.Core.Credits.Ledger.MaxGranted);
        await using var check = app.NewDb();
        (await check.LedgerEntries.CountAsync(e => e.WorkspaceId == ws.Id && e.Kind == "grant")).ShouldBe(2);
    }

    [DbFact]
    public async Task Revoked_key_is_refused_at_once()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        (await client.GetAsync("/v1/contacts")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var keyId = await KeyIdOf(ws);
        using var admin = app.Admin();
        (await admin.DeleteAsync($"/admin/workspaces/{ws.Id}/keys/{keyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await client.GetAsync("/v1/contacts")).ShouldBeError(401, "invalid_key");
        await (await admin.DeleteAsync($"/admin/workspaces/{ws.Id}/keys/{Guid.NewGuid()}")).ShouldBeError(404, "not_found");
    }

    [DbFact]
    public async Task Settings_are_patched_and_bad_values_change_nothing()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var admin = app.Admin();
        var settings = await (await admin.PatchJson($"/admin/workspaces/{ws.Id}",
            new { personal_email_consent = true, default_phone_countries = new[] { "us", "FR" }, min_confidence = 0.7 })).ShouldBeOk();
        settings.GetProperty("personal_email_consent").GetBoolean().ShouldBeTrue();
        settings.GetProperty("default_phone_countries").EnumerateArray().Select(c => c.GetString()).ShouldBe(["US", "FR"]);
        settings.GetProperty("min_confidence").GetDouble().ShouldBe(0.7);
        settings.GetProperty("webhook_secret").GetString()!.ShouldStartWith("whsec_");

        await (await admin.PatchJson($"/admin/workspaces/{ws.Id}", new { personal_email_consent = false, min_confidence = 2 }))
            .ShouldBeError(400, "validation_error");
        await (await admin.PatchJson($"/admin/workspaces/{ws.Id}", new { default_phone_countries = new[] { "ZZ" } }))
            .ShouldBeError(400, "validation_error");

        using var client = ws.Client();
        // A misspelt field is refused by name instead of answering 200 and changing nothing.
        var misspelt = await client.PatchJson("/v1/workspace/settings", new { personal_email_consnet = false, min_confidence = 0.9 });
        (await misspelt.ShouldBeError(400, "validation_error")).GetProperty("message").GetString()
            .ShouldStartWith("unknown settings field 'personal_email_consnet'");
        // What GET answered can be sent back as is: the read-only secret is accepted unchanged, refused changed.
        var current = (await (await client.GetAsync("/v1/workspace/settings")).ShouldBeOk()).GetProperty("data");
        (await client.PatchRaw("/v1/workspace/settings", current.GetRawText())).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.PatchJson("/v1/workspace/settings", new { webhook_secret = "whsec_mine" })).ShouldBeError(400, "validation_error");
        var now = (await (await client.GetAsync("/v1/workspace/settings")).ShouldBeOk()).GetProperty("data");
        now.GetProperty("personal_email_consent").GetBoolean().ShouldBeTrue();
        now.GetProperty("min_confidence").GetDouble().ShouldBe(0.7);
        now.GetProperty("verification_webhook_url").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [DbFact]
    public async Task Wrong_or_missing_admin_token_is_401_and_unknown_workspace_404()
    {
        using var anonymous = app.CreateClient();
        await (await anonymous.PostJson("/admin/workspaces", new { name = "x" })).ShouldBeError(401, "invalid_key");
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        await (await anonymous.PostJson("/admin/workspaces", new { name = "x" })).ShouldBeError(401, "invalid_key");

        using var admin = app.Admin();
        await (await admin.PostJson($"/admin/workspaces/{Guid.NewGuid()}/keys", new { permissions = new[] { "read:contacts" } }))
            .ShouldBeError(404, "not_found");
        await (await admin.PostJson("/admin/workspaces/not-a-uuid/credits", new { amount = 5 })).ShouldBeError(400, "validation_error");
        await (await admin.PostJson("/admin/workspaces", new { name = "" })).ShouldBeError(400, "validation_error");
    }

    [DbFact]
    public async Task Key_permissions_and_expiry_are_validated()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var admin = app.Admin();
        await (await admin.PostJson($"/admin/workspaces/{ws.Id}/keys", new { permissions = new[] { "write:everything" } }))
            .ShouldBeError(400, "validation_error");
        await (await admin.PostJson($"/admin/workspaces/{ws.Id}/keys", new { permissions = Array.Empty<string>() }))
            .ShouldBeError(400, "validation_error");
        await (await admin.PostJson($"/admin/workspaces/{ws.Id}/keys",
            new { permissions = new[] { "read:contacts" }, expires_at = DateTime.UtcNow.AddDays(-1) })).ShouldBeError(400, "validation_error");
    }

    private async Task<Guid> KeyIdOf(TestWorkspace ws)
    {
        await using var db = app.NewDb();
        var hash = Core.Workspaces.Secrets.Hash(ws.Key);
        return db.ApiKeys.Single(k => k.SecretHash == hash).Id;
    }
}

public sealed class AdminApiTests_Sqlite(SqliteApp app) : AdminApiTests(app), IClassFixture<SqliteApp>;

public sealed class AdminApiTests_Postgres(PostgresApp app) : AdminApiTests(app), IClassFixture<PostgresApp>, IPostgresTests;

/// <summary>A server with no admin token configured: the admin API does not exist.</summary>
public sealed class NoAdminTokenApp() : TributaryApp(Core.Storage.DatabaseProvider.Sqlite)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Tributary:AdminToken"] = "" };
}

public sealed class AdminApiDisabledTests(NoAdminTokenApp app) : IClassFixture<NoAdminTokenApp>
{
    [Fact]
    public async Task Admin_api_answers_404_when_no_token_is_configured()
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TributaryApp.AdminToken);
        await (await client.PostJson("/admin/workspaces", new { name = "x" })).ShouldBeError(404, "not_found");
    }
}
