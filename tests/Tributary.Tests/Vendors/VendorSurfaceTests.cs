using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Vendors;

/// <summary>A configuration of vendor types and keys only, answering through every surface (seed 004 and jobs are above).</summary>
public abstract partial class VendorWaterfallTests
{
    private static StringContent JsonBody(string body) => new(body, Encoding.UTF8, "application/json");

    [DbFact]
    public async Task Seeds_000_to_003_answer_from_native_vendors()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 200);
        using var client = ws.Client();

        // Seed 000: a stored contact enriched in place; Hunter finds the email.
        var contact = (await (await client.PostAsJsonAsync("/v1/contacts", new { first_name = "Ada", last_name = "surfzero", company_domain = VendorFakes.Domain }))
            .ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();
        var enriched = (await (await client.PostAsync("/v1/enrich/contact", JsonBody($$"""{"contact_id": "{{contact}}", "fields": ["email"]}""")))
            .ShouldBeOk()).GetProperty("data");
        enriched.GetProperty("contact").GetProperty("email").GetString().ShouldBe(VendorFakes.EmailOf("surfzero"));

        // Seed 001: a LinkedIn identifier; only PDL takes one, and its email goes to the verifiers.
        var keyHash = Tributary.Core.Workspaces.Secrets.Hash(ws.Key);
        Guid keyId;
        await using (var db = app.NewDb()) keyId = db.ApiKeys.Single(k => k.SecretHash == keyHash).Id;
        using var operations = app.CreateClient();
        operations.DefaultRequestHeaders.Add("X-Access-Key", keyId.ToString());
        operations.DefaultRequestHeaders.Add("X-Secret-Key", ws.Key);
        var sync = await (await operations.PostAsync("/api/enrichments", JsonBody("""
            {"identifier": {"linkedin_url": "https://www.linkedin.com/in/ada-surfone"}, "fields": ["contact.email"]}
            """))).ShouldBeOk();
        sync.GetProperty("data").GetProperty("contact").GetProperty("email")[0].GetProperty("value").GetString().ShouldBe(VendorFakes.EmailOf("surfone"));
        app.Fakes.Requests.ShouldContain(r => r.Vendor == "pdl" && r.B("profile") == "https://www.linkedin.com/in/ada-surfone");

        // Seed 002: a stored lead's phones, run by the workers, from Dropcontact (which serves job items only).
        var lead = (await (await client.PostAsJsonAsync("/v1/contacts", new { first_name = "Ada", last_name = "surftwo", company_domain = VendorFakes.Domain }))
            .ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetGuid();
        (await (await client.PostAsync("/api/v1/operations/enrichment/bulk", JsonBody($$"""
            {"selection": {"mode": "manual", "includedIds": ["{{lead}}"]}, "field": "phones"}
            """))).ShouldBeOk())[0].GetProperty("status").GetString().ShouldBe("pending");
        var record = await Polling.UntilAsync(async () => await (await client.GetAsync($"/api/v1/operations/enrichment/{lead}?field=phones")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() != "pending", "seed 002 record", delayMs: 100);
        record.GetProperty("status").GetString().ShouldBe("finished");
        record.GetProperty("data").GetProperty("phones")[0].GetProperty("value").GetString().ShouldBe("+33186760696");

        // Seed 003: asynchronous single contact, polled; Hunter finds the email.
        var pending = await (await client.PostAsync("/api/v2/contacts/single_enrich", JsonBody($$"""
            {"firstname": "Ada", "lastname": "surfthree", "domain": "{{VendorFakes.Domain}}", "enrichment_type": ["email"]}
            """))).ShouldBeOk();
        var finished = await Polling.UntilAsync(
            async () => await (await client.GetAsync($"/api/v2/contacts/{pending.GetProperty("enrichment_id").GetString()}")).ShouldBeOk(),
            r => r.GetProperty("status").GetString() == "finished", "seed 003 contact", delayMs: 100);
        finished.GetProperty("email").GetString().ShouldBe(VendorFakes.EmailOf("surfthree"));
        app.Fakes.Requests.ShouldContain(r => r.Vendor == "hunter" && r.Q("last_name") == "surfthree" && r.Header("x-api-key") == VendorFakes.GoodKey);
    }
}
