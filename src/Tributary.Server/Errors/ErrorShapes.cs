namespace Tributary.Server.Errors;

/// <summary>How one API surface writes an error body. Attached to a route group as endpoint metadata.</summary>
public interface IErrorShape
{
    object Body(ApiError error, HttpContext http);

    /// <summary>The error as this surface answers it, where its vendor uses another status or message for it.</summary>
    ApiError Adapt(ApiError error) => error;
}

/// <summary>The native, seed 000 and seed 004 body: <c>{"error":{"code","message","request_id"}}</c>.</summary>
public sealed class NativeErrorShape : IErrorShape
{
    public static readonly NativeErrorShape Instance = new();

    public object Body(ApiError error, HttpContext http) => new NativeErrorBody(new NativeError(
        error.Code, error.Message, http.TraceIdentifier,
        error.Details is { Count: > 0 } d ? d : null));
}

public sealed record NativeErrorBody(NativeError Error);

public sealed record NativeError(
    string Code,
    string Message,
    string RequestId,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<ErrorDetail>? Details = null);

public static class ErrorShapeExtensions
{
    public static TBuilder WithErrorShape<TBuilder>(this TBuilder builder, IErrorShape shape) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(shape);

    /// <summary>
    /// Answers requests under <paramref name="prefix"/> that reach no route of the surface (an unknown path, a wrong
    /// method) in its error body, as the vendor's clients read no other.
    /// </summary>
    public static void UseErrorShapeUnder(this IEndpointRouteBuilder app, string prefix, IErrorShape shape) =>
        app.ServiceProvider.GetRequiredService<ErrorShapesByPath>().Add(prefix, shape);

    public static IErrorShape ErrorShape(this HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IErrorShape>()
        ?? http.RequestServices.GetService<ErrorShapesByPath>()?.For(http.Request.Path)
        ?? NativeErrorShape.Instance;
}

/// <summary>The error shapes of path prefixes, for requests that match no route.</summary>
public sealed class ErrorShapesByPath
{
    private readonly List<(PathString Prefix, IErrorShape Shape)> _shapes = [];

    public void Add(string prefix, IErrorShape shape) => _shapes.Add((new PathString(prefix), shape));

    public IErrorShape? For(PathString path) => _shapes.FirstOrDefault(s => path.StartsWithSegments(s.Prefix, StringComparison.OrdinalIgnoreCase)).Shape;
}
