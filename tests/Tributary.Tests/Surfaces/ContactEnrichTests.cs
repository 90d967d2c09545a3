using System.Net;
using System.Text.Json;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Surfaces;

/// <summary>Seed 000's CRM-style contact enrichment against fake providers.</summary>
public abstract class ContactEnrichApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor_a"] = new()
        {
            Channels = ["job_title", "company_name", "linkedin_url", "location", "phone", "seniority", "work_email", "full_name", "company_domain", "x_handle"],
            Confidence = 0.91,
            People =
            [
                new() { ["work_email"] = "jane@acme.com", ["job_title"] = "General Counsel", ["company_name"] = "Acme Corp",
                        ["linkedin_url"] = "https://linkedin.com/in/janedoe", ["location"] = "New York, NY, US", ["full_name"] = "Jane Doe",
                        ["company_domain"] = "acme.com", ["x_handle"] = "janedoe_law" },
            ],
        },
        ["firmo"] = new()
        {
            Channels = ["company_name", "industry", "employee_count", "founded_year", "hq_city", "hq_country", "company_linkedin_url"],
            Confidence = 0.8,
            People = [new() { ["_company"] = true, ["domain"] = "acme.com", ["company_name"] = "Acme Corp", ["industry"] = "Legal Services",
                              ["employee_count"] = 240, ["founded_year"] = 1999, ["hq_city"] = "New York", ["hq_country"] = "US" }],
        },
    },
    new Dictionary<string, string[]>
    {
        ["job_title"] = ["vendor_a"], ["company_name"] = ["vendor_a"], ["linkedin_url"] = ["vendor_a"], ["location"] = ["vendor_a"],
        ["phone"] = ["vendor_a"], ["seniority"] = ["vendor_a"], ["work_email"] = ["vendor_a"], ["full_name"] = ["vendor_a"],
        ["company_domain"] = ["vendor_a"], ["x_handle"] = ["vendor_a"], ["company_name"] = ["vendor_a", "firmo"],
        ["industry"] = ["firmo"], ["employee_count"] = ["firmo"], ["founded_year"] = ["firmo"], ["hq_city"] = ["firmo"],
        ["hq_country"] = ["firmo"], ["company_linkedin_url"] = ["firmo"],
    });

public sealed class ContactEnrichSqliteApp() : ContactEnrichApp(DatabaseProvider.Sqlite);
public sealed class ContactEnrichPostgresApp() : ContactEnrichApp(DatabaseProvider.Postgres);

public abstract class ContactEnrichTests(ContactEnrichApp app)
{
    private async Task<(TestWorkspace Ws, HttpClient Client, Guid Contact)> JaneAsync(long credits, object? extra = null)
    {
        var ws = await app.CreateWorkspaceAsync(credits: credits);
        var client = ws.Client();
        var created = await client.PostJson("/v1/contacts", extra ?? new { full_name = "Jane Doe", email = "jane@acme.com", phone = "+1-555-0100" });
        return (ws, client, (await created.Json()).GetProperty("data").GetProperty("id").GetGuid());
    }

    [DbFact]
    public async Task The_documented_example_fills_empty_fields_for_one_credit()
    {
        var (_, client, id) = await JaneAsync(10);
        var response = await client.PostJson("/v1/enrich/contact", new { contact_id = id.ToString() });
        var data = (await response.ShouldBeOk()).GetProperty("data");
        data.GetProperty("fields_updated").EnumerateArray().Select(f => f.GetString()).Order()
            .ShouldBe(new[] { "job_title", "company_name", "linkedin_url", "location" }.Order());
        data.GetProperty("source").GetString().ShouldBe("vendor_a");
        data.GetProperty("confidence").GetDouble().ShouldBe(0.91);
        data.GetProperty("credits_remaining").GetInt64().ShouldBe(9);
        var contact = data.GetProperty("contact");
        contact.GetProperty("id").GetGuid().ShouldBe(id);
        contact.GetProperty("job_title").GetString().ShouldBe("General Counsel");
        contact.GetProperty("phone").GetString().ShouldBe("+1-555-0100");
        foreach (var header in new[] { "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-ID" })
            response.Headers.Contains(header).ShouldBeTrue(header);
    }

