using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Webhooks;

namespace Tributary.Tests.Surfaces;

/// <summary>Seed 003's per-request <c>webhook_url</c> under DESIGN §8's target rules, through the server with the production default.</summary>
public abstract class AsyncContactsWebhookTargetTests(AsyncContactsApp app)
{
    private static readonly string[] SingleRoutes = ["/api/v2/contacts/single_enrich", "/v2/contacts/single_enrich", "/v2/contacts/sync_single_enrich"];
    private static readonly string[] BulkRoutes = ["/api/v2/contacts/bulk_enrich", "/v2/contacts/bulk_enrich"];

    private static readonly (string Url, string Reason)[] Refused =
    [
        ("http://10.0.0.1/x", "webhooks may only target public addresses"),
        // Refused by the guard every JSON body goes through, before the surface reads it.
        ("https://hooks.example.com/" + new string('a', 2048 - 26 + 1), "longer than 2048 characters"),
        ("https://user:pass@hooks.example.com/x", "must not carry a user name or password"),
    ];

    private static object Single(string webhook) => new
    {
        firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com", enrichment_type = new[] { "email" }, webhook_url = webhook,
    };

    private static object Bulk(string webhook) => new
    {
        contacts = new[]
        {
            new { firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com" },
            new { firstname = "Jordan", lastname = "Rivera", domain = "tidewell.io" },
        },
        enrichment_type = new[] { "email" }, webhook_url = webhook,
    };

    [DbFact]
    public async Task A_forbidden_webhook_url_is_refused_on_every_route_in_the_seed_body_and_changes_nothing()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 50);
        using var client = ws.Client();
        var calls = app.Fakes.Calls.Count;
        foreach (var (url, reason) in Refused)
            foreach (var (path, body) in SingleRoutes.Select(r => (r, Single(url))).Concat(BulkRoutes.Select(r => (r, Bulk(url)))))
            {
                var response = await client.PostAsJsonAsync(path, body);
                var json = await response.Json();
                ((int)response.StatusCode).ShouldBe(400, $"{path} {url[..Math.Min(url.Length, 40)]}: {json}");
                json.GetProperty("error").GetInt32().ShouldBe(400);
                var message = json.GetProperty("message").GetString()!;
                message.ShouldContain("webhook_url");
                message.ShouldContain(reason);
            }

        (await (await client.GetAsync("/api/v2/credits")).ShouldBeOk()).GetProperty("credits").GetInt64().ShouldBe(50);
        var credits = (await (await client.GetAsync("/v1/credits")).ShouldBeOk()).GetProperty("data");
        credits.GetProperty("reserved").GetInt64().ShouldBe(0);
        var ledger = (await (await client.GetAsync("/v1/credits/ledger")).ShouldBeOk()).GetProperty("data").GetProperty("entries");
        ledger.EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ShouldBe(["grant"]);
        (await (await client.GetAsync("/v1/jobs")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
        (await (await client.GetAsync("/v1/contacts")).ShouldBeOk()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
        app.Fakes.Calls.Count.ShouldBe(calls);
        await using (var db = app.NewDb())
        {
            (await db.Jobs.CountAsync(j => j.WorkspaceId == ws.Id)).ShouldBe(0);
            (await db.EnrichmentRecords.CountAsync(e => e.WorkspaceId == ws.Id)).ShouldBe(0);
            (await db.WebhookMessages.CountAsync(m => m.WorkspaceId == ws.Id)).ShouldBe(0);
        }

        // The same request with a target the rules accept runs and is charged: only the webhook_url was at fault.
        await using var receiver = WebhookReceiver.Answering();
        var ran = await (await client.PostAsJsonAsync("/v2/contacts/single_enrich", Single(receiver.LocalhostUrl))).ShouldBeOk();
        ran.GetProperty("email").GetString().ShouldBe("chloe.walker@westmarkrobotics.com");
        (await (await client.GetAsync("/api/v2/credits")).ShouldBeOk()).GetProperty("credits").GetInt64().ShouldBe(49);
    }
}

public sealed class AsyncContactsWebhookTargetTests_Sqlite(GuardedAsyncContactsSqliteApp app)
    : AsyncContactsWebhookTargetTests(app), IClassFixture<GuardedAsyncContactsSqliteApp>;

public sealed class AsyncContactsWebhookTargetTests_Postgres(GuardedAsyncContactsPostgresApp app)
    : AsyncContactsWebhookTargetTests(app), IClassFixture<GuardedAsyncContactsPostgresApp>, IPostgresTests;
