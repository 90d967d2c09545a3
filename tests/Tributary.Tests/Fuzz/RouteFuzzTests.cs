using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tributary.Tests.Fuzz;

/// <summary>
/// DESIGN §9, generated from the OpenAPI document: every POST and PATCH route gets mutations of its documented example
/// body (values of the wrong type, out-of-range and odd numbers, over-long and odd strings, nested and missing values,
/// bodies that are not objects), §9's hostile values in every string and number field of its body
/// (<see cref="BodyField"/>, <see cref="Hostile"/>: NUL, lone surrogates escaped and raw, invalid UTF-8, 1 MB strings,
/// 2^53+1, 1e400, -0, NaN strings) and charsets and content types, and every route with an id gets odd ids. Where §9
/// names the answer for a hostile value (400, or 415 for a charset), that is the answer. No answer is a 5xx, every refusal is the error
/// body the document gives for its route and status, and a refused request changes nothing in the database (every
/// table's rows and contents, <see cref="DatabaseSnapshot"/>). The seed is printed, and <c>TRIBUTARY_FUZZ_SEED</c>
/// replays a run.
/// </summary>
public abstract class RouteFuzzTests(TributaryApp app, ITestOutputHelper output)
{
    private const int MinimumCases = 1_500;

    private static readonly JsonNode?[] OddValues =
    [
        null, JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(long.MaxValue), JsonValue.Create(long.MinValue),
        JsonNode.Parse("1e400"), JsonNode.Parse("-0"), JsonNode.Parse("0.5"), JsonNode.Parse("9007199254740993"),
        JsonValue.Create(true), JsonValue.Create(false), JsonValue.Create(""), JsonValue.Create(" "), JsonValue.Create("\u00e9\u4e2d\U0001F600"),
        JsonValue.Create(new string('a', 5000)), JsonValue.Create("x@" + new string('b', 400) + ".io"), JsonValue.Create("https://" + new string('c', 3000)),
        JsonValue.Create("'; DROP TABLE contacts; --"), JsonValue.Create("=HYPERLINK(\"http://x\")"), JsonValue.Create("../../etc/passwd"),
        JsonValue.Create("\u202e\u200b"), JsonValue.Create("not-a-uuid"), JsonValue.Create("00000000-0000-0000-0000-000000000000"),
        new JsonArray(), new JsonArray(JsonValue.Create(1), JsonValue.Create("a"), null), new JsonObject(),
        new JsonObject { ["nested"] = new JsonObject { ["deeper"] = new JsonArray(new JsonObject()) } },
        JsonNode.Parse(string.Concat(Enumerable.Repeat("[", 60)) + string.Concat(Enumerable.Repeat("]", 60))),
    ];

    private static readonly string[] OddIds =
    [
        "0", "-1", "abc", "%20", "00000000-0000-0000-0000-000000000000", "01a2326a-8b8f-789b-9372-274ceed5901c",
        "01a2326a-8b8f-789b-9372-274ceed5901c-extra", new string('9', 300), "%F0%9F%98%80", "null", "1e5", "'%20OR%201=1", "%2F", "%00",
    ];

    [DbFact]
    public async Task Generated_requests_on_every_route_never_fail_with_a_5xx_and_refusals_change_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TRIBUTARY_FUZZ_SEED"), out var given) ? given : Environment.TickCount;
        output.WriteLine($"fuzz seed {seed} (TRIBUTARY_FUZZ_SEED={seed} replays it)");
        var random = new Random(seed);
        var ws = await app.CreateWorkspaceAsync(credits: 1_000);
        using var client = ws.Client();
        using var admin = app.Admin();
        using var anonymous = app.CreateClient();
        var schemas = await OpenApiSchemas.ReadAsync(anonymous);
        var paths = schemas.Paths;

