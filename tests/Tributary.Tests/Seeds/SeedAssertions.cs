using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Seeds;

/// <summary>Field-by-field checks of documented response shapes, the headers every response carries, and each surface's error body.</summary>
public static class SeedAssertions
{
    /// <summary>Asserts that <paramref name="element"/> is an object with exactly these property names, in any order.</summary>
    public static JsonElement ShouldHaveExactly(this JsonElement element, params string[] keys)
    {
        element.ValueKind.ShouldBe(JsonValueKind.Object, element.ToString());
        element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray()
            .ShouldBe(keys.Order(StringComparer.Ordinal).ToArray(), $"property names of {element}");
        return element;
    }

    public static JsonElement ShouldBeString(this JsonElement element, string expected)
    {
        element.ValueKind.ShouldBe(JsonValueKind.String, element.ToString());
        element.GetString().ShouldBe(expected);
        return element;
    }

    public static JsonElement ShouldBeNumber(this JsonElement element, double expected)
    {
        element.ValueKind.ShouldBe(JsonValueKind.Number, element.ToString());
        element.GetDouble().ShouldBe(expected);
        return element;
    }

    public static void ShouldBeNull(this JsonElement element) => element.ValueKind.ShouldBe(JsonValueKind.Null, element.ToString());

    public static List<string?> Strings(this JsonElement array) => array.EnumerateArray().Select(e => e.GetString()).ToList();

    /// <summary>An ISO 8601 timestamp in UTC, written with a <c>Z</c> like the documents' examples.</summary>
    public static DateTimeOffset ShouldBeUtcTimestamp(this JsonElement element)
    {
        element.ValueKind.ShouldBe(JsonValueKind.String, element.ToString());
        var text = element.GetString()!;
        text.ShouldEndWith("Z");
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at).ShouldBeTrue(text);
        return at;
    }

    /// <summary>DESIGN §7: every response carries X-Request-ID and X-RateLimit-Limit/Remaining/Reset; a 429 also Retry-After.</summary>
    public static void ShouldCarryTheCommonHeaders(this HttpResponseMessage response)
    {
        string Header(string name)
        {
            response.Headers.TryGetValues(name, out var values).ShouldBeTrue($"{(int)response.StatusCode} response without {name}");
            return values!.Single();
        }
        Header("X-Request-ID").ShouldNotBeNullOrWhiteSpace();
        long.Parse(Header("X-RateLimit-Limit"), CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        long.Parse(Header("X-RateLimit-Remaining"), CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(0);
        long.Parse(Header("X-RateLimit-Reset"), CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            int.Parse(Header("Retry-After"), CultureInfo.InvariantCulture).ShouldBeInRange(1, 86_400);
    }

    /// <summary>A success with the given status, its common headers checked; returns the body.</summary>
    public static async Task<JsonElement> ShouldAnswer(this HttpResponseMessage response, int status = 200)
    {
        var json = await response.ShouldBeOk(status);
        response.ShouldCarryTheCommonHeaders();
        return json;
    }

    /// <summary>Seeds 000 and 004 (and the native API): <c>{"error":{"code","message","request_id"}}</c>.</summary>
    public static async Task<JsonElement> ShouldBeNativeError(this HttpResponseMessage response, int status, string code)
    {
        var error = await response.ShouldBeError(status, code);
        (await response.Json()).ShouldHaveExactly("error");
        error.ShouldHaveExactly("code", "message", "request_id");
        response.ShouldCarryTheCommonHeaders();
        return error;
    }

    /// <summary>
    /// Seed 001: <c>{"statusCode","error","message","path","requestId","timestamp"}</c>, plus <c>errors</c> on validation failures.
    /// </summary>
    public static async Task<JsonElement> ShouldBeOperationsError(this HttpResponseMessage response, int status, string path)
    {
        var json = await response.Json();
        ((int)response.StatusCode).ShouldBe(status, json.ToString());
        if (status == 400) json.ShouldHaveExactly("statusCode", "error", "message", "path", "requestId", "timestamp", "errors");
        else json.ShouldHaveExactly("statusCode", "error", "message", "path", "requestId", "timestamp");
        json.GetProperty("statusCode").ShouldBeNumber(status);
        json.GetProperty("error").GetString().ShouldBe(ReasonPhrase(status));
        json.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        json.GetProperty("path").ShouldBeString(path);
        json.GetProperty("requestId").ShouldBeString(response.Headers.GetValues("X-Request-ID").Single());
        json.GetProperty("timestamp").ShouldBeUtcTimestamp();
        if (status == 400)
            foreach (var error in json.GetProperty("errors").EnumerateArray())
            {
                error.ShouldHaveExactly("property", "message");
                error.GetProperty("property").GetString().ShouldNotBeNullOrWhiteSpace();
            }
        response.ShouldCarryTheCommonHeaders();
        return json;
    }

    /// <summary>Seed 002: <c>{"error":{"code":"VALIDATION_ERROR"|…,"message","details":[…]}}</c>.</summary>
    public static async Task<JsonElement> ShouldBeLeadBulkError(this HttpResponseMessage response, int status, string code)
    {
        var json = await response.Json();
        ((int)response.StatusCode).ShouldBe(status, json.ToString());
        json.ShouldHaveExactly("error");
        var error = json.GetProperty("error").ShouldHaveExactly("code", "message", "details");
        error.GetProperty("code").ShouldBeString(code);
        error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        error.GetProperty("details").ValueKind.ShouldBe(JsonValueKind.Array);
        response.ShouldCarryTheCommonHeaders();
        return error;
    }

    /// <summary>Seed 003: <c>{"error": &lt;HTTP status&gt;, "message": "…"}</c>.</summary>
    public static async Task<string> ShouldBeAsyncContactsError(this HttpResponseMessage response, int status)
    {
        var json = await response.Json();
        ((int)response.StatusCode).ShouldBe(status, json.ToString());
        json.ShouldHaveExactly("error", "message");
        json.GetProperty("error").ShouldBeNumber(status);
        var message = json.GetProperty("message").GetString();
        message.ShouldNotBeNullOrWhiteSpace();
        response.ShouldCarryTheCommonHeaders();
        return message!;
    }

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request", 401 => "Unauthorized", 402 => "Payment Required", 403 => "Forbidden", 404 => "Not Found",
        429 => "Too Many Requests", _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}

/// <summary>Sending documented requests as written, polling, and reaching a per-minute limit.</summary>
public static class SeedRequests
{
    public static Task<HttpResponseMessage> PostWithIdempotencyKey(this HttpClient client, string path, string json, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    public static Task<JsonElement> PollUntil(HttpClient client, string path, Func<JsonElement, bool> done) =>
        Polling.UntilAsync(async () => await (await client.GetAsync(path)).ShouldAnswer(), done, path);

    /// <summary>
    /// Spends a fresh workspace's per-minute allowance with <paramref name="spend"/>, then sends <paramref name="over"/>.
    /// The windows are fixed UTC minutes, so the burst keeps clear of a minute's end.
    /// </summary>
    public static async Task<HttpResponseMessage> OverTheMinuteLimit(int limit, Func<Task<HttpResponseMessage>> spend, Func<Task<HttpResponseMessage>> over)
    {
        var second = DateTime.UtcNow.Second;
        if (second >= 45) await Task.Delay(TimeSpan.FromSeconds(61 - second));
        for (var i = 0; i < limit; i++) (await spend()).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests, $"request {i + 1} of {limit}");
        return await over();
    }
}
