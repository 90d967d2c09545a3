using System.Text.Json;
using Tributary.Core.Contacts;

namespace Tributary.Server.Errors;

/// <summary>
/// Turns failures anywhere in the pipeline into the reached surface's error body: malformed JSON and binding failures
/// (400), oversized bodies (413), unknown routes and methods, and unexpected exceptions (500, never with internals).
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e)
        {
            await ErrorResult.WriteAsync(http, Describe(e, http));
        }
        catch (ImportRejectedException e)
        {
            await ErrorResult.WriteAsync(http, ApiError.Validation(e.Message));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled exception for {Method} {Path}", http.Request.Method, http.Request.Path);
            await ErrorResult.WriteAsync(http, ApiError.Internal);
        }
    }

    private static ApiError Describe(BadHttpRequestException e, HttpContext http)
    {
        if (Chain(e).Any(x => x is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }))
            return ApiError.PayloadTooLarge(http.Features.Get<RequestBodyLimit>()?.Limit ?? 0);
        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
            return new ApiError(415, ErrorCodes.UnsupportedMediaType, "Send the body as JSON with Content-Type: application/json");
        if (FindJsonException(e) is { } json) return BindingError.Of(json);
        if (e.Message.Contains("was not provided", StringComparison.Ordinal) || e.Message.Contains("body was empty", StringComparison.OrdinalIgnoreCase))
            return ApiError.Validation("A JSON request body is required.");
        return ApiError.Validation("Malformed request: " + e.Message);
    }

    private static JsonException? FindJsonException(Exception e) => Chain(e).OfType<JsonException>().FirstOrDefault();

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }
}

/// <summary>What a JSON body bound to a typed request record got wrong, as a 400 naming the field.</summary>
public static class BindingError
{
    public static ApiError Of(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? null : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path;
        if (!json.Message.Contains("could not be converted", StringComparison.Ordinal))
            return ApiError.Validation($"Malformed request: the body is not valid JSON{(field is null ? "" : $" at {json.Path}")}.");
        // A typed request record met a value of another type: name the field, as each surface's validation does.
        return field is null
            ? ApiError.NotAnObject()
            : ApiError.Validation($"Malformed request: '{field}' has the wrong type.", [new ErrorDetail(field, "has the wrong type")]);
    }
}

/// <summary>Answers empty 404/405 responses from routing in the error envelope.</summary>
public static class StatusCodeErrors
{
    public static IApplicationBuilder UseErrorBodiesForEmptyStatusCodes(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var error = http.Response.StatusCode switch
            {
                404 => new ApiError(404, ErrorCodes.NotFound, $"No route for {http.Request.Method} {http.Request.Path}"),
                405 => new ApiError(405, ErrorCodes.MethodNotAllowed, $"{http.Request.Method} is not allowed on {http.Request.Path}"),
                413 => ApiError.PayloadTooLarge(http.Features.Get<RequestBodyLimit>()?.Limit ?? 0),
                400 => ApiError.Validation("Malformed request: the body could not be read."),
                415 => new ApiError(415, ErrorCodes.UnsupportedMediaType, "Send the body as JSON with Content-Type: application/json"),
                var s => new ApiError(s, s >= 500 ? ErrorCodes.InternalError : ErrorCodes.ValidationError, "The request could not be served"),
            };
            await ErrorResult.WriteAsync(http, error);
        });
}
