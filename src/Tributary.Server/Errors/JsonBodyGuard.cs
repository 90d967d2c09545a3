using Tributary.Core.Common;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Tributary.Server.Errors;

/// <summary>
/// DESIGN §9 for JSON bodies, before any handler reads them: a charset other than UTF-8 is 415; invalid UTF-8, a lone
/// surrogate or a NUL character in any string, an over-long value (an email over 320 characters, a URL over 2,048, any
/// other string over 4,096) and a <c>-0</c> are 400, in the surface's own error body. Runs after authentication (no
/// 415 before a 401). Bodies of the upload routes (CSV, JSONL, streamed JSON jobs) are read as streams by their
/// handlers and only have their charset checked here.
/// </summary>
public sealed class JsonBodyGuardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !IsJson(type))
        {
            await next(http);
            return;
        }
        var charset = type.Charset.Value?.Trim('"');
        if (charset is { Length: > 0 } && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                                       && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorResult.WriteAsync(http, new ApiError(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                $"JSON bodies must be UTF-8; charset={charset} is not accepted"));
            return;
        }
        // The framework looks a charset up by its name as given: "utf8" and a quoted "utf-8" are UTF-8 here but unknown
        // names there (an exception, a 500), so the handler sees the one spelling it knows.
        if (charset is { Length: > 0 } && type.Charset.Value != "utf-8")
        {
            type.Charset = "utf-8";
            request.ContentType = type.ToString();
        }
        if (http.GetEndpoint()?.Metadata.GetMetadata<LargeBodyMetadata>() is not null || request.ContentLength == 0)
        {
            await next(http);
            return;
        }

        // Within the route's body limit (enforced before this), so holding it is bounded.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, http.RequestAborted);
        if (Problem(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } problem)
        {
            await ErrorResult.WriteAsync(http, ApiError.Validation(problem));
            return;
        }
        buffer.Position = 0;
        request.Body = buffer;
        await next(http);
    }

    private static bool IsJson(MediaTypeHeaderValue type)
    {
        var media = type.MediaType.Value ?? "";
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What makes the body unacceptable, or null. Malformed JSON is left to the handler, which says where.</summary>
    private static string? Problem(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body)) return "The body is not valid UTF-8";
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        var property = "";
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Number && IsNegativeZero(reader.ValueSpan))
                    return $"'{property}' must not be -0";
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
                var text = reader.GetString()!;
                if (text.Contains('\0')) return "The body has a string with a NUL character";
                if (TextLimits.HasLoneSurrogate(text)) return LoneSurrogate;
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = text;
                    if (text.Length > TextLimits.MaxString) return $"The body has a field name longer than {TextLimits.MaxString} characters";
                }
                else if (text.Length > TextLimits.LimitOf(property)) return $"'{property}' is longer than {TextLimits.LimitOf(property)} characters";
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return LoneSurrogate; // an escape such as \ud800 with no pair cannot be read as text
        }
        return null;
    }

    private static bool IsNegativeZero(ReadOnlySpan<byte> number) =>
        number is [(byte)'-', ..] && number[1..].IndexOfAnyExcept("0.eE+-"u8) < 0;

    private const string LoneSurrogate = "The body has a string with a lone surrogate (an unpaired \\uD800-\\uDFFF escape)";


}
