using System.Net;
using System.Text.Json;

using Tributary.Cli.Output;

namespace Tributary.Cli.Api;

/// <summary>Turns an unsuccessful response into one line: status, error code and message.</summary>
internal static class ApiErrorDescription
{
    public static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var fallback = $"{status} {DescribeStatus(response.StatusCode, response.ReasonPhrase)}";
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return fallback;
        }

        return TryDescribeErrorBody(body, out var code, out var message)
            ? $"{status} {Join(code, message)}"
            : fallback;
    }

    private static string DescribeStatus(HttpStatusCode statusCode, string? reasonPhrase) =>
        string.IsNullOrWhiteSpace(reasonPhrase) ? statusCode.ToString() : reasonPhrase;

    private static string Join(string? code, string? message) =>
        (code, message) switch
        {
            ({ } c, { } m) => $"{c}: {m}",
            ({ } c, null) => c,
            (null, { } m) => m,
            _ => string.Empty,
        };

    // The native and admin APIs answer {"error":{"code","message"}}; other shapes are read as best we can.
    private static bool TryDescribeErrorBody(string body, out string? code, out string? message)
    {
        code = null;
        message = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                code = SingleLine(error, "code");
                message = SingleLine(error, "message");
            }
            else
            {
                code = SingleLine(root, "error") ?? SingleLine(root, "code");
                message = SingleLine(root, "message") ?? SingleLine(root, "detail") ?? SingleLine(root, "title");
            }

            return code is not null || message is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? SingleLine(JsonElement element, string propertyName)
    {
        if (!element.TryGetProperty(propertyName, out var property))
        {
            return null;
        }

        var text = property.ValueKind switch
        {
            JsonValueKind.String => property.GetString(),
            JsonValueKind.Number => property.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : OutputFields.ToSingleLine(text);
    }
}
