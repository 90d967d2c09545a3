using Tributary.Server.Errors;

namespace Tributary.Server.Surfaces.LeadBulk;

/// <summary>Seed 002's error body: <c>{"error":{"code":"VALIDATION_ERROR"|…,"message","details":[…]}}</c> with upper-case codes.</summary>
public sealed class LeadBulkErrorShape : IErrorShape
{
    public static readonly LeadBulkErrorShape Instance = new();

    public object Body(ApiError error, HttpContext http) => new LeadBulkErrorBody(new LeadBulkError(Code(error),
        error.Message, error.Details?.Select(d => new { field = d.Property, message = d.Message }).ToList<object>() ?? []));

    private static string Code(ApiError error) => error.Code switch
    {
        ErrorCodes.ValidationError or ErrorCodes.ConsentRequired or ErrorCodes.UnsupportedMediaType => "VALIDATION_ERROR",
        ErrorCodes.InvalidKey => "UNAUTHORIZED",
        ErrorCodes.InsufficientPermissions => "FORBIDDEN",
        ErrorCodes.NotFound or ErrorCodes.MethodNotAllowed => "NOT_FOUND",
        ErrorCodes.IdempotencyInProgress => "CONFLICT",
        ErrorCodes.InternalError => "INTERNAL_ERROR",
        var other => other.ToUpperInvariant(),
    };
}

public sealed record LeadBulkErrorBody(LeadBulkError Error);

public sealed record LeadBulkError(string Code, string Message, IReadOnlyList<object> Details);
