using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Http;

/// <summary>
/// DESIGN §9 on every JSON route of the OpenAPI document: a charset other than UTF-8 is 415, invalid UTF-8, a lone
/// surrogate, a NUL, an over-long value or a -0 is 400, each in the route's own error body, never a 500, and nothing is
/// created. On SQLite and on PostgreSQL, where a NUL or a 1 MB identity value once reached an index and failed with a 500.
/// </summary>
public abstract class HostileJsonTests(TributaryApp app)
{
    private static readonly (string Name, string ContentType, byte[] Body, int Status)[] Cases =
    [
        ("a bogus charset", "application/json; charset=bogus", "{\"email\":\"a@b.io\"}"u8.ToArray(), 415),
        ("latin-1", "application/json; charset=iso-8859-1", "{\"email\":\"a@b.io\"}"u8.ToArray(), 415),
        ("invalid UTF-8", "application/json", [.. "{\"email\":\""u8, 0xff, 0xfe, .. "@b.io\"}"u8], 400),
        ("a lone surrogate", "application/json", "{\"email\":\"\\ud800@b.io\",\"first_name\":\"x\"}"u8.ToArray(), 400),
        ("a NUL", "application/json", "{\"email\":\"a\\u0000@b.io\",\"name\":\"x\"}"u8.ToArray(), 400),
        ("a lone surrogate in a key", "application/json", "{\"\\udc00\":1}"u8.ToArray(), 400),
        ("an email over 320 characters", "application/json", Encoding.UTF8.GetBytes($"{{\"email\":\"{new string('a', 316)}@b.io\",\"name\":\"x\"}}"), 400),
        ("a URL over 2,048 characters", "application/json",
            Encoding.UTF8.GetBytes($"{{\"linkedin_url\":\"https://www.linkedin.com/in/{new string('a', 2030)}\",\"name\":\"x\"}}"), 400),
        ("a string over 4,096 characters", "application/json", Encoding.UTF8.GetBytes($"{{\"email\":\"a@b.io\",\"name\":\"{new string('x', 4097)}\"}}"), 400),
        ("a 1 MB identity value", "application/json", Encoding.UTF8.GetBytes($"{{\"email\":\"{new string('a', 1_000_000)}@b.io\"}}"), 400),
        ("a 1 MB LinkedIn URL", "application/json",
            Encoding.UTF8.GetBytes($"{{\"linkedin_url\":\"https://www.linkedin.com/in/{new string('a', 1_000_000)}\",\"name\":\"x\"}}"), 400),
        ("a 1 MB handle and name", "application/json",
            Encoding.UTF8.GetBytes($"{{\"x_handle\":\"{new string('h', 1_000_000)}\",\"first_name\":\"{new string('n', 20_000)}\"}}"), 400),
        ("a NUL in a name", "application/json", "{\"first_name\":\"Ada\\u0000\",\"last_name\":\"L\",\"company_domain\":\"a.io\"}"u8.ToArray(), 400),
        ("a raw lone surrogate", "application/json", [.. "{\"email\":\"a"u8, 0xED, 0xA0, 0x80, .. "@b.io\"}"u8], 400),
        ("UTF-16", "application/json; charset=utf-16", Encoding.Unicode.GetBytes("{\"email\":\"a@b.io\"}"), 415),
        ("-0", "application/json", "{\"email\":\"a@b.io\",\"min_confidence\":-0,\"amount\":-0.0}"u8.ToArray(), 400),
    ];

