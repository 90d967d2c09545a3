using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Contacts;
using Tributary.Core.Webhooks;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Webhooks;

/// <summary>The verification webhook (DESIGN §5.2): new emails go to the workspace's service, whose answer sets verified.</summary>
public abstract class VerificationWebhookTests(OpenWebhookApp app)
{
    private static Reply Answer(bool valid) => new(200, $$"""{"valid": {{(valid ? "true" : "false")}}}""");

    /// <summary>A workspace whose verification webhook is <paramref name="url"/>, and a contact holding both emails.</summary>
    private async Task<(TestWorkspace Ws, Guid ContactId)> ContactAsync(string url)
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        await (await client.PatchJson("/v1/workspace/settings", new { verification_webhook_url = url })).ShouldBeOk();
        var created = await (await client.PostJson("/v1/contacts",
            new { first_name = "Ada", last_name = "Lovelace", email = "ada@analytical.io", personal_email = "ada.l@mail.example" })).ShouldBeOk(201);
        return (ws, created.GetProperty("data").GetProperty("id").GetGuid());
    }

    /// <summary>What the enrichment write-back does once it has stored new emails on a contact.</summary>
    private async Task<int> EnqueueForNewEmailsAsync(TestWorkspace ws, Guid contactId, params (string Field, string Email)[] emails)
    {
        await using var db = app.NewDb();
        var workspace = await db.Workspaces.SingleAsync(w => w.Id == ws.Id);
        var contact = await db.Contacts.SingleAsync(c => c.Id == contactId);
        var added = VerificationRequests.EnqueueForNewEmails(db, workspace, contact, emails, TimeProvider.System);
        await db.SaveChangesAsync();
        return added;
    }

    private static async Task<JsonElement> SourcesAsync(TestWorkspace ws, Guid contactId)
    {
        using var client = ws.Client();
        var contact = await (await client.GetAsync($"/v1/contacts/{contactId}")).ShouldBeOk();
        return contact.GetProperty("data").GetProperty("field_sources");
    }

    [DbFact]
    public async Task An_email_the_service_calls_invalid_is_marked_unverified_on_the_contact()
    {
        await using var receiver = new WebhookReceiver(_ => Answer(false));
        var (ws, contactId) = await ContactAsync(receiver.Url);

        (await EnqueueForNewEmailsAsync(ws, contactId, ("email", "ada@analytical.io"))).ShouldBe(1);
        var deliveries = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 1);
        deliveries.ShouldHaveSingleItem().GetProperty("outcome").GetString().ShouldBe("delivered");
        deliveries[0].GetProperty("kind").GetString().ShouldBe("verification.request");

        var request = receiver.Received.ShouldHaveSingleItem();
        var body = JsonDocument.Parse(request.Body).RootElement;
        body.GetProperty("email").GetString().ShouldBe("ada@analytical.io");
        body.GetProperty("contact_id").GetGuid().ShouldBe(contactId);
        WebhookApp.SignedWith(await WebhookApp.SecretAsync(ws), request).ShouldBeTrue();

        var sources = await SourcesAsync(ws, contactId);
        sources.GetProperty("email").GetProperty("verified").GetBoolean().ShouldBeFalse();
        sources.GetProperty("email").GetProperty("source").GetString().ShouldBe("user");
        sources.GetProperty("personal_email").GetProperty("verified").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [DbFact]
    public async Task An_email_the_service_calls_valid_is_marked_verified_on_the_field_holding_it()
    {
        await using var receiver = new WebhookReceiver(_ => Answer(true));
        var (ws, contactId) = await ContactAsync(receiver.Url);

        (await EnqueueForNewEmailsAsync(ws, contactId, ("personal_email", "ada.l@mail.example"), ("phone", "+14155550100"))).ShouldBe(1);
        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 1);

        var sources = await SourcesAsync(ws, contactId);
        sources.GetProperty("personal_email").GetProperty("verified").GetBoolean().ShouldBeTrue();
        sources.GetProperty("email").GetProperty("verified").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [DbFact]
    public async Task An_unreachable_service_leaves_verified_as_it_was_and_the_attempts_are_recorded()
    {
        var (ws, contactId) = await ContactAsync(WebhookReceiver.Unreachable());

        await EnqueueForNewEmailsAsync(ws, contactId, ("email", "ada@analytical.io"));
        var deliveries = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 7);
        deliveries.ShouldAllBe(d => d.GetProperty("outcome").GetString() == "network_error");
        deliveries[0].GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
        deliveries[0].GetProperty("status_code").ValueKind.ShouldBe(JsonValueKind.Null);

        var sources = await SourcesAsync(ws, contactId);
        sources.GetProperty("email").GetProperty("verified").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [DbFact]
    public async Task An_answer_that_is_not_json_changes_nothing_and_is_asked_again()
    {
        await using var receiver = new WebhookReceiver(n => n == 0 ? new Reply(200, "OK", "text/plain") : Answer(false));
        var (ws, contactId) = await ContactAsync(receiver.Url);

        await EnqueueForNewEmailsAsync(ws, contactId, ("email", "ada@analytical.io"));
        var deliveries = await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 2);
        deliveries.Select(d => d.GetProperty("outcome").GetString()).ShouldBe(["delivered", "invalid_reply"]);
        deliveries[1].GetProperty("status_code").GetInt32().ShouldBe(200);
        receiver.Received.Select(r => r.Id).Distinct().Count().ShouldBe(1);

        (await SourcesAsync(ws, contactId)).GetProperty("email").GetProperty("verified").GetBoolean().ShouldBeFalse();
    }

    [DbFact]
    public async Task An_answer_about_an_email_the_contact_no_longer_holds_changes_nothing()
    {
        await using var receiver = new WebhookReceiver(_ => Answer(false));
        var (ws, contactId) = await ContactAsync(receiver.Url);
        // The request is about the old address; the contact has moved on before the answer comes back.
        await using (var db = app.NewDb())
        {
            var workspace = await db.Workspaces.SingleAsync(w => w.Id == ws.Id);
            var contact = await db.Contacts.SingleAsync(c => c.Id == contactId);
            VerificationRequests.Enqueue(db, workspace, contactId, "ada@analytical.io", TimeProvider.System).ShouldNotBeNull();
            ContactFields.Set(contact, "email", "ada@new-employer.io");
            await db.SaveChangesAsync();
        }

        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count >= 1);
        (await SourcesAsync(ws, contactId)).GetProperty("email").GetProperty("verified").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [DbFact]
    public async Task Nothing_is_queued_without_a_verification_webhook_and_deleting_the_contact_erases_its_requests()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var contactId = (await (await client.PostJson("/v1/contacts", new { email = "grace@hopper.io" })).ShouldBeOk(201))
            .GetProperty("data").GetProperty("id").GetGuid();
        (await EnqueueForNewEmailsAsync(ws, contactId, ("email", "grace@hopper.io"))).ShouldBe(0);

        await using var receiver = new WebhookReceiver(_ => Answer(true));
        await (await client.PatchJson("/v1/workspace/settings", new { verification_webhook_url = receiver.Url })).ShouldBeOk();
        (await EnqueueForNewEmailsAsync(ws, contactId, ("email", "grace@hopper.io"), ("email", "GRACE@hopper.io"))).ShouldBe(1);
        await WebhookApp.WaitForDeliveriesAsync(ws, d => d.Count == 1);

        (await client.DeleteAsync($"/v1/contacts/{contactId}")).EnsureSuccessStatusCode();
        (await WebhookApp.DeliveriesAsync(ws)).ShouldBeEmpty();
        await using var db = app.NewDb();
        (await db.WebhookMessages.CountAsync(m => m.WorkspaceId == ws.Id)).ShouldBe(0);
    }
}

public sealed class VerificationWebhookTests_Sqlite(OpenWebhookSqliteApp app) : VerificationWebhookTests(app), IClassFixture<OpenWebhookSqliteApp>;

public sealed class VerificationWebhookTests_Postgres(OpenWebhookPostgresApp app)
    : VerificationWebhookTests(app), IClassFixture<OpenWebhookPostgresApp>, IPostgresTests;
