using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Cli.Api;

/// <summary>The server's admin and native endpoints, as the command line uses them.</summary>
internal sealed class TributaryApiClient : IDisposable
{
    // Ordinary calls are small and should answer quickly; an import may legitimately stream for a long time.
    private static readonly TimeSpan OrdinaryRequestTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient http;

    public TributaryApiClient(HttpClient http, Uri server, string bearerToken)
    {
        this.http = http;
        http.BaseAddress = server;
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Task<ApiResult<CreatedWorkspace>> CreateWorkspaceAsync(string name, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<CreatedWorkspace>(
            HttpMethod.Post, "admin/workspaces", JsonBody(new CreateWorkspaceRequest(name)), cancellationToken);

    public Task<ApiResult<JsonElement>> UpdateWorkspaceSettingsAsync(
        Guid workspaceId, JsonObject changes, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(
            HttpMethod.Patch, $"admin/workspaces/{workspaceId}", JsonBody(changes), cancellationToken);

    public Task<ApiResult<CreatedApiKey>> CreateApiKeyAsync(
        Guid workspaceId, CreateApiKeyRequest request, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<CreatedApiKey>(
            HttpMethod.Post, $"admin/workspaces/{workspaceId}/keys", JsonBody(request), cancellationToken);

    public Task<ApiResult<NoContent>> RevokeApiKeyAsync(Guid workspaceId, Guid keyId, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<NoContent>(
            HttpMethod.Delete, $"admin/workspaces/{workspaceId}/keys/{keyId}", content: null, cancellationToken);

    public Task<ApiResult<CreditBalance>> GrantCreditsAsync(
        Guid workspaceId, GrantCreditsRequest request, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<CreditBalance>(
            HttpMethod.Post, $"admin/workspaces/{workspaceId}/credits", JsonBody(request), cancellationToken);

    public Task<ApiResult<CreditBalance>> GetCreditsAsync(CancellationToken cancellationToken) =>
        SendOrdinaryAsync<CreditBalance>(HttpMethod.Get, "v1/credits", content: null, cancellationToken);

    /// <summary>Streams the file from disk as the request body; it is never loaded into memory.</summary>
    public async Task<ApiResult<ImportSummary>> ImportContactsAsync(
        FileInfo file, string mediaType, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(
            file.FullName,
            FileMode.Open,
            FileAccess.Read,
            FileShare.Read,
            bufferSize: 81920,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        var content = new StreamContent(stream, bufferSize: 81920);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = stream.Length;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/contacts/import") { Content = content };

        // The server can then refuse a bad key or an oversized file before the upload starts,
        // and its error body reaches us instead of a broken pipe.
        request.Headers.ExpectContinue = true;
        return await SendAsync<ImportSummary>(request, cancellationToken);
    }

    public void Dispose() => http.Dispose();

    private static JsonContent JsonBody<TBody>(TBody body) => JsonContent.Create(body, options: ApiJson.Options);

    private async Task<ApiResult<T>> SendOrdinaryAsync<T>(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OrdinaryRequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            return await SendAsync<T>(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ApiResult<T>.Failed(
                $"{http.BaseAddress} did not answer within {OrdinaryRequestTimeout.TotalSeconds:0} seconds");
        }
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            return ApiResult<T>.Failed($"request to {http.BaseAddress} failed: {Describe(exception)}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return ApiResult<T>.Failed(await ApiErrorDescription.ReadAsync(response, cancellationToken));
            }

            if (typeof(T) == typeof(NoContent))
            {
                return ApiResult<T>.Success(default!);
            }

            return await ReadBodyAsync<T>(response, cancellationToken);
        }
    }

    private static async Task<ApiResult<T>> ReadBodyAsync<T>(
        HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var payload = UnwrapData(document.RootElement);
            var value = payload.Deserialize<T>(ApiJson.Options);
            return value is null
                ? ApiResult<T>.Failed($"{(int)response.StatusCode}: the server answered with an empty body")
                : ApiResult<T>.Success(value);
        }
        catch (JsonException)
        {
            return ApiResult<T>.Failed($"{(int)response.StatusCode}: the server's answer is not the expected JSON");
        }
        catch (HttpRequestException exception)
        {
            return ApiResult<T>.Failed($"reading the server's answer failed: {Describe(exception)}");
        }
    }

    // The outer message is often generic ("Error while copying content to a stream."); the cause says what happened.
    private static string Describe(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        var outer = exception.Message.TrimEnd('.');
        var cause = innermost.Message.TrimEnd('.');
        return innermost == exception || outer.Contains(cause, StringComparison.Ordinal)
            ? outer
            : $"{outer}: {cause}";
    }

    // The native API wraps every success body as {"data": …}; the admin API answers unwrapped.
    private static JsonElement UnwrapData(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("data", out var data)
        && data.ValueKind == JsonValueKind.Object
            ? data.Clone()
            : root.Clone();
}
