namespace Tributary.Server.Errors;

/// <summary>How one API surface writes an error body. Attached to a route group as endpoint metadata.</summary>
public interface IErrorShape
{
    object Body(ApiError error, HttpContext http);
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
    IReadOnlyList<ErrorDetail>? Details);

public static class ErrorShapeExtensions
{
    public static TBuilder WithErrorShape<TBuilder>(this TBuilder builder, IErrorShape shape) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(shape);

    public static IErrorShape ErrorShape(this HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IErrorShape>() ?? NativeErrorShape.Instance;
}
