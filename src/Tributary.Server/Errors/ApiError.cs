namespace Tributary.Server.Errors;

/// <summary>
/// One error, independent of how a surface spells it. <see cref="Code"/> is the native snake_case code
/// (DESIGN §7); each surface's <see cref="IErrorShape"/> turns it into that surface's body.
/// </summary>
public sealed record ApiError(int Status, string Code, string Message, IReadOnlyList<ErrorDetail>? Details = null)
{
    /// <summary>For a credit refusal: what the request needed and what the workspace had.</summary>
    public CreditShortfall? Credits { get; init; }

    public static ApiError Validation(string message, IReadOnlyList<ErrorDetail>? details = null) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, message, details);

    /// <summary>A request body that is not a JSON object (<c>null</c>, an array, a number, a string).</summary>
    public static ApiError NotAnObject(string? more = null) =>
        Validation(more is null ? "The body must be a JSON object" : "The body must be a JSON object. " + more, [new("body", "must be an object")]);

    public static ApiError NotFound(string what) =>
        new(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"{what} not found");

    public static ApiError NoMatch(string what) =>
        new(StatusCodes.Status409Conflict, ErrorCodes.NoMatch, $"Upstream providers returned no data for {what}");

    public static readonly ApiError InvalidKey =
        new(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidKey, "Invalid or expired API key");

    public static ApiError MissingPermission(string permission) =>
        new(StatusCodes.Status403Forbidden, ErrorCodes.InsufficientPermissions, $"This API key lacks the {permission} permission");

    public static ApiError PayloadTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body is larger than the limit of {limit} bytes");

    public static readonly ApiError IdempotencyInProgress = new(StatusCodes.Status409Conflict, ErrorCodes.IdempotencyInProgress,
        "A request with this Idempotency-Key is still being processed; retry shortly");

    public static readonly ApiError IdempotencyKeyReused = new(StatusCodes.Status422UnprocessableEntity, ErrorCodes.IdempotencyKeyReused,
        "This Idempotency-Key was used with a different request body");

    public static ApiError RateLimited(long limit, string window) => new(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
        $"Rate limit exceeded: {limit} requests per {window} for this workspace");

    public static readonly ApiError ResponseErased = new(StatusCodes.Status410Gone, ErrorCodes.ResponseErased,
        "The response stored for this Idempotency-Key carried a person who has since been erased; nothing was run or charged");

    public static ApiError Suppressed(string message) => new(StatusCodes.Status409Conflict, ErrorCodes.Suppressed, message);

    public static readonly ApiError Internal =
        new(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "An unexpected error occurred; it has been logged with this request id");
}

public sealed record CreditShortfall(long Needed, long Available);

/// <summary>A field-level problem (seed 001 lists them as <c>errors</c>, seed 002 as <c>details</c>).</summary>
public sealed record ErrorDetail(string Property, string Message);

public static class ErrorCodes
{
    public const string ValidationError = "validation_error";
    public const string InvalidKey = "invalid_key";
    public const string InvalidDownloadLink = "invalid_download_link";
    public const string InsufficientCredits = "insufficient_credits";
    public const string InsufficientPermissions = "insufficient_permissions";
    public const string NotFound = "not_found";
    public const string NoMatch = "no_match";
    public const string RateLimited = "rate_limited";
    public const string PayloadTooLarge = "payload_too_large";
    public const string ConsentRequired = "consent_required";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string IdempotencyInProgress = "idempotency_in_progress";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string InternalError = "internal_error";
    public const string ResponseErased = "response_erased";
    public const string Suppressed = "suppressed";
}
