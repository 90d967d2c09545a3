using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Http;

public sealed class OpenApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    /// <summary>Every route of the five surfaces, as the document names them.</summary>
    private static readonly (string Method, string Path)[] SurfaceRoutes =
    [
        ("post", "/v1/enrich/contact"), ("post", "/v1/enrich/company"), ("post", "/v1/enrich/email"),
        ("post", "/api/enrichments"), ("get", "/api/operations/{id}"), ("get", "/api/enrichments/{id}"),
        ("post", "/api/v1/operations/enrichment/bulk"), ("post", "/api/v1/operations/enrichment/batch"),
        ("post", "/api/v1/operations/enrichment/batch/query"), ("get", "/api/v1/operations/enrichment/{personId}"),
        ("post", "/api/v1/operations/enrichment/{personId}"),
        ("post", "/api/v2/contacts/single_enrich"), ("get", "/api/v2/contacts/{enrichmentId}"), ("post", "/api/v2/contacts/bulk_enrich"),
        ("get", "/api/v2/credits"), ("get", "/api/v2/account"),
        ("post", "/v2/contacts/single_enrich"), ("post", "/v2/contacts/sync_single_enrich"), ("get", "/v2/contacts/{enrichmentId}"),
        ("post", "/v2/contacts/bulk_enrich"), ("get", "/v2/credits"), ("get", "/v2/account"),
        ("post", "/enrichment"), ("post", "/enrichment/discover"), ("post", "/enrichment/account"), ("post", "/enrichment/bulk"),
    ];

    private static readonly (string Method, string Path)[] FreePosts = [("post", "/api/v1/operations/enrichment/batch/query")];

    [Fact]
    public async Task The_openapi_document_covers_every_surface_with_examples()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        SurfaceOperations(paths).Select(o => (o.Method, o.Path)).Order().ShouldBe(SurfaceRoutes.Order());

        foreach (var (method, path, operation) in SurfaceOperations(paths))
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            if (operation.TryGetProperty("requestBody", out var body))
            {
                var requests = Examples(body.GetProperty("content").GetProperty("application/json"));
                requests.ShouldNotBeEmpty(where);
                requests.ShouldAllBe(e => e.ValueKind == JsonValueKind.Object, where);
            }
            var responses = operation.GetProperty("responses").EnumerateObject().Where(r => r.Name != "default").ToDictionary(r => int.Parse(r.Name), r => r.Value);
            responses.Keys.ShouldContain(s => s >= 200 && s < 300, where);
            foreach (var (status, response) in responses)
            {
                Examples(response.GetProperty("content").GetProperty("application/json")).ShouldNotBeEmpty($"{where} {status}");
                response.GetProperty("headers").TryGetProperty("X-Request-ID", out _).ShouldBeTrue($"{where} {status}");
            }

            int[] expected = method == "get" ? [401, 403, 500] : [400, 401, 403, 413, 429, 500];
            if (path.EndsWith("/account")) expected = [401, 500]; // any valid key may read its account
            var charging = method == "post" && !FreePosts.Contains((method, path));
            // Seed 003's clients know a credit refusal only as 422 (DESIGN §7.4).
            if (charging) expected = [.. expected, path.Contains("/v2/") ? 422 : 402, 409, 422];
            if (path.Contains('{')) expected = [.. expected, 404];
            expected.ShouldBeSubsetOf(responses.Keys, where);
            if (method == "post") responses[429].GetProperty("headers").TryGetProperty("Retry-After", out _).ShouldBeTrue(where);
            var idempotencyKey = operation.TryGetProperty("parameters", out var parameters)
                                 && parameters.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
            idempotencyKey.ShouldBe(charging, where);
        }
    }

    [Fact]
    public async Task Every_operation_has_a_summary_a_description_a_success_answer_and_the_keys_security()
    {
        var document = await DocumentAsync();
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        schemes.GetProperty("bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
        schemes.GetProperty("apiKey").GetProperty("name").GetString().ShouldBe("X-Api-Key");
        schemes.GetProperty("accessKey").GetProperty("name").GetString().ShouldBe("X-Access-Key");
        schemes.GetProperty("secretKey").GetProperty("name").GetString().ShouldBe("X-Secret-Key");
        var tags = document.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("description").GetString());
        tags.Keys.ShouldContain("Async contact enrichment (seed 003)");
        tags.Values.ShouldAllBe(d => !string.IsNullOrWhiteSpace(d));

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
            var op = operation.Value;
            op.GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace(where);
            op.GetProperty("description").GetString().ShouldNotBeNullOrWhiteSpace(where);
            tags.Keys.ShouldContain(op.GetProperty("tags")[0].GetString()!, where);
            op.GetProperty("responses").EnumerateObject().ShouldContain(r => r.Name.StartsWith('2'), where);
            var open = path.Name is "/healthz" or "/metrics" || path.Name.StartsWith("/openapi", StringComparison.Ordinal);
            if (!open) op.TryGetProperty("security", out _).ShouldBeTrue(where);
        }

        string[] Query(string path, string method) => document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("parameters")
            .EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToArray();
        Query("/v1/contacts", "get").ShouldBe(["search", "company_domain", "company_name", "job_title", "seniority", "location", "tag",
            "has_email", "has_phone", "created_after", "created_before", "page", "per_page", "cursor"], ignoreOrder: true);
        Query("/v1/jobs", "get").ShouldContain("status");
        Query("/v1/jobs/{id}/results", "get").ShouldContain("format");
        Query("/v1/contacts/import", "post").ShouldBe(["format", "map"], ignoreOrder: true);
        Query("/v1/jobs", "post").ShouldBe(["channels", "map", "force", "name"], ignoreOrder: true);
        var bodies = document.GetProperty("paths").GetProperty("/v1/jobs").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        foreach (var type in new[] { "application/json", "text/csv", "application/x-ndjson" })
            bodies.GetProperty(type).TryGetProperty("example", out _).ShouldBeTrue(type);
    }

    [Fact]
    public async Task A_request_sent_with_a_documented_security_scheme_is_answered()
    {
        var ws = await app.CreateWorkspaceAsync();
        var keyId = await KeyIdAsync(ws);
        foreach (var headers in new[] { new[] { ("Authorization", $"Bearer {ws.Key}") }, [("X-Api-Key", ws.Key)], [("X-Access-Key", keyId), ("X-Secret-Key", ws.Key)] })
        {
            using var client = app.CreateClient();
            foreach (var (name, value) in headers) client.DefaultRequestHeaders.Add(name, value);
            (await client.GetAsync("/v1/workspace")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, headers[0].Item1);
        }
    }

    private async Task<string> KeyIdAsync(TestWorkspace ws)
    {
        await using var db = app.NewDb();
        var hash = Tributary.Core.Workspaces.Secrets.Hash(ws.Key);
        return db.ApiKeys.Single(k => k.SecretHash == hash).Id.ToString();
    }

    [Fact]
    public async Task Every_route_documents_its_surface_error_body_for_the_statuses_it_does_not_list()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        foreach (var path in paths.EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
            operation.Value.GetProperty("responses").TryGetProperty("default", out var fallback).ShouldBeTrue(where);
            var schema = fallback.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
            var surface = operation.Value.TryGetProperty("tags", out var tags) ? SurfaceOf(tags[0].GetString()!) : null;
            schema.ShouldBe("#/components/schemas/" + surface switch
            {
                "Seed 001" => "OperationsError",
                "Seed 002" => "LeadBulkErrorBody",
                "Seed 003" => "AsyncContactsError",
                _ => "NativeErrorBody",
            }, where);
        }
    }

    [Fact]
    public async Task Error_examples_are_in_the_error_shape_of_their_surface()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        foreach (var (method, path, operation) in SurfaceOperations(paths))
        {
            var surface = SurfaceOf(operation.GetProperty("tags")[0].GetString()!)!;
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name != "default" && int.Parse(r.Name) >= 400))
            foreach (var example in Examples(response.Value.GetProperty("content").GetProperty("application/json")))
                ShouldBeInShape(surface, int.Parse(response.Name), example, $"{method.ToUpperInvariant()} {path} {response.Name}: {example}");
        }

        var operationsInvalid = Examples(paths.GetProperty("/api/enrichments").GetProperty("post").GetProperty("responses").GetProperty("400")
            .GetProperty("content").GetProperty("application/json")).Single();
        operationsInvalid.GetProperty("errors").GetArrayLength().ShouldBeGreaterThan(0);
        var leadsInvalid = Examples(paths.GetProperty("/api/v1/operations/enrichment/bulk").GetProperty("post").GetProperty("responses")
            .GetProperty("400").GetProperty("content").GetProperty("application/json")).Single();
        leadsInvalid.GetProperty("error").GetProperty("code").GetString().ShouldBe("VALIDATION_ERROR");
        leadsInvalid.GetProperty("error").GetProperty("details").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task The_document_is_valid_openapi()
    {
        using var client = app.CreateClient();
        var text = await (await client.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        var read = OpenApiDocument.Parse(text, "json", null);
        read.Diagnostic!.Errors.ShouldBeEmpty(string.Join("; ", read.Diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    /// <summary>
    /// Each request example, sent as it is (less its webhook), gets an answer the document lists for that status, with the
    /// same keys as one of its examples there; so do a few requests on records made here for the routes that need ids.
    /// </summary>
    [Fact]
    public async Task Examples_have_the_keys_the_server_answers_with()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var ws = await app.CreateWorkspaceAsync(credits: 1000);
        using var client = ws.Client();
        await (await client.PatchJson("/v1/workspace/settings", new { personal_email_consent = true })).ShouldBeOk();

        foreach (var (method, path, operation) in SurfaceOperations(paths))
        {
            var concrete = Regex.Replace(path, @"\{\w+\}", "01a209b6-0000-7000-8000-000000000000");
            if (method == "get")
            {
                await ShouldMatchDocumentedAsync(operation, await client.GetAsync(concrete), $"GET {path}");
                continue;
            }
            var requests = operation.TryGetProperty("requestBody", out var body) ? Examples(body.GetProperty("content").GetProperty("application/json")) : [];
            foreach (var request in requests.DefaultIfEmpty(JsonDocument.Parse("{}").RootElement))
            {
                var sent = JsonNode.Parse(request.GetRawText())!.AsObject();
                sent.Remove("webhook_url");
                await ShouldMatchDocumentedAsync(operation, await client.PostRaw(concrete, sent.ToJsonString()), $"POST {path} {sent.ToJsonString()}");
            }
        }

        var leads = new List<string>();
        foreach (var name in new[] { "Owen Brown", "Lily Anderson" })
            leads.Add((await (await client.PostJson("/v1/contacts", new { full_name = name })).ShouldBeOk(201)).GetProperty("data").GetProperty("id").GetString()!);
        var leadRoutes = new (string Method, string Path, string Url, object? Body)[]
        {
            ("post", "/api/v1/operations/enrichment/batch", "/api/v1/operations/enrichment/batch", new { personIds = leads, field = "phones" }),
            ("post", "/api/v1/operations/enrichment/bulk", "/api/v1/operations/enrichment/bulk", new { selection = new { mode = "manual", includedIds = leads }, field = "emails" }),
            ("post", "/api/v1/operations/enrichment/batch/query", "/api/v1/operations/enrichment/batch/query",
                new { tasks = new[] { new { entityId = leads[0], field = "phones", entityType = "person" } } }),
            ("get", "/api/v1/operations/enrichment/{personId}", $"/api/v1/operations/enrichment/{leads[0]}?field=phones", null),
            ("post", "/api/v1/operations/enrichment/{personId}", $"/api/v1/operations/enrichment/{leads[1]}?field=phones", null),
        };
        foreach (var (method, path, url, sent) in leadRoutes)
        {
            var response = sent is null ? await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)) : await client.PostJson(url, sent);
            ((int)response.StatusCode).ShouldBe(200, $"{method} {url}");
            await ShouldMatchDocumentedAsync(paths.GetProperty(path).GetProperty(method), response, $"{method} {url}");
        }

        var accepted = await (await client.PostJson("/api/v2/contacts/single_enrich",
            new { firstname = "Chloe", lastname = "Walker", domain = "westmarkrobotics.com", enrichment_type = new[] { "email" }, custom = new { crm_id = "A-42" } })).ShouldBeOk();
        await ShouldMatchDocumentedAsync(paths.GetProperty("/api/v2/contacts/{enrichmentId}").GetProperty("get"),
            await client.GetAsync($"/api/v2/contacts/{accepted.GetProperty("enrichment_id").GetString()}"), "GET /api/v2/contacts/{enrichmentId}");
        var operationId = (await (await client.PostJson("/api/enrichments",
            new { identifiers = new[] { new { email = "jordan@example.com" } }, fields = new[] { "contact.email" } })).ShouldBeOk(202)).GetProperty("id").GetString();
        await ShouldMatchDocumentedAsync(paths.GetProperty("/api/operations/{id}").GetProperty("get"),
            await client.GetAsync($"/api/operations/{operationId}"), "GET /api/operations/{id}");
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = app.CreateClient();
        return await (await client.GetAsync("/openapi/v1.json")).ShouldBeOk();
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> SurfaceOperations(JsonElement paths) =>
        from path in paths.EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where operation.Value.TryGetProperty("tags", out var tags) && SurfaceOf(tags[0].GetString()!) is not null
        select (operation.Name, path.Name, operation.Value);

    /// <summary>"Seed 003" for a tag such as "Async contact enrichment (seed 003)"; null for the native API's tags.</summary>
    private static string? SurfaceOf(string tag) =>
        System.Text.RegularExpressions.Regex.Match(tag, @"\(seed (\d{3})\)$") is { Success: true } m ? "Seed " + m.Groups[1].Value : null;

    /// <summary>The examples of a media type, whether one <c>example</c> or named <c>examples</c>.</summary>
    private static List<JsonElement> Examples(JsonElement mediaType) =>
        mediaType.TryGetProperty("example", out var single) ? [single]
        : mediaType.TryGetProperty("examples", out var named) ? named.EnumerateObject().Select(e => e.Value.GetProperty("value")).ToList()
        : [];

    private static void ShouldBeInShape(string surface, int status, JsonElement body, string where)
    {
        switch (surface)
        {
            case "Seed 000" or "Seed 004":
                Keys(body).ShouldBe(["error"], where);
                var native = body.GetProperty("error");
                Keys(native).ShouldBe(["code", "message", "request_id"], where);
                native.GetProperty("code").GetString()!.ShouldMatch("^[a-z_]+$", where);
                native.GetProperty("request_id").GetString().ShouldStartWith("req_", Case.Sensitive, where);
                break;
            case "Seed 001":
                body.GetProperty("statusCode").GetInt32().ShouldBe(status, where);
                body.GetProperty("error").GetString().ShouldNotBeNullOrEmpty(where);
                body.GetProperty("message").GetString().ShouldNotBeNullOrEmpty(where);
                body.GetProperty("path").GetString().ShouldStartWith("/api/", Case.Sensitive, where);
                body.GetProperty("requestId").GetString().ShouldStartWith("req_", Case.Sensitive, where);
                DateTime.TryParse(body.GetProperty("timestamp").GetString(), out _).ShouldBeTrue(where);
                break;
            case "Seed 002":
                Keys(body).ShouldBe(["error"], where);
                var lead = body.GetProperty("error");
                Keys(lead).ShouldBe(["code", "details", "message"], where);
                lead.GetProperty("code").GetString()!.ShouldMatch("^[A-Z_]+$", where);
                lead.GetProperty("details").ValueKind.ShouldBe(JsonValueKind.Array, where);
                break;
            case "Seed 003":
                Keys(body).ShouldBe(["error", "message"], where);
                body.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Number, where);
                body.GetProperty("error").GetInt32().ShouldBe(status, where);
                break;
            default:
                throw new ShouldAssertException($"{where}: unknown surface {surface}");
        }
    }

    /// <summary>The answer's status is documented, and its keys (and those of nested objects) are those of one of its examples.</summary>
    private static async Task ShouldMatchDocumentedAsync(JsonElement operation, HttpResponseMessage response, string where)
    {
        var status = ((int)response.StatusCode).ToString();
        var answer = await response.Json();
        operation.GetProperty("responses").TryGetProperty(status, out var documented).ShouldBeTrue($"{where} answered {status}, not documented: {answer}");
        var examples = Examples(documented.GetProperty("content").GetProperty("application/json"));
        examples.ShouldContain(e => SameKeys(e, answer), $"{where} answered {status}: {answer}");
    }

    private static bool SameKeys(JsonElement example, JsonElement answer)
    {
        if (example.ValueKind == JsonValueKind.Array && answer.ValueKind == JsonValueKind.Array)
            return answer.GetArrayLength() == 0 || example.EnumerateArray().Any(e => SameKeys(e, answer[0]));
        if (example.ValueKind != JsonValueKind.Object || answer.ValueKind != JsonValueKind.Object) return true;
        return Keys(example).SequenceEqual(Keys(answer))
               && example.EnumerateObject().All(p => SameKeys(p.Value, answer.GetProperty(p.Name)));
    }

    private static List<string> Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
}
