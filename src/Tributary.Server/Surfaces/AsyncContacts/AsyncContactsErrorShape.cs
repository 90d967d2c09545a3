using Tributary.Server.Errors;

namespace Tributary.Server.Surfaces.AsyncContacts;

/// <summary>Seed 003's error body: <c>{"error": &lt;HTTP status&gt;, "message": "…"}</c>.</summary>
public sealed class AsyncContactsErrorShape : IErrorShape
{
    public static readonly AsyncContactsErrorShape Instance = new();

    public const string ConsentMessage = "You can't use the personal email enrichment feature without consenting with our terms of use";

    public object Body(ApiError error, HttpContext http) => new AsyncContactsError(error.Status, error.Message);

    /// <summary>The vendor's clients know a credit refusal only as 422 with the words "insufficient … credits" (DESIGN §7.4).</summary>
    public ApiError Adapt(ApiError error) => error is { Code: ErrorCodes.InsufficientCredits, Credits: { } credits }
        ? error with
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Message = $"Insufficient enrichment credits: this request needs up to {credits.Needed} credits and the workspace has {credits.Available} available",
        }
        : error;
}

public sealed record AsyncContactsError(int Error, string Message);
