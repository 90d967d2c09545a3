using System.Net;
using System.Text.Json;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Contacts;

public abstract class ContactsApiTests(TributaryApp app)
{
    [DbFact]
    public async Task Contact_round_trips_with_user_provenance_normalised_phone_and_derived_names()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var created = await (await client.PostJson("/v1/contacts", new
        {
            full_name = "Jane Doe", email = "Jane@Acme.com", phone = "+1 (415) 555-0111", company_name = "Acme Corp",
            company_domain = "https://www.acme.com/", tags = new[] { "vip", "emea" }, custom = new { crm_id = 42 }, unknown_field = "ignored",
        })).ShouldBeOk(201);
        var c = created.GetProperty("data");
        var id = c.GetProperty("id").GetGuid();
        c.GetProperty("first_name").GetString().ShouldBe("Jane");
        c.GetProperty("last_name").GetString().ShouldBe("Doe");
        c.GetProperty("email").GetString().ShouldBe("jane@acme.com");
        c.GetProperty("phone").GetString().ShouldBe("+14155550111");
        c.GetProperty("company_domain").GetString().ShouldBe("acme.com");
        c.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["vip", "emea"]);
        c.GetProperty("custom").GetProperty("crm_id").GetInt32().ShouldBe(42);
        var source = c.GetProperty("field_sources").GetProperty("email");
        source.GetProperty("source").GetString().ShouldBe("user");
        source.GetProperty("confidence").GetDouble().ShouldBe(1);

        var fetched = (await (await client.GetAsync($"/v1/contacts/{id}")).ShouldBeOk()).GetProperty("data");
        fetched.GetProperty("email").GetString().ShouldBe("jane@acme.com");

        var companies = (await (await client.GetAsync("/v1/companies?domain=acme.com")).ShouldBeOk());
        var company = companies.GetProperty("data").GetProperty("companies").EnumerateArray().Single();
        company.GetProperty("name").GetString().ShouldBe("Acme Corp");
        var companyId = company.GetProperty("id").GetGuid();
        (await (await client.GetAsync($"/v1/companies/{companyId}")).ShouldBeOk()).GetProperty("data").GetProperty("domain")
            .GetString().ShouldBe("acme.com");
    }

    [DbFact]
    public async Task Patch_sets_and_clears_fields_and_delete_removes()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var id = (await (await client.PostJson("/v1/contacts", new { email = "a@acme.com", job_title = "CTO" })).Json())
            .GetProperty("data").GetProperty("id").GetGuid();
        var patched = (await (await client.PatchJson($"/v1/contacts/{id}", new { job_title = (string?)null, location = "Paris" })).ShouldBeOk())
            .GetProperty("data");
        patched.GetProperty("job_title").ValueKind.ShouldBe(JsonValueKind.Null);
        patched.GetProperty("location").GetString().ShouldBe("Paris");
        patched.GetProperty("email").GetString().ShouldBe("a@acme.com");
        patched.GetProperty("field_sources").TryGetProperty("job_title", out _).ShouldBeFalse();

        var deleted = (await (await client.DeleteAsync($"/v1/contacts/{id}")).ShouldBeOk()).GetProperty("data");
        deleted.GetProperty("deleted").GetBoolean().ShouldBeTrue();
        deleted.GetProperty("id").GetGuid().ShouldBe(id);
        await (await client.GetAsync($"/v1/contacts/{id}")).ShouldBeError(404, "not_found");
        await (await client.DeleteAsync($"/v1/contacts/{id}")).ShouldBeError(404, "not_found");
    }

    [DbFact]
    public async Task Contact_of_another_workspace_is_not_found_and_untouched()
    {
        var owner = await app.CreateWorkspaceAsync();
        var other = await app.CreateWorkspaceAsync();
        using var ownerClient = owner.Client();
        using var otherClient = other.Client();
        var id = (await (await ownerClient.PostJson("/v1/contacts", new { email = "mine@acme.com" })).Json())
            .GetProperty("data").GetProperty("id").GetGuid();

        await (await otherClient.GetAsync($"/v1/contacts/{id}")).ShouldBeError(404, "not_found");
        await (await otherClient.PatchJson($"/v1/contacts/{id}", new { email = "stolen@evil.com" })).ShouldBeError(404, "not_found");
        await (await otherClient.DeleteAsync($"/v1/contacts/{id}")).ShouldBeError(404, "not_found");
        (await (await otherClient.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
        (await (await otherClient.GetAsync("/v1/companies")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);

        var still = (await (await ownerClient.GetAsync($"/v1/contacts/{id}")).ShouldBeOk()).GetProperty("data");
        still.GetProperty("email").GetString().ShouldBe("mine@acme.com");
    }

    [DbFact]
    public async Task Bad_input_gets_400_in_the_envelope_and_changes_nothing()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        await (await client.PostRaw("/v1/contacts", "{\"email\": ")).ShouldBeError(400, "validation_error");
        await (await client.PostRaw("/v1/contacts", "{\"email\": 12}")).ShouldBeError(400, "validation_error");
        await (await client.PostRaw("/v1/contacts", "{\"tags\": \"vip\"}")).ShouldBeError(400, "validation_error");
        await (await client.PostRaw("/v1/contacts", "{\"email\": \"not-an-email\"}")).ShouldBeError(400, "validation_error");
        await (await client.PostRaw("/v1/contacts", "{}")).ShouldBeError(400, "validation_error");
        await (await client.PostRaw("/v1/contacts", "")).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/contacts/123")).ShouldBeError(400, "validation_error");
        await (await client.PatchJson("/v1/contacts/not-a-uuid", new { email = "x@y.com" })).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/companies/xyz")).ShouldBeError(400, "validation_error");
        (await (await client.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
    }

    [DbFact]
    public async Task Search_filters_select_the_right_contacts()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var bulk = await client.PostJson("/v1/contacts/bulk", new
        {
            contacts = new object[]
            {
                new { first_name = "Ada", last_name = "Lovelace", email = "ada@analytical.io", job_title = "Chief Engineer", seniority = "c_suite",
                      company_name = "Analytical Engines", company_domain = "analytical.io", location = "London, UK", tags = new[] { "vip" } },
                new { first_name = "Grace", last_name = "Hopper", phone = "+14155550123", job_title = "Rear Admiral", seniority = "senior",
                      company_name = "Navy", company_domain = "navy.mil", location = "Arlington, VA, US" },
                new { first_name = "Alan", last_name = "Turing", email = "alan@bletchley.uk", job_title = "Engineer", company_domain = "bletchley.uk",
                      location = "Bletchley, UK", tags = new[] { "prospect" } },
            },
        });
        (await bulk.ShouldBeOk()).GetProperty("data").GetProperty("created").GetInt32().ShouldBe(3);

        async Task<string[]> Names(string query)
        {
            var list = await (await client.GetAsync("/v1/contacts?" + query)).ShouldBeOk();
            return list.GetProperty("data").GetProperty("contacts").EnumerateArray().Select(c => c.GetProperty("last_name").GetString()!).ToArray();
        }

        (await Names("search=LOVE")).ShouldBe(["Lovelace"]);
        (await Names("search=bletchley")).ShouldBe(["Turing"]);
        (await Names("job_title=engineer")).ShouldBe(["Lovelace", "Turing"]);
        (await Names("company_domain=www.navy.mil")).ShouldBe(["Hopper"]);
        (await Names("company_name=engines")).ShouldBe(["Lovelace"]);
        (await Names("seniority=SENIOR")).ShouldBe(["Hopper"]);
        (await Names("location=uk")).ShouldBe(["Lovelace", "Turing"]);
        (await Names("tag=vip")).ShouldBe(["Lovelace"]);
        (await Names("has_email=false")).ShouldBe(["Hopper"]);
        (await Names("has_phone=true")).ShouldBe(["Hopper"]);
        (await Names("has_email=true&location=uk&tag=prospect")).ShouldBe(["Turing"]);
        (await Names("created_after=2000-01-01T00:00:00Z")).Length.ShouldBe(3);
        (await Names("created_before=2000-01-01")).ShouldBeEmpty();
        await (await client.GetAsync("/v1/contacts?favourite_colour=blue")).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/contacts?has_email=maybe")).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/contacts?per_page=101")).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/contacts?page=0")).ShouldBeError(400, "validation_error");
        await (await client.GetAsync("/v1/contacts?cursor=garbage")).ShouldBeError(400, "validation_error");
    }

    [DbFact]
    public async Task Page_and_cursor_paging_walk_every_contact_once_in_creation_order()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var contacts = Enumerable.Range(0, 57).Select(i => new { email = $"p{i:D3}@paging.io" }).ToArray();
        (await client.PostJson("/v1/contacts/bulk", new { contacts })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var page2 = await (await client.GetAsync("/v1/contacts?page=2&per_page=20")).ShouldBeOk();
        page2.GetProperty("meta").GetProperty("page").GetInt32().ShouldBe(2);
        page2.GetProperty("meta").GetProperty("per_page").GetInt32().ShouldBe(20);
        page2.GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(57);
        page2.GetProperty("data").GetProperty("contacts")[0].GetProperty("email").GetString().ShouldBe("p020@paging.io");

        var seen = new List<string>();
        string? cursor = null;
        var requests = 0;
        do
        {
            var url = "/v1/contacts?per_page=25" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await (await client.GetAsync(url)).ShouldBeOk();
            seen.AddRange(page.GetProperty("data").GetProperty("contacts").EnumerateArray().Select(c => c.GetProperty("email").GetString()!));
            cursor = page.GetProperty("meta").GetProperty("next_cursor").GetString();
            requests++;
        } while (cursor is not null);
        requests.ShouldBe(3);
        seen.ShouldBe(contacts.Select(c => c.email).ToList());
    }

    [DbFact]
    public async Task Bulk_upserts_on_matching_keys_and_fills_only_empty_fields()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var id = (await (await client.PostJson("/v1/contacts", new { email = "sam@acme.com", job_title = "VP Sales" })).Json())
            .GetProperty("data").GetProperty("id").GetGuid();
        var linkedinId = (await (await client.PostJson("/v1/contacts", new { linkedin_url = "https://www.linkedin.com/in/kim-lee/" })).Json())
            .GetProperty("data").GetProperty("id").GetGuid();

        var result = (await (await client.PostJson("/v1/contacts/bulk", new
        {
            contacts = new object[]
            {
                new { email = "SAM@acme.com", job_title = "Intern", location = "Berlin" },
                new { linkedin_url = "linkedin.com/in/kim-lee?trk=x", first_name = "Kim" },
                new { first_name = "New", last_name = "Person", company_domain = "new.io" },
                new { first_name = "new", last_name = "person", company_domain = "NEW.io", job_title = "CEO" },
            },
        })).ShouldBeOk()).GetProperty("data");
        result.GetProperty("created").GetInt32().ShouldBe(1);
        result.GetProperty("updated").GetInt32().ShouldBe(3);
        var rows = result.GetProperty("contacts").EnumerateArray().ToList();
        rows[0].GetProperty("id").GetGuid().ShouldBe(id);
        rows[0].GetProperty("job_title").GetString().ShouldBe("VP Sales");
        rows[0].GetProperty("location").GetString().ShouldBe("Berlin");
        rows[1].GetProperty("id").GetGuid().ShouldBe(linkedinId);
        rows[1].GetProperty("first_name").GetString().ShouldBe("Kim");
        rows[3].GetProperty("id").GetGuid().ShouldBe(rows[2].GetProperty("id").GetGuid());
        rows[3].GetProperty("job_title").GetString().ShouldBe("CEO");

        (await (await client.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(3);
    }

    [DbFact]
    public async Task Bulk_rejects_too_many_or_invalid_contacts_and_saves_nothing()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var tooMany = Enumerable.Range(0, 501).Select(i => new { email = $"x{i}@many.io" }).ToArray();
        await (await client.PostJson("/v1/contacts/bulk", new { contacts = tooMany })).ShouldBeError(400, "validation_error");
        var error = await (await client.PostJson("/v1/contacts/bulk", new { contacts = new object[] { new { email = "ok@fine.io" }, new { email = 5 } } }))
            .ShouldBeError(400, "validation_error");
        error.GetProperty("details")[0].GetProperty("property").GetString().ShouldBe("contacts[1]");
        (await (await client.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
    }
}

public sealed class ContactsApiTests_Sqlite(SqliteApp app) : ContactsApiTests(app), IClassFixture<SqliteApp>;

public sealed class ContactsApiTests_Postgres(PostgresApp app) : ContactsApiTests(app), IClassFixture<PostgresApp>, IPostgresTests;
