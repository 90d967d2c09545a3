using System.Net;
using System.Text;
using System.Text.Json;
using Tributary.Tests.Infrastructure;
using Tributary.Tests.Webhooks;
using static Tributary.Tests.Erasure.ErasureApp;

namespace Tributary.Tests.Erasure;

/// <summary>DESIGN §4's suppression list: a suppressed person is answered as no match on every surface, free and without a provider call.</summary>
public abstract partial class ErasureTests
{
    [DbFact]
    public async Task A_suppressed_person_gets_no_match_on_every_surface_free_and_without_a_provider_call()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        await using var receiver = WebhookReceiver.Answering();
        // Stored before the suppression (which leaves stored data alone), so that seeds 000 and 002 have a lead to ask for.
        var lead = (await (await client.PostJson("/v1/contacts", new
        {
            first_name = Person.First, last_name = Person.Last, email = Person.Email, company_domain = Person.Domain,
        })).ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();

        using var listed = await client.PostJson("/v1/suppressions", new
        {
            email = Person.Email, linkedin_url = Person.LinkedinUrl, first_name = Person.First, last_name = Person.Last, company_domain = Person.Domain,
        });
        var entries = (await listed.ShouldBeOk(201)).GetProperty("data").GetProperty("suppressions");
        entries.EnumerateArray().Select(e => e.GetProperty("kind").GetString()).Order().ShouldBe(["email", "linkedin", "name"]);
        entries.EnumerateArray().ShouldAllBe(e => e.GetProperty("key_hash").GetString()!.Length == 64);
        ShouldNotMention(entries.ToString(), "the suppression list");
        var calls = app.CallsForPerson();

        // 000: 409 no_match.
        await (await client.PostJson("/v1/enrich/contact", new { contact_id = lead })).ShouldBeError(409, "no_match");

        // 001: a synchronous answer with empty arrays; a batch item failed with no_match, the other person found.
        var sync = await (await client.PostJson("/api/enrichments", new
        {
            identifier = new { linkedin_url = Person.LinkedinUrl }, fields = new[] { "contact.email", "contact.phone" },
        })).ShouldBeOk();
        sync.GetProperty("data").GetProperty("contact").GetProperty("email").GetArrayLength().ShouldBe(0);
        sync.GetProperty("data").GetProperty("contact").GetProperty("phone").GetArrayLength().ShouldBe(0);
        var operation = (await (await client.PostJson("/api/enrichments", new
        {
            identifiers = new object[] { new { email = Person.Email }, new { email = Other.Email } }, fields = new[] { "contact.email" },
        })).ShouldBeOk(202)).GetProperty("pollUrl").GetString()!;
        var items = (await Polling.UntilAsync(async () => await (await client.GetAsync(operation)).ShouldBeOk(),
            o => o.GetProperty("status").GetString() == "succeeded", "operation")).GetProperty("result").GetProperty("items");
        items[0].GetProperty("status").GetString().ShouldBe("failed");
        items[0].GetProperty("error").GetProperty("code").GetString().ShouldBe("no_match");
        items[1].GetProperty("status").GetString().ShouldBe("success");

        // 002: finished, dataFound false.
        (await client.PostJson("/api/v1/operations/enrichment/bulk",
            new { selection = new { mode = "manual", includedIds = new[] { lead } }, field = "emails" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var record = await Polling.UntilAsync(async () => await (await client.GetAsync($"/api/v1/operations/enrichment/{lead}?field=emails")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() != "pending", "seed 002 record");
        record.GetProperty("status").GetString().ShouldBe("finished");
        record.GetProperty("dataFound").GetBoolean().ShouldBeFalse();

        // 003: finished with email null, N/A and no phone, and the webhook sent.
        var asyncId = (await (await client.PostJson("/api/v2/contacts/single_enrich", new
        {
            firstname = Person.First, lastname = Person.Last, domain = Person.Domain, enrichment_type = new[] { "email" }, webhook_url = receiver.Url,
        })).ShouldBeOk()).GetProperty("enrichment_id").GetString()!;
        var result = await Polling.UntilAsync(async () => await (await client.GetAsync($"/api/v2/contacts/{asyncId}")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() == "finished", "seed 003 result");
        result.GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);
        result.GetProperty("email_status").GetString().ShouldBe("N/A");
        result.GetProperty("phone").GetArrayLength().ShouldBe(0);
        await Polling.UntilAsync(() => Task.FromResult(receiver.Received.Count), n => n >= 1, "seed 003 webhook");
        JsonDocument.Parse(receiver.Received[0].Body).RootElement.GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);

        // 004: null channels, no record.
        var channels = await (await client.PostJson("/enrichment", new { email = Person.Email, channels = new[] { "work_email", "phone" } })).ShouldBeOk();
        channels.GetProperty("record_id").ValueKind.ShouldBe(JsonValueKind.Null);
        channels.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);
        channels.GetProperty("credits_used").GetInt64().ShouldBe(0);

        // A job: the row finds nothing.
        var job = (await (await client.PostJson("/v1/jobs", new { records = new[] { new { email = Person.Email } }, channels = new[] { "work_email" } }))
            .ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
        (await JobDoneAsync(client, job)).GetProperty("status").GetString().ShouldBe("succeeded");
        var row = JsonDocument.Parse((await (await client.GetAsync($"/v1/jobs/{job}/results")).Content.ReadAsStringAsync()).Trim()).RootElement;
        row.GetProperty("channels").GetProperty("work_email").ValueKind.ShouldBe(JsonValueKind.Null);

        // Creates, bulk and import refuse the person; the other person's row goes in.
        await (await client.PostJson("/v1/contacts", new { linkedin_url = "linkedin.com/in/Jordan-Rivera/" })).ShouldBeError(409, "suppressed");
        var someone = (await (await client.PostJson("/v1/contacts", new { first_name = "Sam" })).ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();
        await (await client.PatchJson($"/v1/contacts/{someone}", new { email = Person.Email })).ShouldBeError(409, "suppressed");
        (await (await client.GetAsync($"/v1/contacts/{someone}")).Json()).GetProperty("data").GetProperty("email").ValueKind.ShouldBe(JsonValueKind.Null);
        var bulk = await (await client.PostJson("/v1/contacts/bulk", new { contacts = new object[] { new { email = Other.Email }, new { email = Person.Email } } }))
            .ShouldBeError(409, "suppressed");
        bulk.ToString().ShouldContain("contacts[1]");
        var csv = $"email,first_name\n{Other.Email},Chloe\n{Person.Email.ToUpperInvariant()},Jordan\n";
        var report = (await (await client.PostAsync("/v1/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).ShouldBeOk())
            .GetProperty("data");
        // The other person's row was taken (a contact the seed 001 batch already stored for them, so not a new one).
        (report.GetProperty("created").GetInt32() + report.GetProperty("updated").GetInt32() + report.GetProperty("skipped").GetInt32()).ShouldBe(1);
        var error = report.GetProperty("errors").EnumerateArray().Single();
        error.GetProperty("row_number").GetInt64().ShouldBe(3);
        error.GetProperty("code").GetString().ShouldBe("suppressed");

        app.CallsForPerson().ShouldBe(calls);
        // Only the other person's email in the seed 001 batch was charged.
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(99);

        // The list: read, lift one entry.
        var list = (await (await client.GetAsync("/v1/suppressions")).ShouldBeOk()).GetProperty("data").GetProperty("suppressions");
        list.GetArrayLength().ShouldBe(3);
        var linkedin = list.EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "linkedin").GetProperty("id").GetGuid();
        (await client.DeleteAsync($"/v1/suppressions/{linkedin}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await client.DeleteAsync($"/v1/suppressions/{linkedin}")).ShouldBeError(404, "not_found");
        (await (await client.GetAsync("/v1/suppressions")).Json()).GetProperty("data").GetProperty("suppressions").GetArrayLength().ShouldBe(2);
        using var other = app.Client(await app.CreateKeyAsync(ws.Id, ["write:contacts"]));
        await (await other.GetAsync("/v1/suppressions")).ShouldBeError(403, "insufficient_permissions");

        // Erased and listed for good, so that nothing of the person is left for the other tests' searches.
        (await client.PostJson("/v1/erasures", new { email = Person.Email, suppress = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await NoCopyAnywhereAsync();
    }
}
