using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Webhooks;

/// <summary>Delivery through the outbox by the real worker: signing, retries, the deliveries list and redelivery.</summary>
public abstract class WebhookDeliveryTests(OpenWebhookApp app)
{
    [DbFact]
    public async Task A_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt_signed_with_one_webhook_id()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var receiver = WebhookReceiver.Answering(500, 500, 500);
        const string payload = """{"event":"enrichment.finished","enrichment_id":"7f0c","found":["work_email"]}""";
        var message = await app.EnqueueAsync(ws.Id, receiver.Url, payload);

        var deliveries = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 4);
        await Task.Delay(300); // nothing more may follow a 2xx

        var received = receiver.Received;
        received.Count.ShouldBe(4);
        received.Select(r => r.AnsweredWith).ShouldBe([500, 500, 500, 200]);
        received.Count(r => r.AnsweredWith is >= 200 and < 300).ShouldBe(1);
        received.Select(r => r.Id).Distinct().ShouldBe([message.WebhookId]);
        var secret = await WebhookApp.SecretAsync(ws);
        secret.ShouldStartWith("whsec_");
        foreach (var r in received)
        {
            WebhookApp.SignedWith(secret, r).ShouldBeTrue($"attempt at {r.At:O} is not signed with the workspace's secret");
            Encoding.UTF8.GetString(r.Body).ShouldBe(payload);
            r.Headers["content-type"].ShouldStartWith("application/json");
            // webhook-timestamp is the attempt's own time, in Unix seconds.
            long.Parse(r.Timestamp).ShouldBeInRange(r.At.ToUnixTimeSeconds() - 5, r.At.ToUnixTimeSeconds() + 1);
        }

        deliveries = await WebhookApp.DeliveriesAsync(ws);
        deliveries.Count.ShouldBe(4);
        deliveries.Select(d => d.GetProperty("outcome").GetString()).ShouldBe(["delivered", "http_error", "http_error", "http_error"]);
        deliveries.Select(d => d.GetProperty("status_code").GetInt32()).ShouldBe([200, 500, 500, 500]);
        foreach (var d in deliveries)
        {
            d.GetProperty("message_id").GetGuid().ShouldBe(message.Id);
            d.GetProperty("webhook_id").GetString().ShouldBe(message.WebhookId);
            d.GetProperty("kind").GetString().ShouldBe("enrichment.finished");
            d.GetProperty("url").GetString().ShouldBe(receiver.Url);
            d.GetProperty("duration_ms").GetInt64().ShouldBeGreaterThanOrEqualTo(0);
            d.GetProperty("id").GetGuid().ShouldNotBe(Guid.Empty);
        }
        deliveries[0].GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        deliveries[1].GetProperty("error").GetString()!.ShouldContain("500");
        var times = deliveries.Select(d => d.GetProperty("attempted_at").GetDateTime()).ToList();
        times.ShouldBe(times.OrderDescending().ToList());

        var stored = await app.MessageAsync(message.Id);
        (stored.Status, stored.AttemptCount).ShouldBe((WebhookStatus.Delivered, 4));
        stored.DeliveredAt.ShouldNotBeNull();
    }

    [DbFact]
    public async Task A_receiver_that_always_fails_gets_seven_attempts_then_the_message_fails()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var receiver = new WebhookReceiver(_ => new Reply(503));
        var message = await app.EnqueueAsync(ws.Id, receiver.Url);

        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 7);
        await Task.Delay(500);
        receiver.Received.Count.ShouldBe(7);
        (await app.MessageAsync(message.Id)).Status.ShouldBe(WebhookStatus.Failed);

        // Paged like the contacts list.
        using var client = ws.Client();
        var first = await (await client.GetAsync("/v1/webhooks/deliveries?per_page=5")).ShouldBeOk();
        var meta = first.GetProperty("meta");
        (meta.GetProperty("page").GetInt32(), meta.GetProperty("per_page").GetInt32(), meta.GetProperty("total").GetInt64()).ShouldBe((1, 5, 7));
        first.GetProperty("data").GetProperty("deliveries").GetArrayLength().ShouldBe(5);
        var cursor = meta.GetProperty("next_cursor").GetString();
        cursor.ShouldNotBeNullOrEmpty();
        var rest = await (await client.GetAsync($"/v1/webhooks/deliveries?per_page=5&cursor={cursor}")).ShouldBeOk();
        rest.GetProperty("data").GetProperty("deliveries").GetArrayLength().ShouldBe(2);
        rest.GetProperty("meta").GetProperty("next_cursor").ValueKind.ShouldBe(JsonValueKind.Null);
        var page2 = await (await client.GetAsync("/v1/webhooks/deliveries?per_page=5&page=2")).ShouldBeOk();
        page2.GetProperty("data").GetProperty("deliveries").GetArrayLength().ShouldBe(2);
        await (await client.GetAsync("/v1/webhooks/deliveries?per_page=101")).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/webhooks/deliveries?status=failed")).ShouldBeError(400, "validation_error");
    }

    [DbFact]
    public async Task A_slow_receiver_times_out_and_the_event_is_retried()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var receiver = new WebhookReceiver(n => n == 0 ? new Reply(200, DelayMs: (WebhookApp.TimeoutSeconds + 3) * 1000) : new Reply(204));
        await app.EnqueueAsync(ws.Id, receiver.Url);

        var deliveries = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 2);
        deliveries.Select(d => d.GetProperty("outcome").GetString()).ShouldBe(["delivered", "timeout"]);
        deliveries[1].GetProperty("status_code").ValueKind.ShouldBe(JsonValueKind.Null);
        deliveries[1].GetProperty("duration_ms").GetInt64().ShouldBeGreaterThanOrEqualTo(WebhookApp.TimeoutSeconds * 1000 - 100);
        deliveries[0].GetProperty("status_code").GetInt32().ShouldBe(204);
    }

    [DbFact]
    public async Task Redelivery_sends_a_delivered_message_again_with_the_same_webhook_id()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var receiver = WebhookReceiver.Answering();
        var message = await app.EnqueueAsync(ws.Id, receiver.Url);
        var first = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count == 1);
        (await app.MessageAsync(message.Id)).Status.ShouldBe(WebhookStatus.Delivered);

        using var client = ws.Client();
        var queued = await (await client.PostAsync($"/v1/webhooks/deliveries/{message.Id}/redeliver", null)).ShouldBeOk(202);
        var data = queued.GetProperty("data");
        data.GetProperty("id").GetGuid().ShouldBe(message.Id);
        data.GetProperty("webhook_id").GetString().ShouldBe(message.WebhookId);
        data.GetProperty("status").GetString().ShouldBe("pending");
        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count == 2);

        // An attempt's id works too.
        var attemptId = first[0].GetProperty("id").GetGuid();
        await (await client.PostAsync($"/v1/webhooks/deliveries/{attemptId}/redeliver", null)).ShouldBeOk(202);
        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count == 3);

        receiver.Received.Count.ShouldBe(3);
        receiver.Received.Select(r => r.Id).Distinct().ShouldBe([message.WebhookId]);
        var secret = await WebhookApp.SecretAsync(ws);
        receiver.Received.ShouldAllBe(r => WebhookApp.SignedWith(secret, r));
        (await app.MessageAsync(message.Id)).Status.ShouldBe(WebhookStatus.Delivered);
    }

    [DbFact]
    public async Task Deliveries_are_private_to_their_workspace_and_need_admin_workspace()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var receiver = WebhookReceiver.Answering();
        var message = await app.EnqueueAsync(ws.Id, receiver.Url);
        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count == 1);

        var other = await app.CreateWorkspaceAsync();
        (await WebhookApp.DeliveriesAsync(other)).ShouldBeEmpty();
        using var otherClient = other.Client();
        await (await otherClient.PostAsync($"/v1/webhooks/deliveries/{message.Id}/redeliver", null)).ShouldBeError(404, "not_found");
        await (await otherClient.PostAsync($"/v1/webhooks/deliveries/{Guid.NewGuid()}/redeliver", null)).ShouldBeError(404, "not_found");
        await (await otherClient.PostAsync("/v1/webhooks/deliveries/not-a-uuid/redeliver", null)).ShouldBeError(400, "validation_error");

        var reader = app.Client(await app.CreateKeyAsync(ws.Id, [Permissions.WriteContacts, Permissions.WriteEnrich, Permissions.ReadCredits]));
        await (await reader.GetAsync("/v1/webhooks/deliveries")).ShouldBeError(403, "insufficient_permissions");
        await (await reader.PostAsync($"/v1/webhooks/deliveries/{message.Id}/redeliver", null)).ShouldBeError(403, "insufficient_permissions");
        using var anonymous = app.CreateClient();
        await (await anonymous.GetAsync("/v1/webhooks/deliveries")).ShouldBeError(401, "invalid_key");
    }

    [DbFact]
    public async Task Dispatchers_running_side_by_side_send_each_event_once()
    {
        var ws = await app.CreateWorkspaceAsync();
        await using var receiver = WebhookReceiver.Answering();
        var ids = new List<string>();
        await using (var db = app.NewDb())
        {
            for (var i = 0; i < 60; i++)
                ids.Add(WebhookOutbox.Enqueue(db, ws.Id, "enrichment.finished", receiver.Url, $$"""{"n":{{i}}}""", TimeProvider.System).WebhookId);
            await db.SaveChangesAsync();
        }

        // The hosted worker runs too: together, five dispatchers on one database.
        var dispatcher = app.Services.GetRequiredService<WebhookDispatcher>();
        var passes = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20 && receiver.Received.Count < ids.Count; i++) await dispatcher.DispatchDueAsync(CancellationToken.None);
        }));
        await Task.WhenAll(passes);
        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= ids.Count);
        await Task.Delay(300);

        receiver.Received.Select(r => r.Id).OrderBy(x => x).ShouldBe(ids.OrderBy(x => x));
        (await WebhookApp.DeliveriesAsync(ws, "?per_page=100")).Count.ShouldBe(ids.Count);
    }
}

public sealed class WebhookDeliveryTests_Sqlite(OpenWebhookSqliteApp app) : WebhookDeliveryTests(app), IClassFixture<OpenWebhookSqliteApp>;

public sealed class WebhookDeliveryTests_Postgres(OpenWebhookPostgresApp app)
    : WebhookDeliveryTests(app), IClassFixture<OpenWebhookPostgresApp>, IPostgresTests;
