using System.Text.Json;
using Tributary.Core.Webhooks;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Webhooks;

/// <summary>The SSRF rule through the server: settings refuse private IP literals, delivery refuses names that resolve into them.</summary>
public abstract class WebhookTargetPolicyTests(GuardedWebhookApp app)
{
    private static readonly string[] PrivateTargets =
        ["http://127.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.1.2.3/", "http://[::ffff:192.168.0.7]/x"];

    [DbFact]
    public async Task Verification_webhook_urls_on_private_ip_literals_are_refused_by_both_settings_routes()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        using var admin = app.Admin();
        foreach (var url in PrivateTargets)
        {
            var error = await (await client.PatchJson("/v1/workspace/settings", new { verification_webhook_url = url })).ShouldBeError(400, "validation_error");
            error.GetProperty("message").GetString()!.ShouldContain("verification_webhook_url");
            error.GetProperty("message").GetString()!.ShouldContain("public");
            await (await admin.PatchJson($"/admin/workspaces/{ws.Id}", new { verification_webhook_url = url })).ShouldBeError(400, "validation_error");
        }
        await (await client.PatchJson("/v1/workspace/settings", new { verification_webhook_url = "gopher://hooks.example.com/" }))
            .ShouldBeError(400, "validation_error");
        var settings = await (await client.GetAsync("/v1/workspace/settings")).ShouldBeOk();
        settings.GetProperty("data").GetProperty("verification_webhook_url").ValueKind.ShouldBe(JsonValueKind.Null);

        var ok = await (await client.PatchJson("/v1/workspace/settings", new { verification_webhook_url = "https://verify.example.com/emails?src=tributary" })).ShouldBeOk();
        ok.GetProperty("data").GetProperty("verification_webhook_url").GetString().ShouldBe("https://verify.example.com/emails?src=tributary");
    }

    [DbFact]
    public async Task A_target_whose_name_resolves_to_loopback_is_refused_at_delivery_and_recorded_not_sent()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var receiver = WebhookReceiver.Answering();
        using var client = ws.Client();
        // A host name passes submission; its addresses are checked when it is delivered to.
        await (await client.PatchJson("/v1/workspace/settings", new { verification_webhook_url = receiver.LocalhostUrl })).ShouldBeOk();
        var message = await app.EnqueueAsync(ws.Id, receiver.LocalhostUrl);

        var deliveries = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 1);
        await Task.Delay(300);
        deliveries = await WebhookApp.DeliveriesAsync(ws);
        var attempt = deliveries.ShouldHaveSingleItem();
        attempt.GetProperty("outcome").GetString().ShouldBe("refused");
        attempt.GetProperty("status_code").ValueKind.ShouldBe(JsonValueKind.Null);
        attempt.GetProperty("error").GetString()!.ShouldContain("localhost resolves to");
        receiver.Received.ShouldBeEmpty();
        (await app.MessageAsync(message.Id)).Status.ShouldBe(WebhookStatus.Refused);
    }
}

public sealed class WebhookTargetPolicyTests_Sqlite(GuardedWebhookSqliteApp app) : WebhookTargetPolicyTests(app), IClassFixture<GuardedWebhookSqliteApp>;

public sealed class WebhookTargetPolicyTests_Postgres(GuardedWebhookPostgresApp app)
    : WebhookTargetPolicyTests(app), IClassFixture<GuardedWebhookPostgresApp>, IPostgresTests;

/// <summary>With <c>Webhooks:AllowPrivateNetworks</c>, the same targets are accepted and delivered to.</summary>
public abstract class PrivateNetworkTargetTests(OpenWebhookApp app)
{
    [DbFact]
    public async Task Private_targets_are_accepted_and_a_name_resolving_to_loopback_is_delivered()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        foreach (var url in new[] { "http://127.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.1.2.3/" })
        {
            var settings = await (await client.PatchJson("/v1/workspace/settings", new { verification_webhook_url = url })).ShouldBeOk();
            settings.GetProperty("data").GetProperty("verification_webhook_url").GetString().ShouldBe(url);
        }

        await using var receiver = WebhookReceiver.Answering();
        await app.EnqueueAsync(ws.Id, receiver.LocalhostUrl);
        var deliveries = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 1);
        deliveries.ShouldHaveSingleItem().GetProperty("outcome").GetString().ShouldBe("delivered");
        receiver.Received.ShouldHaveSingleItem().Headers["host"].ShouldBe($"localhost:{receiver.Port}");
    }
}

public sealed class PrivateNetworkTargetTests_Sqlite(OpenWebhookSqliteApp app) : PrivateNetworkTargetTests(app), IClassFixture<OpenWebhookSqliteApp>;

public sealed class PrivateNetworkTargetTests_Postgres(OpenWebhookPostgresApp app)
    : PrivateNetworkTargetTests(app), IClassFixture<OpenWebhookPostgresApp>, IPostgresTests;
