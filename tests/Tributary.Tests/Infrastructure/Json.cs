using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Tributary.Tests.Infrastructure;

public static class HttpJson
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ShouldAssertException($"response {(int)response.StatusCode} is not JSON: {text}");
        }
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string path, string body, string contentType = "application/json") =>
        client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    public static Task<HttpResponseMessage> PatchJson(this HttpClient client, string path, object body) =>
        client.PatchAsJsonAsync(path, body);

    public static Task<HttpResponseMessage> PatchRaw(this HttpClient client, string path, string body) =>
        client.PatchAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>Asserts the native error envelope with the given status and code; returns the error object.</summary>
    public static async Task<JsonElement> ShouldBeError(this HttpResponseMessage response, int status, string code)
    {
        var json = await response.Json();
        ((int)response.StatusCode).ShouldBe(status, json.ToString());
        var error = json.GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe(code);
        error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        error.GetProperty("request_id").GetString().ShouldBe(response.Headers.GetValues("X-Request-ID").Single());
        return error;
    }

    /// <param name="context">Shown with the body when the status is not the one expected (a server's log, say).</param>
    public static async Task<JsonElement> ShouldBeOk(this HttpResponseMessage response, int status = 200, string? context = null)
    {
        var json = await response.Json();
        ((int)response.StatusCode).ShouldBe(status, context is null ? json.ToString() : $"{json}\n{context}");
        return json;
    }
}