    [DbFact]
    public async Task Every_json_route_refuses_bad_encodings_in_its_own_error_body()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        using var admin = app.Admin();
        using var openapi = await app.CreateClient().GetAsync("/openapi/v1.json");
        var paths = JsonDocument.Parse(await openapi.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        var routes = 0;
        foreach (var path in paths.EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "patch"))
        {
            if (!operation.Value.TryGetProperty("requestBody", out var body) || !body.GetProperty("content").TryGetProperty("application/json", out _))
                continue;
            routes++;
            var url = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", Guid.NewGuid().ToString());
            var caller = path.Name.StartsWith("/admin", StringComparison.Ordinal) ? admin : client;
            foreach (var (name, contentType, bytes, status) in Cases)
            {
                var content = new ByteArrayContent(bytes);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                var response = await caller.SendAsync(new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url) { Content = content });
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name} with {name}";
                ((int)response.StatusCode).ShouldBe(status, where + ": " + await response.Content.ReadAsStringAsync());
                ShouldBeInTheSurfaceShape(path.Name, status, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, where);
            }
        }
        routes.ShouldBeGreaterThan(20);
        using var contacts = await client.GetAsync("/v1/contacts");
        (await contacts.Json()).GetProperty("meta").GetProperty("total").GetInt64().ShouldBe(0, "a refused request created nothing");
    }

    [DbFact]
    public async Task Every_post_and_patch_route_reads_utf8_however_its_charset_is_spelled()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        using var admin = app.Admin();
        var schemas = await OpenApiSchemas.ReadAsync(app.CreateClient());
        var routes = 0;
        foreach (var path in schemas.Paths.EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "patch"))
        {
            if (!operation.Value.TryGetProperty("requestBody", out var body) || !body.GetProperty("content").TryGetProperty("application/json", out _))
                continue;
            routes++;
            var url = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", Guid.NewGuid().ToString());
            var caller = path.Name.StartsWith("/admin", StringComparison.Ordinal) ? admin : client;
            foreach (var charset in new[] { "utf8", "\"utf-8\"", "UTF-8" })
            {
                var content = new ByteArrayContent("{}"u8.ToArray());
                content.Headers.ContentType = MediaTypeHeaderValue.Parse($"application/json; charset={charset}");
                var response = await caller.SendAsync(new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url) { Content = content });
                var text = await response.Content.ReadAsStringAsync();
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name} with charset={charset}: {text}";
                // {} is refused by most routes; what matters is that it was read as JSON, not refused for its charset or failed.
                ((int)response.StatusCode).ShouldBeLessThan(500, where);
                ((int)response.StatusCode).ShouldNotBe(415, where);
            }
        }
        routes.ShouldBeGreaterThan(20);
    }

    [DbFact]
    public async Task Every_post_and_patch_route_checks_the_key_before_the_content_type()
    {
        var ws = await app.CreateWorkspaceAsync(credits: 100);
        using var client = ws.Client();
        using var admin = app.Admin();
        using var anonymous = app.CreateClient();
        using var openapi = await anonymous.GetAsync("/openapi/v1.json");
        var paths = JsonDocument.Parse(await openapi.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        var routes = 0;
        foreach (var path in paths.EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "patch"))
        {
            routes++;
            var url = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", Guid.NewGuid().ToString());
            var content = new StringContent("not json, not csv", Encoding.UTF8, "text/plain");
            var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url) { Content = content });
            var where = $"{operation.Name.ToUpperInvariant()} {path.Name} without a key";
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBe(401, where + ": " + text);
            JsonDocument.Parse(text); // an error body, not an empty answer

            // With a key, the wrong content type is refused by the route itself, in its own error body.
            var caller = path.Name.StartsWith("/admin", StringComparison.Ordinal) ? admin : client;
            var keyed = await caller.SendAsync(new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url)
            {
                Content = new StringContent("not json, not csv", Encoding.UTF8, "text/plain"),
            });
            var keyedText = await keyed.Content.ReadAsStringAsync();
            ((int)keyed.StatusCode).ShouldBeInRange(400, 499, $"{where[..^14]} with a key: {keyedText}");
            if ((int)keyed.StatusCode is 400 or 415)
                ShouldBeInTheSurfaceShape(path.Name, (int)keyed.StatusCode, JsonDocument.Parse(keyedText).RootElement, $"{where[..^14]} with a key: {keyedText}");
        }
        routes.ShouldBeGreaterThan(20);
    }

    private static void ShouldBeInTheSurfaceShape(string path, int status, JsonElement body, string where)
    {
        if (path.StartsWith("/api/v2", StringComparison.Ordinal) || path.StartsWith("/v2", StringComparison.Ordinal))
            body.GetProperty("error").GetInt32().ShouldBe(status, where);
        else if (path.StartsWith("/api/v1/operations", StringComparison.Ordinal))
            body.GetProperty("error").GetProperty("code").GetString()!.ShouldMatch("^[A-Z_]+$", where);
        else if (path.StartsWith("/api/", StringComparison.Ordinal))
            body.GetProperty("statusCode").GetInt32().ShouldBe(status, where);
        else
            body.GetProperty("error").GetProperty("code").GetString().ShouldBe(status == 415 ? "unsupported_media_type" : "validation_error", where);
    }
}

public sealed class HostileJsonTests_Sqlite(SqliteApp app) : HostileJsonTests(app), IClassFixture<SqliteApp>;

public sealed class HostileJsonTests_Postgres(PostgresApp app) : HostileJsonTests(app), IClassFixture<PostgresApp>, IPostgresTests;
