using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Core.Webhooks;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Webhooks;

/// <summary>
/// The server with fast webhook retries (no delay between attempts, 2 s per attempt) and its real delivery worker.
/// <paramref name="allowPrivateNetworks"/> decides whether loopback receivers may be reached.
/// </summary>
public abstract class WebhookApp(DatabaseProvider provider, bool allowPrivateNetworks) : TributaryApp(provider)
{
    public const int TimeoutSeconds = 2;

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Tributary:Webhooks:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false",
                ["Tributary:Webhooks:TimeoutSeconds"] = TimeoutSeconds.ToString(),
                ["Tributary:Webhooks:PollIntervalMs"] = "50",
            };
            for (var i = 0; i < 6; i++) settings[$"Tributary:Webhooks:RetryDelaysSeconds:{i}"] = "0";
            return settings;
        }
    }

    /// <summary>Queues an event the way the work that produces it does: added to a unit of work, then committed.</summary>
    public async Task<WebhookMessage> EnqueueAsync(Guid workspaceId, string url, string payload = """{"event":"enrichment.finished","n":1}""",
        string kind = "enrichment.finished", Guid? contactId = null)
    {
        await using var db = NewDb();
        var message = WebhookOutbox.Enqueue(db, workspaceId, kind, url, payload, TimeProvider.System, contactId);
        await db.SaveChangesAsync();
        return message;
    }

    public async Task<WebhookMessage> MessageAsync(Guid id)
    {
        await using var db = NewDb();
        return await db.WebhookMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(TestWorkspace ws, string query = "")
    {
        using var client = ws.Client();
        var body = await (await client.GetAsync("/v1/webhooks/deliveries" + query)).ShouldBeOk();
        return body.GetProperty("data").GetProperty("deliveries").EnumerateArray().ToList();
    }

    /// <summary>Polls the deliveries list (newest first) until <paramref name="done"/> holds, for at most 20 s.</summary>
    public static async Task<List<JsonElement>> WaitForDeliveriesAsync(TestWorkspace ws, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var deliveries = await DeliveriesAsync(ws, "?per_page=100");
            if (done(deliveries)) return deliveries;
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"deliveries never got there; they are: {JsonSerializer.Serialize(deliveries)}");
            await Task.Delay(50);
        }
    }

    public static async Task<string> SecretAsync(TestWorkspace ws)
    {
        using var client = ws.Client();
        var settings = await (await client.GetAsync("/v1/workspace/settings")).ShouldBeOk();
        return settings.GetProperty("data").GetProperty("webhook_secret").GetString()!;
    }

    /// <summary>The Standard Webhooks check, written out by hand as a receiver would, without Tributary's signer.</summary>
    public static bool SignedWith(string secret, ReceivedWebhook received)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.").Concat(received.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return received.Signature.Split(' ').Contains(expected);
    }
}

/// <summary>Private networks allowed: loopback receivers can be reached.</summary>
public abstract class OpenWebhookApp(DatabaseProvider provider) : WebhookApp(provider, allowPrivateNetworks: true);

public sealed class OpenWebhookSqliteApp() : OpenWebhookApp(DatabaseProvider.Sqlite);
public sealed class OpenWebhookPostgresApp() : OpenWebhookApp(DatabaseProvider.Postgres);

/// <summary>The production default: only public targets.</summary>
public abstract class GuardedWebhookApp(DatabaseProvider provider) : WebhookApp(provider, allowPrivateNetworks: false);

public sealed class GuardedWebhookSqliteApp() : GuardedWebhookApp(DatabaseProvider.Sqlite);
public sealed class GuardedWebhookPostgresApp() : GuardedWebhookApp(DatabaseProvider.Postgres);
