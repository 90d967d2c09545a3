using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Tributary.Core.Storage;
using Tributary.Core.Webhooks;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Vendors;

namespace Tributary.Tests.Webhooks;

/// <summary>
/// DESIGN §8 and issue 13: a server process whose webhooks all fail writes every failed attempt to its console log, and
/// nothing in that log is a secret: no target's query token or user info, no webhook secret, API key, admin token or
/// vendor key.
/// </summary>
[Collection(ServerProcessCollection.Name)]
public abstract partial class WebhookLogSecretsTests(DatabaseProvider provider)
{
    private const string AdminToken = "logs-admin-token-5f2c9d1e7a40";
    private const string HttpProviderSecret = "http-provider-secret-8e1b77c2";
    private const string UserName = "hookuser-4d1f";
    private const string Password = "Pa55w0rd-9c3e";
    private const int Attempts = 7;

    // An operator chasing a failing receiver turns logging up: the rule must hold at every level, the framework's included.
    private static readonly Dictionary<string, string> EveryLevel = new()
    {
        ["Logging__LogLevel__Default"] = "Trace", ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
        ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Trace",
    };

    [DbFact]
    public async Task The_log_of_failed_deliveries_on_every_webhook_path_names_each_target_without_a_secret()
    {
        await using var vendors = new VendorFakes();
        await using var failing = new WebhookReceiver(_ => new Reply(500));
        var closed = WebhookReceiver.Unreachable();
        await using var database = await TestDatabase.CreateAsync(provider);
        var config = new
        {
            Tributary = new
            {
                AdminToken,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                Providers = new Dictionary<string, object>
                {
                    ["hunter"] = new { Type = "hunter", ApiKey = VendorFakes.GoodKey, BaseUrl = vendors.BaseUrl },
                    ["backup"] = new
                    {
                        Type = "http", Url = vendors.BaseUrl + "/backup", Channels = new[] { "phone" },
                        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + HttpProviderSecret },
                    },
                },
                Waterfall = new { work_email = new[] { "hunter" }, phone = new[] { "backup" } },
                Jobs = new { PollIntervalMs = 50 },
                Webhooks = new { AllowPrivateNetworks = true, TimeoutSeconds = 2, PollIntervalMs = 50, RetryDelaysSeconds = new[] { 0, 0, 0, 0, 0, 0 } },
            },
        };
        await using var server = await ServerProcess.StartAsync("Production", configFile: config, env: EveryLevel);
        using var admin = server.Client(AdminToken);
        var ws = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "logs" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
        var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys", new
        {
            name = "all", permissions = new[] { "write:enrich", "read:enrich", "read:credits", "write:contacts", "read:contacts", "admin:workspace" },
        })).ShouldBeOk(201)).GetProperty("key").GetString()!;
        (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = 100 })).EnsureSuccessStatusCode();
        using var client = server.Client(key);
        var secret = (await (await client.GetAsync("/v1/workspace/settings")).ShouldBeOk()).GetProperty("data").GetProperty("webhook_secret").GetString()!;
        secret.ShouldStartWith("whsec_");

        // User info is refused wherever a target is submitted, and the refusal does not echo it.
        var withUserInfo = $"http://{UserName}:{Password}@127.0.0.1:{failing.Port}/hook?token=SECRET123-refused&sig=abc";
        var refusedSetting = await client.PatchAsJsonAsync("/v1/workspace/settings", new { verification_webhook_url = withUserInfo });
        (await refusedSetting.ShouldBeError(400, "validation_error")).GetProperty("message").GetString()!.ShouldContain("user name or password");
        (await admin.PatchAsJsonAsync($"/admin/workspaces/{ws}", new { verification_webhook_url = withUserInfo })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var refusedHook = await client.PostAsJsonAsync("/api/v2/contacts/single_enrich", new
        {
            firstname = "Ada", lastname = "refused", domain = VendorFakes.Domain, enrichment_type = new[] { "email" }, webhook_url = withUserInfo,
        });
        refusedHook.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refusedHook.Content.ReadAsStringAsync()).ShouldNotContain(Password);

        // Every email found is sent to the verification webhook, here a closed port: network errors.
        var verification = $"{closed}?token=SECRET123-verification&sig=abc";
        await (await client.PatchAsJsonAsync("/v1/workspace/settings", new { verification_webhook_url = verification })).ShouldBeOk();

        // Seed 003's per-request webhook_url on each of its routes: the job worker's, the synchronous host's, bulk's.
        string Hook(string route) => $"{failing.Url}?token=SECRET123-{route}&sig=abc";
        (await client.PostAsJsonAsync("/api/v2/contacts/single_enrich", new
        {
            firstname = "Ada", lastname = "asyncone", domain = VendorFakes.Domain, enrichment_type = new[] { "email" }, webhook_url = Hook("async"),
        })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var sync = await (await client.PostAsJsonAsync("/v2/contacts/single_enrich", new
        {
            firstname = "Ada", lastname = "syncone", domain = VendorFakes.Domain, enrichment_type = new[] { "email" }, webhook_url = Hook("sync"),
        })).ShouldBeOk();
        sync.GetProperty("email").GetString().ShouldBe(VendorFakes.EmailOf("syncone"));
        (await client.PostAsJsonAsync("/api/v2/contacts/bulk_enrich", new
        {
            contacts = new[]
            {
                new { firstname = "Ada", lastname = "bulkone", domain = VendorFakes.Domain },
                new { firstname = "Ada", lastname = "bulktwo", domain = VendorFakes.Domain },
            },
            enrichment_type = new[] { "email" }, webhook_url = Hook("bulk"),
        })).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        // A target stored before user info was refused (or written by an older version) still reaches the dispatcher.
        await using (var db = new TributaryDbFactory(database.Options).Create())
        {
            WebhookOutbox.Enqueue(db, ws, "contact.enriched", withUserInfo.Replace("refused", "stored"), """{"n":1}""", TimeProvider.System);
            await db.SaveChangesAsync();
        }

        // 4 contacts: a seed 003 event and a verification request each, and the stored one; each failing every attempt.
        const int messages = 4 * 2 + 1;
        await Polling.UntilAsync(() => Task.FromResult(FinalAttempt().Matches(server.Output).Count), n => n >= messages,
            "the last attempt of every message in the log", attempts: 600, delayMs: 100);
        var deliveries = await Polling.UntilAsync(async () => await (await client.GetAsync("/v1/webhooks/deliveries?per_page=1")).ShouldBeOk(),
            d => d.GetProperty("meta").GetProperty("total").GetInt64() >= messages * Attempts, "every attempt recorded");
        deliveries.GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(messages * Attempts);
        failing.Received.Count.ShouldBe((messages - 4) * Attempts);
        await server.TerminateAsync(TimeSpan.FromSeconds(60));
        var output = server.Output;

        var secrets = new Dictionary<string, string>
        {
            ["a query token"] = "SECRET123", ["a query string"] = "sig=abc", ["the user name"] = UserName, ["the password"] = Password,
            ["the webhook secret"] = secret, ["the webhook secret's key"] = secret["whsec_".Length..], ["the API key"] = key,
            ["an API key's prefix"] = "wbk_", ["the admin token"] = AdminToken, ["the vendor key"] = VendorFakes.GoodKey,
            ["the http provider's header"] = HttpProviderSecret,
        };
        foreach (var (what, value) in secrets)
            LinesWith(output, value).ShouldBeEmpty($"the log holds {what}");

        // The failures were logged, each with the target's address and path, and so was everything below Information.
        output.ShouldContain("trce: ");
        var dispatched = string.Join('\n', LinesWith(output, "Webhook msg_"));
        FinalAttempt().Matches(output).Count.ShouldBe(messages, dispatched);
        Regex.Matches(output, $@"to http://127\.0\.0\.1:{failing.Port}/hook: http_error \(the receiver answered 500").Count
            .ShouldBe((messages - 4) * Attempts, dispatched);
        Regex.Matches(output, $@"to {Regex.Escape(closed)}: network_error").Count.ShouldBe(4 * Attempts, dispatched);
    }

    private static List<string> LinesWith(string output, string needle) =>
        output.Split('\n').Where(l => l.Contains(needle, StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim()).ToList();

    // The dispatcher's line for an event's last attempt (attempts are numbered from 1): "… attempt 7 to …; the message is failed".
    [GeneratedRegex(@"Webhook \S+ attempt 7 to \S+: \w+ \(.*\); the message is failed")]
    private static partial Regex FinalAttempt();
}

public sealed class WebhookLogSecretsTests_Sqlite() : WebhookLogSecretsTests(DatabaseProvider.Sqlite);

public sealed class WebhookLogSecretsTests_Postgres() : WebhookLogSecretsTests(DatabaseProvider.Postgres), IPostgresTests;
