using System.Text.Json;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Http;

/// <summary>
/// Request bodies are bound to typed records at the edge: a field of the wrong type is refused with a 400 in the route's
/// own error body, naming the field, before anything runs, and a body that is not an object is refused the same way.
/// </summary>
public abstract class TypedRequestTests(TributaryApp app)
{
    private const string LeadBulk = "/api/v1/operations/enrichment";

    public static TheoryData<string, string, string> WrongTypes => new()
    {
        { $"{LeadBulk}/bulk", """{ "field": 5, "selection": { "mode": "manual", "includedIds": [] } }""", "field" },
        { $"{LeadBulk}/bulk", """{ "field": "emails", "selection": "manual" }""", "selection" },
        { $"{LeadBulk}/bulk", """{ "field": "emails", "selection": { "mode": ["manual"] } }""", "selection.mode" },
        { $"{LeadBulk}/bulk", """{ "field": "emails", "selection": { "mode": "bulk", "filters": {}, "targetCount": "10" } }""", "selection.targetCount" },
        { $"{LeadBulk}/bulk", """{ "field": "emails", "selection": { "mode": "bulk", "filters": [] } }""", "selection.filters" },
        { $"{LeadBulk}/batch", """{ "field": "emails", "personIds": "0190a3a0-0000-7000-8000-000000000000" }""", "personIds" },
        { $"{LeadBulk}/batch/query", """{ "tasks": { "entityId": "x" } }""", "tasks" },
        { "/api/enrichments", """{ "identifier": { "email": "a@b.io" }, "fields": "contact.email" }""", "fields" },
        { "/api/enrichments", """{ "identifier": { "email": "a@b.io" }, "fields": [["contact.email"]] }""", "fields[0]" },
        { "/api/enrichments", """{ "identifiers": { "email": "a@b.io" }, "fields": ["contact.email"] }""", "identifiers" },
        { "/api/v2/contacts/single_enrich", """{ "firstname": 5, "lastname": "Walker", "domain": "x.io", "enrichment_type": ["email"] }""", "firstname" },
        { "/api/v2/contacts/single_enrich", """{ "firstname": "Chloe", "lastname": "Walker", "domain": "x.io", "enrichment_type": "email" }""", "enrichment_type" },
        { "/v2/contacts/sync_single_enrich", """{ "firstname": "Chloe", "lastname": "Walker", "domain": "x.io", "enrichment_type": ["email"], "webhook_url": 7 }""", "webhook_url" },
        { "/api/v2/contacts/bulk_enrich", """{ "contacts": [{ "firstname": "A", "lastname": "B", "domain": "x.io" }, { "firstname": "C", "lastname": "D", "domain": ["x.io"] }], "enrichment_type": ["email"] }""", "contacts[1].domain" },
        { "/api/v2/contacts/bulk_enrich", """{ "contacts": [{ "firstname": "A", "lastname": "B", "domain": "x.io" }, { "firstname": "C", "lastname": "D", "domain": "x.io" }], "enrichment_type": ["email"], "phone_country_codes": "US" }""", "phone_country_codes" },
        { "/v1/erasures", """{ "email": ["a@b.io"] }""", "email" },
        { "/v1/erasures", """{ "email": "a@b.io", "suppress": "yes" }""", "suppress" },
        { "/v1/suppressions", """{ "linkedin_url": 42 }""", "linkedin_url" },
        { "/v1/contacts/bulk", """{ "contacts": { "email": "a@b.io" } }""", "contacts" },
        { "/v1/enrich/contact", """{ "contact_id": 12345, "fields": ["job_title"] }""", "contact_id" },
        { "/v1/enrich/contact", """{ "contact_id": "0190a3a0-0000-7000-8000-000000000000", "overwrite": "yes" }""", "overwrite" },
        { "/v1/enrich/company", """{ "domain": "x.io", "fields": "industry" }""", "fields" },
        { "/v1/enrich/email", """{ "email": { "address": "a@b.io" } }""", "email" },
        { "PATCH /v1/workspace/settings", """{ "personal_email_consent": "true" }""", "personal_email_consent" },
        { "PATCH /v1/workspace/settings", """{ "personal_email_consent": null }""", "personal_email_consent" },
        { "PATCH /v1/workspace/settings", """{ "min_confidence": "0.5" }""", "min_confidence" },
        { "PATCH /v1/workspace/settings", """{ "default_phone_countries": "FR" }""", "default_phone_countries" },
        { "PATCH /v1/workspace/settings", """{ "verification_webhook_url": 5 }""", "verification_webhook_url" },
        { "/v1/jobs", """{ "records": [{ "email": "a@b.io" }], "channels": "work_email" }""", "channels" },
        { "/v1/jobs", """{ "records": [{ "email": "a@b.io" }], "channels": ["work_email"], "force": "yes" }""", "force" },
        { "/v1/jobs", """{ "records": [{ "email": "a@b.io" }], "channels": ["work_email"], "mapping": { "email": 3 } }""", "mapping.email" },
        { "/v1/jobs", """{ "contact_ids": "0190a3a0-0000-7000-8000-000000000000", "channels": ["work_email"] }""", "contact_ids" },
    };