        var cases = 0;
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        await using var connection = await DatabaseSnapshot.OpenAsync(app.Database);
        var state = await DatabaseSnapshot.SettledAsync(connection, app.Services);
        async Task SendAsync(string method, string template, string url, HttpContent? content, string what, int refused = 0)
        {
            cases++;
            var caller = template.StartsWith("/admin", StringComparison.Ordinal) ? admin : client;
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = content };
            using var response = await caller.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            var where = $"{method} {url[..Math.Min(url.Length, 120)]} with {what}: {status} {text[..Math.Min(text.Length, 300)]}";
            if (refused != 0 && status != refused && !(refused == 400 && status == 413))
                failures.Add($"DESIGN §9 wants {refused}: " + where);
            if (status < 400)
            {
                // Accepted: what it started (a job, a webhook, a trace written later) is waited for before the next case.
                state = await DatabaseSnapshot.SettledAsync(connection, app.Services);
                return;
            }
            if (status >= 500) failures.Add(where);
            else if (!KestrelRefusedANul(url, status, text) && ShapeProblem(schemas, method, template, response, text) is { } problem)
                failures.Add($"not in the documented error shape ({problem}): " + where);
            var after = await DatabaseSnapshot.TakeAsync(connection, app.Services, state);
            if (state.SameAs(after)) return;
            if (!FoundNothing(text) || state.Difference(after, except: WrittenByARun).Length > 0)
                failures.Add($"refused but changed {state.Difference(after)}: " + where);
            state = await DatabaseSnapshot.SettledAsync(connection, app.Services);
        }

        foreach (var path in paths.EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            var method = operation.Name.ToUpperInvariant();
            var hasId = path.Name.Contains('{');
            // Odd ids, on every route that has one.
            if (hasId)
                foreach (var id in OddIds)
                    await SendAsync(method, path.Name, Regex.Replace(path.Name, "{[^}]+}", id), method is "POST" or "PATCH" ? Json("{}") : null, $"id {id}");
            if (method is not ("POST" or "PATCH")) continue;
            if (!operation.Value.TryGetProperty("requestBody", out var body)
                || !body.GetProperty("content").TryGetProperty("application/json", out var media)) continue;
            var example = Example(media);
            var url = Regex.Replace(path.Name, "{[^}]+}", RandomGuid(random).ToString());
            // Not objects at all.
            foreach (var whole in new[] { "[]", "null", "42", "\"text\"", "{", "{\"a\":}", "{\"records\": 5}" })
                await SendAsync(method, path.Name, url, Json(whole), $"body {whole}");
            // Each field of the example given each odd value, and removed.
            if (example is JsonObject fields)
                foreach (var name in fields.Select(f => f.Key).ToList())
                {
                    foreach (var value in OddValues.OrderBy(_ => random.Next()).Take(12))
                    {
                        var mutated = (JsonObject)fields.DeepClone();
                        mutated[name] = value?.DeepClone();
                        await SendAsync(method, path.Name, url, Json(mutated.ToJsonString()), $"{name} = {Short(value)}");
                    }
                    var without = (JsonObject)fields.DeepClone();
                    without.Remove(name);
                    await SendAsync(method, path.Name, url, Json(without.ToJsonString()), $"no {name}");
                }
            // DESIGN §9's hostile values in every string and number field the document gives the body.
            foreach (var field in BodyField.Of(schemas, media, example))
            foreach (var hostile in (field.IsString ? Hostile.Strings : []).Concat(field.IsNumber ? Hostile.Numbers : []))
            {
                // JSON job records are read as a stream, and a bad value there fails its row, not the request (DESIGN §9).
                var refused = path.Name is "/v1/jobs" && field.Path[0] == "records" ? 0 : hostile.Refused;
                await SendAsync(method, path.Name, url, Raw(field.Set(example, hostile.Token), "application/json"), $"{field.Name} = {hostile.Name}", refused);
            }
            // Charsets and content types.
            foreach (var (contentType, encode, refused) in Hostile.ContentTypes)
                await SendAsync(method, path.Name, url, Raw(encode(example?.ToJsonString() ?? "{}"), contentType),
                    $"Content-Type {(contentType.Length == 0 ? "none" : contentType)}", refused);
            // Nested values of the example replaced at random.
            for (var n = 0; n < 20; n++)
            {
                var mutated = example?.DeepClone() ?? new JsonObject();
                Mutate(mutated, random);
                await SendAsync(method, path.Name, url, Json(mutated.ToJsonString()), $"nested mutation {n}");
            }
        }

        output.WriteLine($"{cases} cases; answers: {string.Join(", ", statuses.Select(s => $"{s.Key} × {s.Value}"))}");
        failures.ShouldBeEmpty($"seed {seed}: {failures.Count} of {cases} cases failed:\n" + string.Join("\n", failures.Take(30)));
        cases.ShouldBeGreaterThanOrEqualTo(MinimumCases);
    }

    private static Guid RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static ByteArrayContent Raw(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType.Length > 0) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static string Short(JsonNode? value) => value is null ? "null" : value.ToJsonString() is var text && text.Length > 40 ? text[..40] + "…" : text;

    private static JsonNode? Example(JsonElement media)
    {
        if (media.TryGetProperty("example", out var single)) return JsonNode.Parse(single.GetRawText());
        if (media.TryGetProperty("examples", out var named))
            foreach (var e in named.EnumerateObject())
                return JsonNode.Parse(e.Value.GetProperty("value").GetRawText());
        return new JsonObject();
    }

    /// <summary>Replaces one value somewhere inside <paramref name="node"/> with an odd one.</summary>
    private static void Mutate(JsonNode node, Random random)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                var key = o.ElementAt(random.Next(o.Count)).Key;
                if (o[key] is { } child && random.Next(2) == 0 && child is JsonObject or JsonArray) Mutate(child, random);
                else o[key] = OddValues[random.Next(OddValues.Length)]?.DeepClone();
                break;
            case JsonArray a when a.Count > 0:
                var i = random.Next(a.Count);
                if (a[i] is { } item && random.Next(2) == 0 && item is JsonObject or JsonArray) Mutate(item, random);
                else a[i] = OddValues[random.Next(OddValues.Length)]?.DeepClone();
                break;
            case JsonObject o:
                o["unexpected"] = OddValues[random.Next(OddValues.Length)]?.DeepClone();
                break;
        }
    }

    /// <summary>Why an error answer is not the body its route documents for its status (DESIGN §7), or null when it is.</summary>
    private static string? ShapeProblem(OpenApiSchemas schemas, string method, string template, HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
            return $"Content-Type {response.Content.Headers.ContentType?.ToString() ?? "none"}";
        var (schema, missing) = schemas.ResponseSchema(template, method, status);
        if (missing is not null) return missing;
        JsonElement body;
        try { body = JsonDocument.Parse(text).RootElement; }
        catch (JsonException) { return "not JSON"; }
        var problems = schemas.Validate(schema, body);
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>
    /// A 409 no_match is not a refusal: the enrichment ran and found nothing (DESIGN §7.1). It may leave what a run
    /// writes (its reservation and release, which leave the balance as it was, its trace, cache and provider counts), and
    /// nothing else.
    /// </summary>
    private static readonly HashSet<string> WrittenByARun =
        ["credit_reservations", "ledger_entries", "enrichments", "enrichment_cache", "provider_usage", "inflight_claims"];

    private static bool FoundNothing(string text)
    {
        try { return JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString() == "no_match"; }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return false; }
    }

    /// <summary>DESIGN §9: a NUL in the request line is refused by Kestrel itself, with a bare 400, before the application runs.</summary>
    private static bool KestrelRefusedANul(string url, int status, string text) =>
        status == 400 && text.Length == 0 && url.Contains("%00", StringComparison.Ordinal);
}

public sealed class RouteFuzzTests_Sqlite(FuzzSqliteApp app, ITestOutputHelper output) : RouteFuzzTests(app, output), IClassFixture<FuzzSqliteApp>;

public sealed class RouteFuzzTests_Postgres(FuzzPostgresApp app, ITestOutputHelper output) : RouteFuzzTests(app, output), IClassFixture<FuzzPostgresApp>, IPostgresTests;
