using Tributary.Core.Workspaces;

namespace Tributary.Server.Auth;

/// <summary>Who is calling: filled by <see cref="ApiKeyAuthMiddleware"/> for routes that need a key, one per request.</summary>
public sealed class CallerContext
{
    private ApiKey? _key;
    private Workspace? _workspace;

    public ApiKey Key => _key ?? throw new InvalidOperationException("This route was not marked as needing an API key.");
    public bool IsAuthenticated => _key is not null;
    public Guid WorkspaceId => Key.WorkspaceId;
    public Guid KeyId => Key.Id;
    /// <summary>The key's workspace and its settings, read once for the request (from the process's short-lived copy).</summary>
    public Workspace Workspace => _workspace ?? throw new InvalidOperationException("This route was not marked as needing an API key.");

    /// <summary>The request's idempotency claim when it sent an <c>Idempotency-Key</c> (set by the idempotency middleware).</summary>
    public Tributary.Core.Idempotency.IdempotencyScope? Idempotency { get; internal set; }

    internal void Authenticate(ApiKey key, Workspace workspace) => (_key, _workspace) = (key, workspace);
}
