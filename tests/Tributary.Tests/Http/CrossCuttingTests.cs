using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Http;

public sealed class CrossCuttingTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Every_response_carries_a_request_id_and_a_sane_incoming_one_is_echoed()
    {
        using var client = app.CreateClient();
        var generated = await client.GetAsync("/healthz");
        generated.Headers.GetValues("X-Request-ID").Single().ShouldNotBeNullOrWhiteSpace();

        using var echo = new HttpRequestMessage(HttpMethod.Get, "/v1/contacts");
        echo.Headers.Add("X-Request-ID", "abc-123.retry:2");
        var echoed = await client.SendAsync(echo);
        echoed.Headers.GetValues("X-Request-ID").Single().ShouldBe("abc-123.retry:2");
        (await echoed.ShouldBeError(401, "invalid_key")).GetProperty("request_id").GetString().ShouldBe("abc-123.retry:2");

        using var insane = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        insane.Headers.TryAddWithoutValidation("X-Request-ID", "<script>alert(1)</script>");
        (await client.SendAsync(insane)).Headers.GetValues("X-Request-ID").Single().ShouldNotContain("<");
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_in_the_error_envelope()
    {
        using var client = app.CreateClient();
        await (await client.GetAsync("/v1/nothing-here")).ShouldBeError(404, "not_found");
        var ws = await app.CreateWorkspaceAsync();
        using var authed = ws.Client();
        await (await authed.PutAsync("/v1/contacts", new StringContent("{}", Encoding.UTF8, "application/json"))).ShouldBeError(405, "method_not_allowed");
    }

    [Fact]
    public async Task Oversized_json_body_gets_413_and_creates_nothing()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var huge = "{\"email\":\"big@body.io\",\"location\":\"" + new string('x', 1024 * 1024 + 10) + "\"}";
        var tooLarge = await client.PostRaw("/v1/contacts", huge);
        await tooLarge.ShouldBeError(413, "payload_too_large");
        tooLarge.Headers.Contains("X-RateLimit-Limit").ShouldBeTrue();

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/contacts") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var chunkedResponse = await client.SendAsync(request);
        await chunkedResponse.ShouldBeError(413, "payload_too_large");

        (await (await client.GetAsync("/v1/contacts")).Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Json_of_the_wrong_content_type_is_refused_clearly()
    {
        var ws = await app.CreateWorkspaceAsync();
        using var client = ws.Client();
        var error = await (await client.PostRaw("/v1/contacts", "{\"email\":\"a@b.io\"}", "text/plain")).ShouldBeError(415, "unsupported_media_type");
        error.GetProperty("message").GetString()!.ShouldContain("application/json");
    }

    [Fact]
    public async Task Health_metrics_openapi_and_docs_answer_in_production()
    {
        using var client = app.CreateClient();
        var health = await (await client.GetAsync("/healthz")).ShouldBeOk();
        health.GetProperty("status").GetString().ShouldBe("ok");

        var metrics = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        metrics.ShouldContain("# TYPE tributary_uptime");
        metrics.ShouldContain("tributary_http_requests");
        // Durations are in seconds with buckets that fit seconds, and the service is named.
        metrics.ShouldContain("tributary_http_request_duration_seconds_bucket{");
        metrics.ShouldContain("le=\"0.005\"");
        metrics.ShouldNotContain("le=\"5000\"");
        metrics.ShouldContain("service_name=\"tributary\"");

        var openapi = await (await client.GetAsync("/openapi/v1.json")).ShouldBeOk();
        openapi.GetProperty("paths").TryGetProperty("/v1/contacts", out _).ShouldBeTrue();
        openapi.GetProperty("paths").TryGetProperty("/admin/workspaces", out _).ShouldBeTrue();

        var docs = await client.GetAsync("/docs/");
        docs.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await docs.Content.ReadAsStringAsync()).ShouldContain("scalar");
        // /docs itself answers the page (no redirect), with a base URL under which the page's relative assets load.
        var bare = await client.GetAsync("/docs");
        bare.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await bare.Content.ReadAsStringAsync();
        page.ShouldContain("<base href=\"/docs/\" />");
        page.ShouldContain("src=\"scalar.js\"");
        (await client.GetAsync("/docs/scalar.js")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/DOCS")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Migrations_create_the_schema_rather_than_ensure_created()
    {
        await using var db = app.NewDb();
        var applied = await db.Database.GetAppliedMigrationsAsync();
        applied.ShouldNotBeEmpty();
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
    }
}

/// <summary>A server whose contacts and jobs tables are gone, to see what an unexpected failure looks like to each surface's clients.</summary>
public sealed class BrokenDatabaseApp() : TributaryApp(DatabaseProvider.Sqlite);

public sealed class InternalErrorTests(BrokenDatabaseApp app) : IClassFixture<BrokenDatabaseApp>
{
    [Fact]
    public async Task An_unexpected_failure_is_a_500_without_internals_in_each_surface_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        await using (var db = app.NewDb())
            await db.Database.ExecuteSqlRawAsync("DROP TABLE contacts; DROP TABLE job_items; DROP TABLE jobs;");
        using var client = ws.Client();

        async Task<JsonElement> Failure(HttpResponseMessage response)
        {
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBe(500, text);
            text.ShouldNotContain("Exception");
            text.ShouldNotContain("SQLite", Case.Insensitive);
            text.ShouldNotContain("no such table");
            text.ShouldNotContain(" at ");
            return JsonDocument.Parse(text).RootElement;
        }

        await (await client.GetAsync("/v1/contacts")).ShouldBeError(500, "internal_error");
        await (await client.PostJson("/v1/enrich/contact", new { contact_id = Guid.NewGuid() })).ShouldBeError(500, "internal_error");

        var operations = await Failure(await client.PostJson("/api/enrichments", new { identifiers = new[] { new { email = "a@b.io" } }, fields = new[] { "contact.email" } }));
        operations.GetProperty("statusCode").GetInt32().ShouldBe(500);
        operations.GetProperty("error").GetString().ShouldBe("Internal Server Error");
        operations.GetProperty("path").GetString().ShouldBe("/api/enrichments");
        operations.GetProperty("requestId").GetString().ShouldNotBeNullOrEmpty();

        var leadBulk = await Failure(await client.PostJson("/api/v1/operations/enrichment/bulk",
            new { selection = new { mode = "manual", includedIds = new[] { Guid.NewGuid() } }, field = "emails" }));
        leadBulk.GetProperty("error").GetProperty("code").GetString().ShouldBe("INTERNAL_ERROR");
        leadBulk.GetProperty("error").GetProperty("message").GetString().ShouldNotBeNullOrEmpty();

        var asyncContacts = await Failure(await client.PostJson("/api/v2/contacts/single_enrich",
            new { firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com", enrichment_type = new[] { "email" } }));
        asyncContacts.GetProperty("error").GetInt32().ShouldBe(500);
        asyncContacts.GetProperty("message").GetString().ShouldNotBeNullOrEmpty();

        // A 5xx is not kept under an Idempotency-Key: the retry runs (and fails) again rather than replaying.
        var body = JsonSerializer.Serialize(new { selection = new { mode = "manual", includedIds = new[] { Guid.NewGuid() } }, field = "emails" });
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/operations/enrichment/bulk")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", "broken-retry");
            var retried = await client.SendAsync(request);
            await Failure(retried);
            retried.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
        }
    }
}