    [DbFact]
    public async Task The_documented_gateway_url_reaches_the_same_endpoint()
    {
        var (_, client, id) = await JaneAsync(10);
        var response = await client.PostRaw("/functions/v1/api-gateway/v1/enrich/contact", $$"""{ "contact_id": "{{id}}" }""");
        var data = (await response.ShouldBeOk()).GetProperty("data");
        data.GetProperty("contact").GetProperty("id").GetGuid().ShouldBe(id);
        data.GetProperty("credits_remaining").GetInt64().ShouldBe(9);
        (await (await client.GetAsync($"/functions/v1/api-gateway/v1/contacts/{id}")).ShouldBeOk()).GetProperty("data").GetProperty("id").GetGuid().ShouldBe(id);

        // Only the /v1 API lives under the gateway path: admin, metrics and docs keep their one path.
        using var admin = app.Admin();
        (await admin.PostJson("/functions/v1/api-gateway/admin/workspaces", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.GetAsync("/functions/v1/api-gateway/metrics")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.GetAsync("/functions/v1/api-gateway/docs")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [DbFact]
    public async Task Data_that_changes_nothing_is_free_and_overwrite_replaces_user_values()
    {
        var (_, client, id) = await JaneAsync(10, new { full_name = "Jane Doe", email = "jane@acme.com", job_title = "Lawyer" });
        var untouched = (await (await client.PostJson("/v1/enrich/contact", new { contact_id = id, fields = new[] { "job_title" } })).ShouldBeOk()).GetProperty("data");
        untouched.GetProperty("fields_updated").GetArrayLength().ShouldBe(0);
        untouched.GetProperty("credits_remaining").GetInt64().ShouldBe(10);
        untouched.GetProperty("contact").GetProperty("job_title").GetString().ShouldBe("Lawyer");

        var replaced = (await (await client.PostJson("/v1/enrich/contact", new { contact_id = id, fields = new[] { "job_title" }, overwrite = true })).ShouldBeOk()).GetProperty("data");
        replaced.GetProperty("fields_updated").EnumerateArray().Select(f => f.GetString()).ShouldBe(["job_title"]);
        replaced.GetProperty("contact").GetProperty("job_title").GetString().ShouldBe("General Counsel");
        replaced.GetProperty("source").GetString().ShouldBe("cached");
        replaced.GetProperty("credits_remaining").GetInt64().ShouldBe(9);
    }

    [DbFact]
    public async Task Every_row_of_the_error_table()
    {
        var (ws, client, id) = await JaneAsync(0);
        await (await client.PostJson("/v1/enrich/contact", new { })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/enrich/contact", new { contact_id = "123" })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/enrich/contact", new { contact_id = id, fields = new[] { "shoe_size" } })).ShouldBeError(400, "validation_error");
        using var wrong = app.Client("wbk_" + new string('Z', 32));
        await (await wrong.PostJson("/v1/enrich/contact", new { contact_id = id })).ShouldBeError(401, "invalid_key");
        var calls = app.Fakes.Calls.Count;
        await (await client.PostJson("/v1/enrich/contact", new { contact_id = id })).ShouldBeError(402, "insufficient_credits");
        app.Fakes.Calls.Count.ShouldBe(calls);
        (await (await client.GetAsync($"/v1/contacts/{id}")).Json()).GetProperty("data").GetProperty("job_title").ValueKind.ShouldBe(JsonValueKind.Null);
        using var reader = app.Client(await app.CreateKeyAsync(ws.Id, ["read:contacts"]));
        await (await reader.PostJson("/v1/enrich/contact", new { contact_id = id })).ShouldBeError(403, "insufficient_permissions");

        var other = await app.CreateWorkspaceAsync(credits: 10);
        using var otherClient = other.Client();
        await (await otherClient.PostJson("/v1/enrich/contact", new { contact_id = id })).ShouldBeError(404, "not_found");
        await (await otherClient.PostJson("/v1/enrich/contact", new { contact_id = Guid.NewGuid() })).ShouldBeError(404, "not_found");
        var stranger = (await (await otherClient.PostJson("/v1/contacts", new { email = "nobody@nowhere.io" })).Json()).GetProperty("data").GetProperty("id").GetGuid();
        await (await otherClient.PostJson("/v1/enrich/contact", new { contact_id = stranger })).ShouldBeError(409, "no_match");
        (await (await otherClient.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64().ShouldBe(10);
        await (await otherClient.PostJson("/v1/enrich/contact", new { contact_id = stranger, fields = new[] { "personal_email" } })).ShouldBeError(422, "consent_required");
    }
}

public abstract class CompanyAndEmailEnrichTests(ContactEnrichApp app)
{
    [DbFact]
    public async Task Company_enrichment_fills_firmographics_once_and_then_changes_nothing_for_free()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 5);
        using var client = ws.Client();
        var first = (await (await client.PostJson("/v1/enrich/company", new { domain = "www.acme.com" })).ShouldBeOk()).GetProperty("data");
        var company = first.GetProperty("company");
        company.GetProperty("name").GetString().ShouldBe("Acme Corp");
        company.GetProperty("industry").GetString().ShouldBe("Legal Services");
        company.GetProperty("size").GetString().ShouldBe("201-500");
        company.GetProperty("hq_location").GetString().ShouldBe("New York, US");
        first.GetProperty("fields_updated").EnumerateArray().Select(f => f.GetString()).ShouldContain("industry");
        first.GetProperty("credits_remaining").GetInt64().ShouldBe(4);
        var id = company.GetProperty("id").GetGuid();

        var again = (await (await client.PostJson("/v1/enrich/company", new { company_id = id, fields = new[] { "industry", "size" } })).ShouldBeOk()).GetProperty("data");
        again.GetProperty("fields_updated").GetArrayLength().ShouldBe(0);
        again.GetProperty("credits_remaining").GetInt64().ShouldBe(4);

        await (await client.PostJson("/v1/enrich/company", new { domain = "unknown-company.io" })).ShouldBeError(409, "no_match");
        await (await client.PostJson("/v1/enrich/company", new { domain = "acme.com", fields = new[] { "ceo_shoe_size" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/enrich/company", new { })).ShouldBeError(400, "validation_error");
        var other = await app.CreateWorkspaceAsync(credits: 5);
        using var otherClient = other.Client();
        await (await otherClient.PostJson("/v1/enrich/company", new { company_id = id })).ShouldBeError(404, "not_found");
    }

    [DbFact]
    public async Task Email_lookup_answers_person_company_and_social_and_stores_nothing()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 5);
        using var client = ws.Client();
        var data = (await (await client.PostJson("/v1/enrich/email", new { email = "Jane@Acme.com" })).ShouldBeOk()).GetProperty("data");
        data.GetProperty("person").GetProperty("first_name").GetString().ShouldBe("Jane");
        data.GetProperty("person").GetProperty("job_title").GetString().ShouldBe("General Counsel");
        data.GetProperty("company").GetProperty("name").GetString().ShouldBe("Acme Corp");
        data.GetProperty("company").GetProperty("industry").GetString().ShouldBe("Legal Services");
        data.GetProperty("social").GetProperty("x_handle").GetString().ShouldBe("janedoe_law");
        data.GetProperty("deliverable").ValueKind.ShouldBe(JsonValueKind.Null);
        data.GetProperty("source").GetString().ShouldBe("vendor_a");
        data.GetProperty("credits_remaining").GetInt64().ShouldBe(4);

        var social = (await (await client.PostJson("/v1/enrich/email", new { email = "jane@acme.com", include = new[] { "social" } })).ShouldBeOk()).GetProperty("data");
        social.TryGetProperty("person", out _).ShouldBeFalse();
        social.GetProperty("source").GetString().ShouldBe("cached");

        await (await client.PostJson("/v1/enrich/email", new { email = "ghost@nowhere.io" })).ShouldBeError(409, "no_match");
        await (await client.PostJson("/v1/enrich/email", new { include = new[] { "person" } })).ShouldBeError(400, "validation_error");
        await (await client.PostJson("/v1/enrich/email", new { email = "jane@acme.com", include = new[] { "gossip" } })).ShouldBeError(400, "validation_error");
        (await (await client.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
    }
}

public sealed class CompanyAndEmailEnrichTests_Sqlite(ContactEnrichSqliteApp app) : CompanyAndEmailEnrichTests(app), IClassFixture<ContactEnrichSqliteApp>;

public sealed class CompanyAndEmailEnrichTests_Postgres(ContactEnrichPostgresApp app) : CompanyAndEmailEnrichTests(app), IClassFixture<ContactEnrichPostgresApp>, IPostgresTests;

public sealed class ContactEnrichTests_Sqlite(ContactEnrichSqliteApp app) : ContactEnrichTests(app), IClassFixture<ContactEnrichSqliteApp>;

public sealed class ContactEnrichTests_Postgres(ContactEnrichPostgresApp app) : ContactEnrichTests(app), IClassFixture<ContactEnrichPostgresApp>, IPostgresTests;