    public static TheoryData<string> NotObjects => new()
    {
        $"{LeadBulk}/bulk", $"{LeadBulk}/batch", $"{LeadBulk}/batch/query", "/api/enrichments",
        "/api/v2/contacts/single_enrich", "/v2/contacts/single_enrich", "/api/v2/contacts/bulk_enrich",
        "/v1/erasures", "/v1/suppressions", "/v1/enrich/contact", "/v1/enrich/company", "/v1/enrich/email", "PATCH /v1/workspace/settings",
    };

    [DbTheory]
    [MemberData(nameof(WrongTypes), MemberType = typeof(TypedRequestTests))]
    public async Task A_field_of_the_wrong_type_is_refused_in_the_surface_body_naming_the_field(string path, string body, string field)
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        var before = await StateAsync(client);

        var response = await SendAsync(client, path, body);

        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(400, text);
        MessageIn(path, JsonDocument.Parse(text).RootElement).ShouldContain($"'{field}'", Case.Sensitive, text);
        (await StateAsync(client)).ShouldBe(before);
    }

    [DbTheory]
    [MemberData(nameof(NotObjects), MemberType = typeof(TypedRequestTests))]
    public async Task A_body_that_is_not_an_object_is_refused_in_the_surface_body(string path)
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        foreach (var body in new[] { "null", "[]", "42", "\"text\"" })
        {
            var response = await SendAsync(client, path, body);
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBe(400, $"{body}: {text}");
            MessageIn(path, JsonDocument.Parse(text).RootElement).ShouldStartWith("The body must be a JSON object", Case.Sensitive, text);
        }
    }

    /// <summary>Posts <paramref name="body"/> to <paramref name="route"/>, or sends it with the method the route names first (<c>PATCH /v1/…</c>).</summary>
    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string route, string body) =>
        route.StartsWith("PATCH ", StringComparison.Ordinal) ? client.PatchRaw(route[6..], body) : client.PostRaw(route, body);

    /// <summary>The message of the surface's error body, checking the body is that surface's.</summary>
    private static string MessageIn(string path, JsonElement body)
    {
        if (path.StartsWith("/api/v2", StringComparison.Ordinal) || path.StartsWith("/v2", StringComparison.Ordinal))
        {
            body.GetProperty("error").GetInt32().ShouldBe(400);
            return body.GetProperty("message").GetString()!;
        }
        if (path.StartsWith(LeadBulk, StringComparison.Ordinal))
        {
            body.GetProperty("error").GetProperty("code").GetString().ShouldBe("VALIDATION_ERROR");
            return body.GetProperty("error").GetProperty("message").GetString()!;
        }
        if (path.StartsWith("/api/", StringComparison.Ordinal))
        {
            body.GetProperty("statusCode").GetInt32().ShouldBe(400);
            body.GetProperty("errors").GetArrayLength().ShouldBeGreaterThan(0);
            return body.GetProperty("message").GetString()!;
        }
        body.GetProperty("error").GetProperty("code").GetString().ShouldBe("validation_error");
        return body.GetProperty("error").GetProperty("message").GetString()!;
    }

    private static async Task<(long Contacts, long Jobs, long Balance, string Settings)> StateAsync(HttpClient client) => (
        (await (await client.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64(),
        (await (await client.GetAsync("/v1/jobs")).Json()).GetProperty("meta").GetProperty("total").GetInt64(),
        (await (await client.GetAsync("/v1/credits")).Json()).GetProperty("data").GetProperty("balance").GetInt64(),
        (await (await client.GetAsync("/v1/workspace/settings")).Json()).GetProperty("data").GetRawText());
}

public sealed class TypedRequestTests_Sqlite(SqliteApp app) : TypedRequestTests(app), IClassFixture<SqliteApp>;

public sealed class TypedRequestTests_Postgres(PostgresApp app) : TypedRequestTests(app), IClassFixture<PostgresApp>, IPostgresTests;
