using Tributary.Server.Errors;

namespace Tributary.Server.Surfaces.AsyncContacts;

/// <summary>Seed 003's error body: <c>{"error": &lt;HTTP status&gt;, "message": "…"}</c>.</summary>
public sealed class AsyncContactsErrorShape : IErrorShape
{
    public static readonly AsyncContactsErrorShape Instance = new();

    public const string ConsentMessage = "You can't use the personal email enrichment feature without consenting with our terms of use";

    public object Body(ApiError error, HttpContext http) => new AsyncContactsError(error.Status, error.Message);
}

public sealed record AsyncContactsError(int Error, string Message);
