using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Tributary.Server.Errors;

/// <summary>An error response, written in the error shape of the surface the request reached.</summary>
public sealed class ErrorResult(ApiError error) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public ApiError Error { get; } = error;
    public int? StatusCode => Error.Status;

    public Task ExecuteAsync(HttpContext http) => WriteAsync(http, Error);

    public static async Task WriteAsync(HttpContext http, ApiError error)
    {
        if (http.Response.HasStarted) return;
        var shape = http.ErrorShape();
        error = shape.Adapt(error);
        http.Features.Set(error);
        http.Response.StatusCode = error.Status;
        var body = shape.Body(error, http);
        await http.Response.WriteAsJsonAsync(body, body.GetType(), options: null, contentType: "application/json; charset=utf-8");
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(400, typeof(NativeErrorBody), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(401, typeof(NativeErrorBody), ["application/json"]));
    }
}
