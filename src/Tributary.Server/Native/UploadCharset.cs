using System.Text;
using Microsoft.Net.Http.Headers;
using Tributary.Core.Common;
using Tributary.Server.Errors;

namespace Tributary.Server.Native;

public static class UploadCharset
{
    /// <summary>The encoding a CSV or JSONL upload declares in its Content-Type, or a 415 for one Tributary does not read.</summary>
    public static ApiError? Of(HttpRequest request, out Encoding? encoding)
    {
        encoding = null;
        var charset = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.Charset.Value : null;
        return TextEncodings.TryFromCharset(charset, out encoding)
            ? null
            : new ApiError(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                $"charset={charset} is not read; send UTF-8 or declare one of {string.Join(", ", TextEncodings.Accepted)}");
    }
}
