using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Cli.Api;

/// <summary>The server's admin and native endpoints, as the command line uses them.</summary>
internal sealed class TributaryApiClient : IDisposable
{
    // Ordinary calls are small and should answer quickly; an import, a job upload or a results download may
    // legitimately stream for a long time.
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

    /// <summary>The server address every path is resolved against.</summary>
    public Uri Server => http.BaseAddress!;

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
        FileInfo file, string mediaType, IReadOnlyList<ColumnMapping> mappings, CancellationToken cancellationToken)
    {
        await using var stream = OpenForUpload(file);
        var path = mappings.Count == 0 ? "v1/contacts/import"
            : $"v1/contacts/import?map={JoinEscaped(mappings.Select(mapping => $"{mapping.Field}={mapping.Column}"))}";
        using var request = UploadRequest(path, stream, mediaType);
        return await SendAsync<ImportSummary>(request, cancellationToken);
    }

    /// <summary>
    /// Submits an enrichment job with the CSV file streamed from disk as the body; answers the accepted job. Sent again
    /// with the same <paramref name="idempotencyKey"/> and file, it answers the same job instead of creating another.
    /// </summary>
    public async Task<ApiResult<EnrichmentJob>> SubmitEnrichmentJobAsync(
        FileInfo csvFile,
        IReadOnlyList<string> channels,
        IReadOnlyList<ColumnMapping> mappings,
        bool force,
        string idempotencyKey,
        CancellationToken cancellationToken)
    {
        var query = $"channels={JoinEscaped(channels)}";
        if (mappings.Count > 0)
        {
            query += $"&map={JoinEscaped(mappings.Select(mapping => $"{mapping.Field}={mapping.Column}"))}";
        }

        if (force)
        {
            query += "&force=true";
        }

        await using var stream = OpenForUpload(csvFile);
        using var request = UploadRequest($"v1/jobs?{query}", stream, "text/csv");
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await SendAsync<EnrichmentJob>(request, cancellationToken);
    }

    public Task<ApiResult<JsonElement>> ListWorkspacesAsync(CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(HttpMethod.Get, "admin/workspaces", content: null, cancellationToken);

    public Task<ApiResult<JsonElement>> ListApiKeysAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(HttpMethod.Get, $"admin/workspaces/{workspaceId}/keys", content: null, cancellationToken);

    public Task<ApiResult<JsonElement>> ListProvidersAsync(CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(HttpMethod.Get, "admin/providers", content: null, cancellationToken);

    public Task<ApiResult<JsonElement>> CheckProviderAsync(string name, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(HttpMethod.Post, $"admin/providers/{Uri.EscapeDataString(name)}/check", content: null, cancellationToken);

    public Task<ApiResult<JsonElement>> ListJobsAsync(string? status, int page, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(HttpMethod.Get,
            $"v1/jobs?per_page=100&page={page}{(status is null ? "" : "&status=" + Uri.EscapeDataString(status))}", content: null, cancellationToken);

    public Task<ApiResult<JsonElement>> GetJobAsync(Guid jobId, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(HttpMethod.Get, $"v1/jobs/{jobId}", content: null, cancellationToken);

    public Task<ApiResult<JsonElement>> CancelJobAsync(Guid jobId, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<JsonElement>(HttpMethod.Post, $"v1/jobs/{jobId}/cancel", content: null, cancellationToken);

    public Task<ApiResult<EnrichmentJob>> GetEnrichmentJobAsync(Guid jobId, CancellationToken cancellationToken) =>
        SendOrdinaryAsync<EnrichmentJob>(HttpMethod.Get, $"v1/jobs/{jobId}", content: null, cancellationToken);

    /// <summary>
    /// Streams the job's results as CSV straight into <paramref name="destination"/> (created or truncated);
    /// answers the number of bytes written. The file is only created once the server has accepted the request.
    /// </summary>
    public async Task<ApiResult<long>> DownloadEnrichmentResultsAsync(
        Guid jobId, FileInfo destination, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/jobs/{jobId}/results?format=csv");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var sent = await SendForResponseAsync(request, cancellationToken);
        if (!sent.Succeeded)
        {
            return ApiResult<long>.Failed(sent.Failure, sent.StatusCode);
        }

        using var response = sent.Value;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var file = new FileStream(
                destination.FullName,
                FileMode.Create,
                FileAccess.Write,
                FileShare.None,
                bufferSize: 81920,
                FileOptions.Asynchronous);
            await body.CopyToAsync(file, 81920, cancellationToken);
            await file.FlushAsync(cancellationToken);
            return ApiResult<long>.Success(file.Length);
        }
        catch (HttpRequestException exception)
        {
            return ApiResult<long>.Failed($"reading the results of job {jobId} failed: {Describe(exception)}");
        }
        catch (IOException exception)
        {
            // A connection lost mid-download (HttpIOException) or a full disk: either way the file is incomplete.
            return ApiResult<long>.Failed($"downloading the results of job {jobId} failed: {Describe(exception)}");
        }
    }

    public void Dispose() => http.Dispose();

    private static JsonContent JsonBody<TBody>(TBody body) => JsonContent.Create(body, options: ApiJson.Options);

    private static string JoinEscaped(IEnumerable<string> items) => string.Join(',', items.Select(Uri.EscapeDataString));

    private static FileStream OpenForUpload(FileInfo file) =>
        new(
            file.FullName,
            FileMode.Open,
            FileAccess.Read,
            FileShare.Read,
            bufferSize: 81920,
            FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static HttpRequestMessage UploadRequest(string path, FileStream stream, string mediaType)
    {
        var content = new StreamContent(stream, bufferSize: 81920);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = stream.Length;
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };

        // The server can then refuse a bad key or an oversized file before the upload starts,
        // and its error body reaches us instead of a broken pipe.
        request.Headers.ExpectContinue = true;
        return request;
    }

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
        var sent = await SendForResponseAsync(request, cancellationToken);
        if (!sent.Succeeded)
        {
            return sent.As<T>();
        }

        using var response = sent.Value;
        if (typeof(T) == typeof(NoContent))
        {
            return ApiResult<T>.Success(default!);
        }

        return await ReadBodyAsync<T>(response, cancellationToken);
    }

    /// <summary>Sends the request and answers the successful response, which the caller disposes.</summary>
    private async Task<ApiResult<HttpResponseMessage>> SendForResponseAsync(
        HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return ApiResult<HttpResponseMessage>.NotSent($"request to {http.BaseAddress} failed: {Describe(exception)}");
        }
        catch (HttpRequestException exception)
        {
            return ApiResult<HttpResponseMessage>.Failed($"request to {http.BaseAddress} failed: {Describe(exception)}");
        }

        if (response.IsSuccessStatusCode)
        {
            return ApiResult<HttpResponseMessage>.Success(response);
        }

        using (response)
        {
            return ApiResult<HttpResponseMessage>.Failed(
                await ApiErrorDescription.ReadAsync(response, cancellationToken), (int)response.StatusCode);
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
