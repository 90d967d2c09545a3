using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Tributary.Server.Errors;

namespace Tributary.Server.Surfaces.Operations;

/// <summary>
/// Seed 001's error body: <c>{"statusCode","error","message","path","requestId","timestamp","errors"}</c>, with
/// <c>errors</c> only on validation failures.
/// </summary>
public sealed class OperationsErrorShape : IErrorShape
{
    public static readonly OperationsErrorShape Instance = new();

    public object Body(ApiError error, HttpContext http) => new OperationsError(
        error.Status, ReasonPhrases.GetReasonPhrase(error.Status), error.Message, http.Request.Path.Value ?? "/", http.TraceIdentifier,
        (http.RequestServices?.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        error.Details is { Count: > 0 } d ? d.Select(x => new OperationsFieldError(x.Property, x.Message)).ToList() : null);
}

public sealed record OperationsError(
    [property: JsonPropertyName("statusCode")] int StatusCode,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<OperationsFieldError>? Errors = null);

public sealed record OperationsFieldError(
    [property: JsonPropertyName("property")] string Property,
    [property: JsonPropertyName("message")] string Message);
