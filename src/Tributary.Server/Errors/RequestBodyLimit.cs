using Microsoft.AspNetCore.Http.Features;
using Tributary.Server.Configuration;

namespace Tributary.Server.Errors;

/// <summary>Marks a route whose body may be as large as <c>Limits:MaxImportBytes</c> (CSV/JSONL uploads).</summary>
public sealed class LargeBodyMetadata
{
    public static readonly LargeBodyMetadata Instance = new();
}

/// <summary>The body limit applied to the current request, kept so a 413 can name it.</summary>
public sealed record RequestBodyLimit(long Limit);

/// <summary>
/// Enforces the body size limit of each route in the server itself, so the limit holds under every host and whether
/// the client sends Content-Length or chunked bodies. Kestrel's own cap is raised to the largest limit at start-up.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, TributaryOptions options)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<LargeBodyMetadata>() is not null
            ? options.Limits.MaxImportBytes
            : options.Limits.MaxJsonBytes;
        http.Features.Set(new RequestBodyLimit(limit));
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrel)
            kestrel.MaxRequestBodySize = limit;
        if (http.Request.ContentLength > limit)
        {
            // Refused before the key is read, so nothing is counted; the headers say so.
            if (http.GetEndpoint()?.Metadata.GetMetadata<Auth.RequiredPermission>() is not null)
                await RateLimits.RateLimitHeaders.ReportWithoutCountingAsync(http, workspaceId: null);
            await ErrorResult.WriteAsync(http, ApiError.PayloadTooLarge(limit));
            return;
        }
        http.Request.Body = new LimitedReadStream(http.Request.Body, limit);
        await next(http);
    }

    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Count(await inner.ReadAsync(buffer, ct));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), ct));

        private int Count(int n)
        {
            _read += n;
            if (_read > limit)
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
